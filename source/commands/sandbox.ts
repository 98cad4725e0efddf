/**
 * `kms-tui sandbox serve|status|reset|advance`: run and look after the embedded KMS +
 * CloudFormation sandbox so that other tools (the AWS CLI, other SDKs) can use it too.
 */
import {readFile, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {createInterface} from 'node:readline/promises';
import {isProcessAlive} from '../process-alive.js';
import {
	advanceSandboxClock,
	defaultStackStepMs,
	describeSandbox,
	isAwsRegion,
	SandboxStore,
	startSandbox,
} from '../sandbox/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import {CommandError, UsageError} from './command-error.js';
import {formatDuration, parseDuration} from './duration.js';

export type SandboxCommandOptions = {
	readonly sandboxDir: string;
	readonly port?: number;
	readonly region: string;
	readonly json: boolean;
	readonly yes: boolean;
	/** --read-only: the actions that change the sandbox (reset, advance) are refused. */
	readonly readOnly?: boolean;
	readonly stdout: NodeJS.WritableStream;
	readonly stderr: NodeJS.WritableStream;
};

type ServerRecord = {pid: number; endpoint: string; startedAt: string};

const serverFile = (dir: string) => path.join(dir, 'server.json');

export async function runSandboxCommand(
	args: readonly string[],
	options: SandboxCommandOptions,
): Promise<void> {
	const [action, ...rest] = args;
	if (options.readOnly && (action === 'reset' || action === 'advance')) {
		throw new UsageError(
			`\`sandbox ${action}\` changes the sandbox (${action === 'reset' ? 'it deletes every key, alias and stack' : 'keys past their deletion date are deleted, due rotations run'}), and --read-only forbids changes. Run it without --read-only.`,
		);
	}
	switch (action) {
		case 'serve': {
			await serve(options);
			return;
		}
		case 'status': {
			await status(options);
			return;
		}
		case 'reset': {
			await reset(options);
			return;
		}
		case 'advance': {
			if (rest.length !== 1 || !rest[0]) {
				throw new UsageError(
					'Say how far to move the sandbox clock, e.g. `kms-tui sandbox advance 7d`.',
				);
			}
			await advance(rest[0], options);
			return;
		}
		case undefined: {
			throw new UsageError(
				'Name a sandbox action: serve, status, reset or advance. See `kms-tui sandbox --help`.',
			);
		}
		default: {
			throw new UsageError(
				`Unknown sandbox action "${action}". Use serve, status, reset or advance.`,
			);
		}
	}
}

/** The port a server can listen on: 0 (pick a free one) to 65535; meow gives NaN for `abc`. */
function checkPort(port: number | undefined): void {
	if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
		throw new UsageError(
			`--port must be a whole number from 0 to 65535 (0 picks a free port); got ${Number.isNaN(port) ? 'a value that is not a number' : port}.`,
		);
	}
}

async function serve(options: SandboxCommandOptions): Promise<void> {
	checkPort(options.port);
	if (!isAwsRegion(options.region)) {
		throw new UsageError(
			`"${terminalSafeLine(options.region)}" is not an AWS region name; the sandbox serves real region names only, e.g. --region us-east-1 or --region eu-west-1.`,
		);
	}
	const stepEnv = process.env.KMS_TUI_SANDBOX_STEP_MS;
	const stackStepMs = stepEnv === undefined ? defaultStackStepMs : Number(stepEnv);
	let sandbox: Awaited<ReturnType<typeof startSandbox>>;
	try {
		sandbox = await startSandbox({
			dir: options.sandboxDir,
			port: options.port ?? 0,
			stackStepMs,
			defaultRegion: options.region,
		});
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE') {
			throw new CommandError(
				`Port ${options.port} on 127.0.0.1 is already in use. Stop whatever holds it, or pick another with --port (0 picks a free one).`,
			);
		}
		throw error;
	}
	try {
		const record: ServerRecord = {
			pid: process.pid,
			endpoint: sandbox.endpoint,
			startedAt: new Date().toISOString(),
		};
		await writeFile(serverFile(options.sandboxDir), `${JSON.stringify(record)}\n`, {mode: 0o600});

		if (options.json) {
			options.stdout.write(
				`${JSON.stringify({endpoint: sandbox.endpoint, region: options.region, sandboxDir: sandbox.store.dir, accessKeyId: 'sandbox', secretAccessKey: 'sandbox'})}\n`,
			);
		} else {
			const endpoint = sandbox.endpoint;
			options.stdout.write(
				[
					`kms-tui sandbox: local KMS and CloudFormation on ${endpoint}`,
					`  region       ${options.region} (any region works; each keeps its own keys and stacks)`,
					`  state        ${sandbox.store.dir}`,
					'  credentials  any non-empty values are accepted, e.g. sandbox / sandbox',
					'',
					'Use it from another terminal:',
					`  export AWS_ENDPOINT_URL=${endpoint} AWS_REGION=${options.region}`,
					'  export AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox',
					'  aws kms list-keys',
					`  kms-tui --endpoint-url ${endpoint} key`,
					'',
					'Press Ctrl-C to stop.',
					'',
				].join('\n'),
			);
		}

		await new Promise<void>((resolve) => {
			const stop = () => {
				process.off('SIGINT', stop);
				process.off('SIGTERM', stop);
				resolve();
			};
			process.on('SIGINT', stop);
			process.on('SIGTERM', stop);
		});
	} finally {
		await sandbox.close();
		await removeServerRecordIfOurs(options.sandboxDir);
	}
	if (!options.json) options.stderr.write('kms-tui sandbox: stopped; state kept.\n');
}

async function removeServerRecordIfOurs(dir: string): Promise<void> {
	const record = await readServerRecord(dir);
	if (record?.pid === process.pid) await rm(serverFile(dir), {force: true});
}

async function readServerRecord(dir: string): Promise<ServerRecord | undefined> {
	try {
		return JSON.parse(await readFile(serverFile(dir), 'utf8')) as ServerRecord;
	} catch {
		return undefined;
	}
}

function formatBytes(bytes: number): string {
	return bytes < 1024 * 1024
		? `${(bytes / 1024).toFixed(1)} KiB`
		: `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function status(options: SandboxCommandOptions): Promise<void> {
	const store = new SandboxStore(options.sandboxDir);
	const summary = describeSandbox(await store.describe());
	const record = await readServerRecord(store.dir);
	const serving = record && isProcessAlive(record.pid) ? record.endpoint : undefined;
	if (options.json) {
		options.stdout.write(
			`${JSON.stringify({sandboxDir: store.dir, serving: serving ?? null, clock: summary.clock.toISOString(), clockOffsetMs: summary.clockOffsetMs, events: summary.events, bytesOnDisk: summary.bytesOnDisk, regions: summary.regions})}\n`,
		);
		return;
	}
	const lines = [
		`sandbox dir  ${store.dir}`,
		`serving      ${serving ?? 'no (start one with `kms-tui sandbox serve`)'}`,
		`clock        ${summary.clock.toISOString()}${summary.clockOffsetMs > 0 ? ` (real time + ${formatDuration(summary.clockOffsetMs)})` : ' (real time)'}`,
		`store        ${formatBytes(summary.bytesOnDisk)} on disk, ${summary.events} event(s)`,
	];
	if (summary.regions.length === 0) {
		lines.push('contents     empty: no keys, no stacks');
	}
	for (const region of summary.regions) {
		lines.push(
			`${region.region.padEnd(12)} ${region.keys} key(s)${region.pendingDeletion > 0 ? ` (${region.pendingDeletion} pending deletion)` : ''}, ${region.aliases} alias(es), ${region.stacks} stack(s), ${region.events} event(s)`,
		);
	}
	options.stdout.write(`${lines.join('\n')}\n`);
}

async function reset(options: SandboxCommandOptions): Promise<void> {
	const store = new SandboxStore(options.sandboxDir);
	if (!options.yes) {
		if (!process.stdin.isTTY) {
			throw new UsageError(
				'`sandbox reset` deletes every sandbox key, alias and stack. Add --yes to confirm when not at a terminal.',
			);
		}
		const prompt = createInterface({input: process.stdin, output: options.stderr});
		const answer = await prompt.question(
			`This deletes every key, alias and stack in ${store.dir}; data encrypted under those keys becomes unreadable.\nType "reset" to confirm: `,
		);
		prompt.close();
		if (answer.trim() !== 'reset')
			throw new CommandError('Not confirmed; the sandbox was left as it was.');
	}
	await store.reset();
	options.stdout.write(
		options.json
			? `${JSON.stringify({reset: true, sandboxDir: store.dir, backup: `${store.file}.bak`})}\n`
			: `Sandbox reset: ${store.dir} is empty. The previous state is kept as ${store.file}.bak until the next reset.\n`,
	);
}

async function advance(duration: string, options: SandboxCommandOptions): Promise<void> {
	const ms = parseDuration(duration);
	const store = new SandboxStore(options.sandboxDir);
	let result: Awaited<ReturnType<typeof advanceSandboxClock>>;
	try {
		result = await advanceSandboxClock(store, ms);
	} catch (error) {
		// Too far is a usage error: the duration on the command line is what is wrong.
		if ((error as Error).name === 'SandboxClockRangeError') {
			throw new UsageError(
				`Cannot advance by ${terminalSafeLine(duration)}: ${(error as Error).message}`,
			);
		}
		throw error;
	}
	const clock = new Date(result.now).toISOString();
	if (options.json) {
		options.stdout.write(
			`${JSON.stringify({advancedMs: ms, clock, deletedKeys: result.deletedKeys, automaticRotations: result.rotations})}\n`,
		);
		return;
	}
	options.stdout.write(
		`Sandbox clock moved forward ${formatDuration(ms)}; it now reads ${clock}.\n` +
			`${result.deletedKeys} key(s) reached their deletion date and are gone; ${result.rotations} automatic rotation(s) ran.\n`,
	);
}
