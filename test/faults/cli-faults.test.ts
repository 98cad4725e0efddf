/**
 * Fault injection through the built CLI (issue 10, docs/guarantees.md): a full disk, a closed
 * pipe, SIGINT/SIGTERM at several points, a writer killed with SIGKILL and the run after it, for
 * file jobs and streams in both directions. Each case checks the exit status, that the message is
 * one clean line (no stack trace, no "unexpected failure"), and what is left in the directory.
 *
 * Every signal is sent on an observable event — the temp file appeared (inotify through
 * fs.watch), or the child had read N bytes of the pipe we feed — never after a sleep.
 */
import {type ChildProcess, spawn, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {createReadStream, type FSWatcher, watch} from 'node:fs';
import {
	mkdir,
	mkdtemp,
	open,
	readdir,
	readFile,
	rm,
	stat,
	truncate,
	writeFile,
} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';

let work: string;
let env: NodeJS.ProcessEnv;
const target = () => ['--sandbox', '--sandbox-dir', path.join(work, 'sandbox')];
const kms = (...args: string[]) => runCli([...target(), ...args], {env, cwd: work});

/** 8 MiB of random data and its envelope (streams); a 256 MiB sparse file for file jobs. */
const BIG_BYTES = 8 * 1024 * 1024;
const SPARSE_BYTES = 256 * 1024 * 1024;
let big: Buffer;

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-faults-'));
	env = cleanEnv(work);
	const deployed = await kms('deploy', '--yes', '--param', 'AliasName=alias/faults');
	expect(deployed.code, deployed.stderr).toBe(0);
	expect((await kms('outputs', '--write-env')).code).toBe(0);
	big = randomBytes(BIG_BYTES);
	await writeFile(path.join(work, 'big'), big);
	expect((await kms('encrypt', 'big')).code).toBe(0);
	await writeFile(path.join(work, 'sparse'), '');
	await truncate(path.join(work, 'sparse'), SPARSE_BYTES);
	expect((await kms('encrypt', 'sparse')).code).toBe(0);
}, 120_000);

afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

type Exit = {code: number | null; signal: NodeJS.Signals | null; stderr: string};

/** Starts the built CLI in `cwd`; stdin/stdout are pipes unless a descriptor is given. */
function start(
	args: readonly string[],
	options: {cwd?: string; stdin?: number; stdout?: number} = {},
): {child: ChildProcess; exited: Promise<Exit>} {
	const child = spawn(cliNode, [cliPath, ...target(), ...args], {
		cwd: options.cwd ?? work,
		env,
		stdio: [options.stdin ?? 'pipe', options.stdout ?? 'pipe', 'pipe'],
	});
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const exited = new Promise<Exit>((resolve) =>
		child.once('close', (code, signal) => resolve({code, signal, stderr})),
	);
	return {child, exited};
}

/** What kms-tui said, without the target line every command starts with. */
function said(stderr: string): string[] {
	return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('target: '));
}

/** Exactly one clean `kms-tui: …` line that contains `expected`. */
function expectOneCleanLine(stderr: string, expected: string | RegExp): void {
	const lines = said(stderr);
	expect(lines, stderr).toHaveLength(1);
	expect(lines[0]).toMatch(/^kms-tui: /);
	expect(lines[0]).toMatch(expected);
	expect(stderr).not.toContain('unexpected failure');
	expect(stderr).not.toMatch(/\n\s+at /);
}

const isTemp = (name: string) => /\.kms-tui-.*\.tmp$/.test(name);

/**
 * Starts `args` with `dir` watched (inotify, no polling) and resolves once the first temp file
 * appeared there; fails with the child's stderr if it exits first.
 */
async function startUntilTemp(
	dir: string,
	args: readonly string[],
): Promise<{child: ChildProcess; exited: Promise<Exit>}> {
	let watcher: FSWatcher | undefined;
	const appeared = new Promise<void>((resolve) => {
		watcher = watch(dir, (_event, name) => {
			if (name && isTemp(name)) resolve();
		});
	});
	const started = start(args);
	try {
		await Promise.race([
			appeared,
			started.exited.then((exit) => {
				throw new Error(`exited (${exit.code}) before a temp file appeared: ${exit.stderr}`);
			}),
		]);
	} finally {
		watcher?.close();
	}
	return started;
}

/** A fresh directory for one case's outputs. */
async function scratch(name: string): Promise<string> {
	const dir = path.join(work, name);
	await mkdir(dir);
	return dir;
}

/**
 * Feeds `bytes` into the child's stdin and resolves once the child has read at least `until`
 * bytes of it: a pipe write completes only when the pipe (64 KiB) has room, so once `until` +
 * 64 KiB were accepted, `until` were read. Leaves stdin open: the child keeps waiting for more.
 */
async function feed(child: ChildProcess, bytes: Buffer, until: number): Promise<void> {
	const stdin = child.stdin;
	if (!stdin) throw new Error('no stdin pipe');
	stdin.on('error', () => {}); // The child may be gone before we close it.
	const pipeBuffer = 64 * 1024;
	const end = Math.min(bytes.length, until + pipeBuffer);
	await new Promise<void>((resolve, reject) =>
		stdin.write(bytes.subarray(0, end), (error) => (error ? reject(error) : resolve())),
	);
}

const signalStatus = {SIGINT: 130, SIGTERM: 143} as const;

describe('a full disk', () => {
	let small: string | undefined;
	let skipped = '';
	beforeAll(async () => {
		if (process.getuid?.() !== 0) {
			skipped = 'not root';
			return;
		}
		const dir = await scratch('small-fs');
		const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
		if (mounted.status === 0) small = dir;
		else skipped = `mount failed: ${mounted.stderr.toString().trim()}`;
	});
	afterAll(() => {
		if (small) spawnSync('umount', [small]);
	});

	const cases = [
		{name: 'encrypt file job', args: (o: string) => ['encrypt', 'big', '-o', o]},
		{name: 'decrypt file job', args: (o: string) => ['decrypt', 'big.kms', '-o', o]},
		{name: 'encrypt stream', args: (o: string) => ['encrypt', '-', '-o', o], stdin: 'big'},
		{name: 'decrypt stream', args: (o: string) => ['decrypt', '-', '-o', o], stdin: 'big.kms'},
	];
	test.each(cases)('$name into a 1 MiB tmpfs: one message, exit 1, nothing left', async (spec) => {
		if (!small) {
			console.warn(`[faults] tmpfs case skipped (${skipped}); /dev/full cases still run`);
			return;
		}
		const input = spec.stdin ? await open(path.join(work, spec.stdin), 'r') : undefined;
		try {
			const {exited} = start(spec.args(path.join(small, 'out')), {stdin: input?.fd});
			const result = await exited;
			expect(result.code).toBe(1);
			expectOneCleanLine(result.stderr, 'no space left on the device');
			expect(await readdir(small)).toEqual([]);
		} finally {
			await input?.close();
		}
	});

	test.each([
		{name: 'decrypt to /dev/full', args: ['decrypt', 'big.kms', '-o', '/dev/full']},
		{name: 'encrypt to /dev/full', args: ['encrypt', 'big', '-o', '/dev/full']},
		{name: 'decrypt to a stdout that is /dev/full', args: ['decrypt', 'big.kms', '-o', '-']},
		{name: 'encrypt to a stdout that is /dev/full', args: ['encrypt', '-'], stdin: 'big'},
	])('$name: one message, exit 1', async (spec: {args: string[]; stdin?: string}) => {
		const full = await open('/dev/full', 'w');
		const input = spec.stdin ? await open(path.join(work, spec.stdin), 'r') : undefined;
		const before = await readdir(work);
		try {
			const {exited} = start(spec.args, {stdout: full.fd, stdin: input?.fd});
			const result = await exited;
			expect(result.code).toBe(1);
			expectOneCleanLine(result.stderr, 'no space left on the device');
			expect(await readdir(work)).toEqual(before);
		} finally {
			await full.close();
			await input?.close();
		}
	});
});

describe('a closed pipe', () => {
	test.each([
		{name: 'decrypt f.kms -o - | head -c 10', args: ['decrypt', 'big.kms', '-o', '-']},
		{name: 'encrypt - < f | head -c 10', args: ['encrypt', '-'], stdin: 'big'},
		{name: 'decrypt - < f.kms | head -c 10', args: ['decrypt', '-'], stdin: 'big.kms'},
	])(
		'$name: quiet, exit 141 (as if killed by SIGPIPE)',
		async (spec: {args: string[]; stdin?: string}) => {
			const input = spec.stdin ? await open(path.join(work, spec.stdin), 'r') : undefined;
			const before = await readdir(work);
			try {
				const {child, exited} = start(spec.args, {stdin: input?.fd});
				// Read the first bytes, then close the read end, as `head -c 10` does.
				child.stdout?.once('data', () => child.stdout?.destroy());
				const result = await exited;
				expect(result.code).toBe(141);
				expect(said(result.stderr)).toEqual([]);
				expect(await readdir(work)).toEqual(before);
			} finally {
				await input?.close();
			}
		},
	);
});

test('a FIFO named with -o whose reader closes early: quiet, exit 141, the FIFO stays a FIFO', async () => {
	const dir = await scratch('fifo');
	const fifo = path.join(dir, 'pipe');
	expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
	const reader = createReadStream(fifo);
	reader.once('data', () => reader.destroy());
	const {exited} = start(['decrypt', 'big.kms', '-o', fifo]);
	const result = await exited;
	expect(result.code).toBe(141);
	expect(said(result.stderr)).toEqual([]);
	expect(await readdir(dir)).toEqual(['pipe']);
	expect((await stat(fifo)).isFIFO()).toBe(true);
});

test('encrypt f | true: the envelope is written; its name finds no reader: quiet, exit 141', async () => {
	const dir = await scratch('closed-before-name');
	const {child, exited} = start(['encrypt', 'big', '-o', path.join(dir, 'big.kms')]);
	child.stdout?.destroy(); // `true` exits at once.
	const result = await exited;
	expect(result.code).toBe(141);
	expect(said(result.stderr)).toEqual([]);
	expect(await readdir(dir)).toEqual(['big.kms']);
});

describe('SIGINT and SIGTERM', () => {
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		test(`${signal} during an encrypt file job: exit ${signalStatus[signal]}, temp file removed`, async () => {
			const dir = await scratch(`job-enc-${signal}`);
			const {child, exited} = await startUntilTemp(dir, [
				'encrypt',
				path.join(work, 'sparse'),
				'-o',
				dir,
			]);
			child.kill(signal);
			const result = await exited;
			expect(result.code).toBe(signalStatus[signal]);
			expectOneCleanLine(result.stderr, 'cancelled');
			expect(await readdir(dir)).toEqual([]);
		});

		test(`${signal} during a decrypt file job: exit ${signalStatus[signal]}, no plaintext left`, async () => {
			const dir = await scratch(`job-dec-${signal}`);
			const {child, exited} = await startUntilTemp(dir, [
				'decrypt',
				path.join(work, 'sparse.kms'),
				'-o',
				dir,
			]);
			child.kill(signal);
			const result = await exited;
			expect(result.code).toBe(signalStatus[signal]);
			expectOneCleanLine(result.stderr, 'cancelled');
			expect(await readdir(dir)).toEqual([]);
		});

		test(`${signal} during encrypt /dev/zero -o FILE: temp file removed`, async () => {
			const dir = await scratch(`zero-${signal}`);
			const {child, exited} = await startUntilTemp(dir, [
				'encrypt',
				'/dev/zero',
				'-o',
				path.join(dir, 'zero.kms'),
			]);
			child.kill(signal);
			const result = await exited;
			expect(result.code).toBe(signalStatus[signal]);
			expectOneCleanLine(result.stderr, 'cancelled');
			expect(await readdir(dir)).toEqual([]);
		});

		test(`${signal} after 2 MiB of a stdin stream, both directions: temp file removed`, async () => {
			const envelope = await readFile(path.join(work, 'big.kms'));
			for (const [command, bytes] of [
				['encrypt', big],
				['decrypt', envelope],
			] as const) {
				const dir = await scratch(`stream-${command}-${signal}`);
				const {child, exited} = start([command, '-', '-o', path.join(dir, 'out')]);
				await feed(child, bytes, 2 * 1024 * 1024);
				child.kill(signal);
				const result = await exited;
				expect(result.code).toBe(signalStatus[signal]);
				expectOneCleanLine(result.stderr, 'cancelled');
				expect(await readdir(dir)).toEqual([]);
			}
		});
	}

	test('SIGINT while decrypting a stdin stream to stdout: exit 130, one line', async () => {
		const envelope = await readFile(path.join(work, 'big.kms'));
		const before = await readdir(work);
		const {child, exited} = start(['decrypt', '-']);
		child.stdout?.resume();
		await feed(child, envelope, 2 * 1024 * 1024);
		child.kill('SIGINT');
		const result = await exited;
		expect(result.code).toBe(130);
		expectOneCleanLine(result.stderr, 'cancelled');
		expect(await readdir(work)).toEqual(before);
	});
});

describe('a writer killed with SIGKILL', () => {
	for (const command of ['encrypt', 'decrypt'] as const) {
		test(`${command}: the next run for the same output removes the temp file and says so`, async () => {
			const dir = await scratch(`killed-${command}`);
			const bytes = command === 'encrypt' ? big : await readFile(path.join(work, 'big.kms'));
			const output = path.join(dir, 'out');
			const {child, exited} = start([command, '-', '-o', output]);
			await feed(child, bytes, 2 * 1024 * 1024);
			child.kill('SIGKILL');
			expect((await exited).signal).toBe('SIGKILL');
			const left = await readdir(dir);
			expect(left).toHaveLength(1);
			expect(isTemp(left[0] as string)).toBe(true);

			const input = command === 'encrypt' ? 'big' : 'big.kms';
			const rerun = await kms(command, input, '-o', output);
			expect(rerun.code, rerun.stderr).toBe(0);
			expectOneCleanLine(rerun.stderr, `removed ${path.join(dir, left[0] as string)}`);
			expect(said(rerun.stderr)[0]).toContain('killed');
			expect(await readdir(dir)).toEqual(['out']);
		});
	}
});

describe('inputs that are the output', () => {
	test('decrypt - -o f.kms --force < f.kms is refused; f.kms is intact', async () => {
		const dir = await scratch('same-stdin');
		const envelope = path.join(dir, 'f.kms');
		await writeFile(envelope, await readFile(path.join(work, 'big.kms')));
		const input = await open(envelope, 'r');
		try {
			const {exited} = start(['decrypt', '-', '-o', envelope, '--force'], {stdin: input.fd});
			const result = await exited;
			expect(result.code).toBe(1);
			expectOneCleanLine(result.stderr, 'this is the input file');
		} finally {
			await input.close();
		}
		expect((await readFile(envelope)).equals(await readFile(path.join(work, 'big.kms')))).toBe(
			true,
		);
		expect(await readdir(dir)).toEqual(['f.kms']);
	});
});

/** Runs a shell command line in a pseudo-terminal (util-linux `script`); undefined without it. */
function inTerminal(command: string): {status: number | null; output: string} | undefined {
	if (spawnSync('script', ['--version']).status !== 0) return undefined;
	const run = spawnSync('script', ['-qefc', command, '/dev/null'], {
		cwd: work,
		env,
		maxBuffer: 256 * 1024 * 1024,
	});
	return {status: run.status, output: run.stdout.toString()};
}

describe('a terminal', () => {
	const cli = () => `${JSON.stringify(cliNode)} ${JSON.stringify(cliPath)} ${target().join(' ')}`;

	test('encrypt to a terminal is refused with exit 2 before KMS; nothing is written', () => {
		const run = inTerminal(`${cli()} encrypt big -o -`);
		if (!run) return console.warn('[faults] terminal case skipped: no `script`');
		expect(run.status).toBe(2);
		expect(run.output).toContain('refusing to write binary to a terminal');
		expect(run.output).not.toContain('kms-tui-envelope');
		// The terminal named as a device is a terminal too.
		const device = inTerminal(`${cli()} encrypt big -o /dev/tty`);
		expect(device?.status).toBe(2);
		expect(device?.output).toContain('/dev/tty is a terminal');
		expect(device?.output).not.toContain('kms-tui-envelope');
	});

	test('binary plaintext to a terminal is refused; with --force no progress bar runs into it', () => {
		const refused = inTerminal(`${cli()} decrypt big.kms -o -`);
		if (!refused) return console.warn('[faults] terminal case skipped: no `script`');
		expect(refused.status).toBe(2);
		expect(refused.output).toContain('refusing to write binary to a terminal');
		const forced = inTerminal(`${cli()} decrypt big.kms -o - --force`);
		expect(forced?.status).toBe(0);
		// A terminal's line discipline rewrites bytes on the way: only roughly all of it shows.
		expect(forced?.output.length).toBeGreaterThan(BIG_BYTES / 2);
		expect(forced?.output).not.toContain('decrypting');
	});
});
