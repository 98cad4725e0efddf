#!/usr/bin/env node
/**
 * The composition root: parse the command line with meow, run one command, map failures to
 * exit statuses (1: the operation failed, 2: the command line is wrong). No UI logic lives here.
 */
import meow from 'meow';
import {runAlias} from './commands/alias.js';
import {CommandError, UsageError} from './commands/command-error.js';
import type {CommandContext} from './commands/context.js';
import {runDeleteKey} from './commands/delete-key.js';
import {runDeploy} from './commands/deploy.js';
import {runDestroy} from './commands/destroy.js';
import {runDecrypt, runEncrypt, runInspect} from './commands/envelope.js';
import {commandHelp, mainHelp} from './commands/help.js';
import {runKey} from './commands/key.js';
import {runOutputs} from './commands/outputs.js';
import {runRotation} from './commands/rotation.js';
import {runSandboxCommand} from './commands/sandbox.js';
import {resolveTarget} from './config.js';
import {defaultSandboxDir, SandboxStateError} from './sandbox/index.js';
import {ServiceError} from './service/index.js';
import {openSession, type Session} from './session.js';

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
		envFile: {type: 'string', default: '.env'},
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

const lifecycle: Record<string, (context: CommandContext) => Promise<void>> = {
	deploy: runDeploy,
	outputs: runOutputs,
	key: runKey,
	rotation: runRotation,
	alias: runAlias,
	'delete-key': runDeleteKey,
	destroy: runDestroy,
	encrypt: runEncrypt,
	decrypt: runDecrypt,
	inspect: runInspect,
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
		process.stdout.write(`${mainHelp}\n`);
		return;
	}
	const run = lifecycle[command];
	if (!run)
		throw new UsageError(
			`Unknown command "${command}". Run \`kms-tui --help\` to see the commands.`,
		);

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

main().catch((error: unknown) => {
	if (error instanceof UsageError) {
		process.stderr.write(`kms-tui: ${error.message}\n`);
		process.exitCode = 2;
		return;
	}
	if (error instanceof ServiceError) {
		process.stderr.write(`kms-tui: ${error.message}\n  → ${error.hint}\n`);
		// A value kms-tui itself rejected before calling AWS is a usage error.
		const isLocalValidation =
			error.code === undefined &&
			(error.kind === 'validation' || error.kind === 'invalid-alias-name');
		process.exitCode = isLocalValidation ? 2 : 1;
		return;
	}
	if (error instanceof CommandError || error instanceof SandboxStateError) {
		process.stderr.write(`kms-tui: ${error.message}\n`);
		process.exitCode = 1;
		return;
	}
	process.stderr.write(`kms-tui: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
