#!/usr/bin/env node
/**
 * The composition root: parse the command line with meow, run one command, map failures to
 * exit statuses (1: the operation failed, 2: the command line is wrong). No UI logic lives here.
 */
import meow from 'meow';
import {CommandError, UsageError} from './commands/command-error.js';
import type {CommandContext} from './commands/context.js';
import {commandHelp, mainHelp} from './commands/help.js';
import {describeTarget, resolveTarget} from './config.js';
import {importTui} from './import-tui.js';
import {defaultSandboxDir} from './sandbox/paths.js';
import type {Session} from './session.js';

const cli = meow(mainHelp, {
	importMeta: import.meta,
	autoHelp: false,
	allowUnknownFlags: false,
	flags: {
		help: {type: 'boolean', shortFlag: 'h'},
		sandbox: {type: 'boolean'},
		profile: {type: 'string'},
		region: {type: 'string'},
		endpointUrl: {type: 'string'},
		sandboxDir: {type: 'string'},
		stackName: {type: 'string', default: 'KmsKey'},
		// bin/kms-tui hands --env-file over as --env-file-path: Node 20 reads a script's own
		// --env-file as its own and exits when the file does not exist (nodejs/node#54232).
		envFile: {type: 'string', default: '.env', aliases: ['envFilePath']},
		key: {type: 'string'},
		json: {type: 'boolean'},
		yes: {type: 'boolean', shortFlag: 'y'},
		readOnly: {type: 'boolean'},
		color: {type: 'boolean', default: true},
		// Command options
		port: {type: 'number'},
		template: {type: 'string'},
		param: {type: 'string', isMultiple: true},
		writeEnv: {type: 'boolean'},
		period: {type: 'number'},
		days: {type: 'number'},
		cancel: {type: 'boolean'},
		enable: {type: 'boolean'},
		output: {type: 'string', shortFlag: 'o'},
		context: {type: 'string', isMultiple: true},
		format: {type: 'string'},
		force: {type: 'boolean'},
	},
});

type Command = (context: CommandContext) => Promise<void>;

/**
 * Each command loads on first use, so `--help` or a usage error never pays for the AWS SDK,
 * the sandbox engines or the envelope code.
 */
const lifecycle: Record<string, () => Promise<Command>> = {
	deploy: async () => (await import('./commands/deploy.js')).runDeploy,
	outputs: async () => (await import('./commands/outputs.js')).runOutputs,
	key: async () => (await import('./commands/key.js')).runKey,
	rotation: async () => (await import('./commands/rotation.js')).runRotation,
	alias: async () => (await import('./commands/alias.js')).runAlias,
	'delete-key': async () => (await import('./commands/delete-key.js')).runDeleteKey,
	destroy: async () => (await import('./commands/destroy.js')).runDestroy,
	encrypt: async () => (await import('./commands/envelope.js')).runEncrypt,
	decrypt: async () => (await import('./commands/envelope.js')).runDecrypt,
	inspect: async () => (await import('./commands/envelope.js')).runInspect,
};

async function main(): Promise<void> {
	const [command, ...args] = cli.input;
	const {flags} = cli;
	if (flags.help || command === 'help') {
		const topic = command === 'help' ? args[0] : command;
		process.stdout.write(`${commandHelp(topic)}\n`);
		return;
	}
	if (command === 'sandbox') {
		const {runSandboxCommand} = await import('./commands/sandbox.js');
		await runSandboxCommand(args, {
			sandboxDir: flags.sandboxDir ?? defaultSandboxDir(),
			port: flags.port,
			region: flags.region ?? process.env.AWS_REGION ?? 'us-east-1',
			json: flags.json ?? false,
			yes: flags.yes ?? false,
			stdout: process.stdout,
			stderr: process.stderr,
		});
		return;
	}
	if (command === undefined) {
		if (!process.stdin.isTTY || !process.stdout.isTTY) {
			throw new UsageError(
				'no command given, and the terminal app needs a terminal for input and output. In a script or a pipe, run a command: `kms-tui --help` lists them.',
			);
		}
		const target = resolveTarget(flags, process.env, defaultSandboxDir());
		const {runTui} = await importTui();
		await runTui(
			{
				open: async () => (await import('./session.js')).openSession(target),
				targetLine: describeTarget(target),
				targetKind: target.kind,
				settings: {
					stackName: flags.stackName,
					envFile: flags.envFile,
					readOnly: flags.readOnly ?? false,
					keyRef: flags.key ?? process.env.KMS_KEY_ID,
					cwd: process.cwd(),
				},
			},
			// --no-color, like NO_COLOR, turns colour off; otherwise the environment decides.
			flags.color ? {} : {isColor: false},
		);
		return;
	}
	const load = lifecycle[command];
	if (!load) {
		throw new UsageError(
			`Unknown command "${command}". Run \`kms-tui --help\` to see the commands.`,
		);
	}
	const run = await load();

	const target = resolveTarget(flags, process.env, defaultSandboxDir());
	let opened: Session | undefined;
	const context: CommandContext = {
		args,
		flags,
		options: {
			stackName: flags.stackName,
			envFile: flags.envFile,
			key: flags.key,
			json: flags.json ?? false,
			yes: flags.yes ?? false,
			readOnly: flags.readOnly ?? false,
		},
		session: async () => {
			if (!opened) {
				const {openSession} = await import('./session.js');
				opened = await openSession(target);
				process.stderr.write(`${opened.targetLine}\n`);
			}
			return opened;
		},
		stdout: process.stdout,
		stderr: process.stderr,
		stdinIsTty: process.stdin.isTTY === true,
		env: process.env,
	};
	try {
		await run(context);
	} finally {
		await opened?.close();
	}
}

/** Failures by name, so that classifying them needs none of the modules that define them. */
function report(error: unknown): number {
	const failure = error as {
		name?: string;
		message?: string;
		hint?: string;
		kind?: string;
		code?: string;
	};
	if (error instanceof UsageError) {
		process.stderr.write(`kms-tui: ${failure.message}\n`);
		return 2;
	}
	if (failure?.name === 'ServiceError') {
		process.stderr.write(`kms-tui: ${failure.message}\n  → ${failure.hint}\n`);
		// A value kms-tui itself rejected before calling AWS is a usage error.
		const isLocalValidation =
			failure.code === undefined &&
			(failure.kind === 'validation' || failure.kind === 'invalid-alias-name');
		return isLocalValidation ? 2 : 1;
	}
	if (
		error instanceof CommandError ||
		failure?.name === 'SandboxStateError' ||
		failure?.name === 'EnvelopeError' ||
		failure?.name === 'EnvFileError'
	) {
		process.stderr.write(`kms-tui: ${failure.message}\n`);
		return 1;
	}
	process.stderr.write(
		`kms-tui: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`,
	);
	return 1;
}

main().catch((error: unknown) => {
	process.exitCode = report(error);
});
