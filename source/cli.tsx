/**
 * The composition root: parse the command line against the command registry, run one command or
 * the TUI, map failures to exit statuses (1: the operation failed, 2: the command line is wrong).
 * No UI logic lives here.
 *
 * Start-up matters (`--help` or a usage error must not load the AWS SDK): the registry and the
 * error classes below are small dependency-free modules; each command loads when it runs.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {CommandError, QuietExit, UsageError} from './commands/command-error.js';
import {parseCommandLine} from './commands/registry.js';
import {describeTarget, packageRoot, resolveTarget} from './config.js';
import {EnvFileError} from './env-file/types.js';
import {EnvelopeError} from './envelope/errors.js';
import {importTui} from './import-tui.js';
import {defaultSandboxDir} from './sandbox/paths.js';
import {SandboxStateError} from './sandbox/state-error.js';
import {ServiceError} from './service/service-error.js';
import type {Session} from './session.js';
import {terminalSafe} from './terminal-text.js';

/** From the package's own package.json, wherever the bundle put this module. */
function packageVersion(): string {
	const text = readFileSync(path.join(packageRoot(), 'package.json'), 'utf8');
	return (JSON.parse(text) as {version: string}).version;
}

async function main(): Promise<void> {
	const parsed = parseCommandLine(process.argv.slice(2));
	if (parsed.kind === 'version') {
		process.stdout.write(`${packageVersion()}\n`);
		return;
	}
	if (parsed.kind === 'help') {
		process.stdout.write(`${parsed.text}\n`);
		return;
	}
	const flags = parsed.globals;
	if (parsed.kind === 'tui') {
		// The command-line bundle (dist/commands.cjs) has no TUI: it hands the start over to the ESM
		// build before doing anything (source/entry.ts). Unset everywhere else.
		const startTui = (globalThis as {[key: symbol]: unknown})[Symbol.for('kms-tui.start-tui')];
		if (typeof startTui === 'function') {
			await startTui();
			return;
		}
		if (!process.stdin.isTTY || !process.stdout.isTTY) {
			throw new UsageError(
				'no command given, and the terminal app needs a terminal for input and output. In a script or a pipe, run a command: `kms-tui --help` lists them.',
			);
		}
		const target = resolveTarget(flags, process.env, defaultSandboxDir());
		const [{runTui}, {buildSessionContext, resolveStackName}] = await Promise.all([
			importTui(),
			import('./session-context.js'),
		]);
		const stackName = await resolveStackName(flags.stackName, process.env, flags.envFile ?? '.env');
		await runTui(
			{
				open: async () => (await import('./session.js')).openSession(target),
				targetLine: describeTarget(target),
				targetKind: target.kind,
				// KMS_KEY_ID from the environment is its own source, not --key (session-context.ts).
				settings: buildSessionContext({
					target,
					stackName,
					envFile: flags.envFile,
					key: flags.key,
					readOnly: flags.readOnly,
					env: process.env,
					cwd: process.cwd(),
					defaultSandboxDir: defaultSandboxDir({...process.env, KMS_TUI_SANDBOX_DIR: undefined}),
				}),
			},
			// --no-color, like NO_COLOR, turns colour off; otherwise the environment decides.
			flags.noColor ? {isColor: false} : {},
		);
		return;
	}

	// `sandbox` runs the sandbox itself; every other command works on a target.
	const target =
		parsed.name === 'sandbox' ? undefined : resolveTarget(flags, process.env, defaultSandboxDir());
	let opened: Session | undefined;
	// Tells source/entry.ts that this run's code is worth a code cache (help, usage errors and
	// the TUI run next to none of the command bundle).
	(globalThis as {[key: symbol]: unknown})[Symbol.for('kms-tui.command-ran')] = true;
	try {
		await parsed.start({
			session: async () => {
				if (!target) throw new Error('kms-tui sandbox has no session');
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
		});
	} finally {
		await opened?.close();
	}
}

/** Failures by type; every class tested here lives in a small module with no dependencies. */
function report(error: unknown): number {
	const say = (text: string) => process.stderr.write(`kms-tui: ${terminalSafe(text)}\n`);
	if (error instanceof UsageError) {
		say(error.hint ? `${error.message}\n  → ${error.hint}` : error.message);
		return 2;
	}
	if (error instanceof ServiceError) {
		say(`${error.message}\n  → ${error.hint}`);
		// A value kms-tui itself rejected before calling AWS is a usage error.
		const isLocalValidation =
			error.code === undefined &&
			(error.kind === 'validation' || error.kind === 'invalid-alias-name');
		return isLocalValidation ? 2 : 1;
	}
	if (error instanceof QuietExit) return error.exitStatus;
	if (error instanceof CommandError) {
		say(error.message);
		return error.exitStatus;
	}
	if (
		error instanceof SandboxStateError ||
		error instanceof EnvelopeError ||
		error instanceof EnvFileError
	) {
		say(error.message);
		return 1;
	}
	process.stderr.write(
		`kms-tui: unexpected failure: ${terminalSafe((error as Error)?.stack ?? String(error))}\n`,
	);
	return 1;
}

main().catch((error: unknown) => {
	process.exitCode = report(error);
});
