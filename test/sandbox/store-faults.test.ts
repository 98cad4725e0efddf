/**
 * The sandbox store under faults: a lock holder killed with SIGKILL, a live holder, a full
 * disk. Each asserts what the user is told and what is left in the directory afterwards.
 */
import {type ChildProcess, spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, ListKeysCommand} from '@aws-sdk/client-kms';
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SandboxStateError, SandboxStore} from '../../source/sandbox/store.js';
import {startTestSandbox} from '../helpers/sandbox.js';

const holderScript = path.resolve('test/fixtures/hold-store-lock.mjs');

/** A child process holding the lock of `dir`, resolved once it says it holds it. */
async function holdLock(dir: string): Promise<ChildProcess> {
	const child = spawn(process.execPath, [holderScript, dir], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	await new Promise<void>((resolve, reject) => {
		child.stdout?.on('data', (chunk: Buffer) => {
			if (chunk.toString().includes('locked')) resolve();
		});
		child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
	});
	return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill(signal);
	await exited;
}

describe('the state lock', () => {
	let dir: string;
	const children: ChildProcess[] = [];
	beforeEach(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-lock-'));
	});
	afterEach(async () => {
		for (const child of children.splice(0))
			if (child.exitCode === null && child.signalCode === null) await kill(child, 'SIGKILL');
		await rm(dir, {recursive: true, force: true});
	});

	it('is taken over at once from a holder killed with SIGKILL, which the next command says', async () => {
		const holder = await holdLock(dir);
		children.push(holder);
		// A temporary state copy that a writer killed mid-save would leave.
		const leftover = path.join(dir, `state.json.${holder.pid}.0badf00d.tmp`);
		await writeFile(leftover, '{"half": ');
		await kill(holder, 'SIGKILL');

		const notices: string[] = [];
		const store = new SandboxStore(dir, {notice: (message) => notices.push(message)});
		// Before: proper-lockfile waited ~10 s for the lock's mtime to age, saying nothing.
		await store.transact((state) => {
			state.clockOffsetMs = 42;
		});
		expect(notices).toEqual([
			expect.stringMatching(
				new RegExp(
					`^took over the sandbox lock of process ${holder.pid} \\(holding it since .+\\): that process is no longer running\\.$`,
				),
			),
		]);
		expect((await store.read()).clockOffsetMs).toBe(42);
		expect((await readdir(dir)).sort()).toEqual(['state.journal', 'state.snapshot']);
	});

	it('removes the private lock file of a process killed between two rounds, and keeps a live one', async () => {
		// A store keeps its private lock file (state.lock.PID.TOKEN) while transactions keep coming;
		// killed between two rounds, it holds no lock for anyone to take over, but leaves that file.
		const gone = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'});
		const goneExit = new Promise((resolve) => gone.once('exit', resolve));
		await goneExit;
		const live = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 60_000)'], {
			stdio: 'ignore',
		});
		children.push(live);
		await new Promise((resolve) => live.once('spawn', resolve));
		const line = (pid: number) =>
			`${JSON.stringify({pid, host: 'here', token: 'a'.repeat(24), since: new Date().toISOString()})}\n`;
		const deadFile = `state.lock.${gone.pid}.${'a'.repeat(24)}`;
		const liveFile = `state.lock.${live.pid}.${'b'.repeat(24)}`;
		await writeFile(path.join(dir, deadFile), line(gone.pid as number));
		await writeFile(path.join(dir, liveFile), line(live.pid as number));
		await new SandboxStore(dir).transact((state) => {
			state.clockOffsetMs = 1;
		});
		expect((await readdir(dir)).sort()).toEqual(['state.journal', liveFile, 'state.snapshot']);
	});

	it('waits for a live holder, says so once and who it is, and goes on once the holder is gone', async () => {
		const holder = await holdLock(dir);
		children.push(holder);
		const notices: string[] = [];
		let sawWaiting: () => void = () => undefined;
		const waiting = new Promise<void>((resolve) => {
			sawWaiting = resolve;
		});
		const store = new SandboxStore(dir, {
			notice: (message) => {
				notices.push(message);
				if (message.startsWith('waiting')) sawWaiting();
			},
		});
		const done = store.transact((state) => {
			state.clockOffsetMs = 7;
		});
		await waiting;
		expect(notices).toEqual([
			expect.stringMatching(
				new RegExp(
					`^waiting for the sandbox lock: process ${holder.pid} \\(holding it since .+\\) is using the sandbox state\\.$`,
				),
			),
		]);
		await kill(holder, 'SIGTERM');
		await done;
		expect(notices).toHaveLength(2);
		expect(notices[1]).toContain(`took over the sandbox lock of process ${holder.pid}`);
		expect((await store.read()).clockOffsetMs).toBe(7);
	});

	it('gives up on a live holder after the timeout with a message that names it', async () => {
		const holder = await holdLock(dir);
		children.push(holder);
		const store = new SandboxStore(dir, {timeoutMs: 100, notice: () => undefined});
		const failure = store.transact(() => undefined);
		await expect(failure).rejects.toBeInstanceOf(SandboxStateError);
		await expect(failure).rejects.toThrow(
			new RegExp(`still locked by process ${holder.pid} .* If that process is stuck, stop it`),
		);
	});
});

// A small tmpfs makes the disk really fill up; it needs root (CI runs as root).
const mountPoint = mkdtempSync(path.join(tmpdir(), 'kms-tui-full-'));
const mounted =
	process.getuid?.() === 0 &&
	spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]).status === 0;
if (!mounted) {
	console.warn('[store-faults] full-disk test skipped: mounting a tmpfs needs root');
	rmSync(mountPoint, {recursive: true, force: true});
}

describe.runIf(mounted)('a full disk', () => {
	afterAll(() => {
		spawnSync('umount', [mountPoint]);
		rmSync(mountPoint, {recursive: true, force: true});
	});

	it('fails the request clearly, leaves the journal as it was and no temporary file, through every SDK retry', async () => {
		const dir = path.join(mountPoint, 'state');
		const sandbox = await startTestSandbox({dir});
		try {
			const kms = sandbox.kms();
			for (let index = 0; index < 16; index++) await kms.send(new CreateKeyCommand({}));
			const journal = path.join(dir, 'state.journal');
			const before = await readFile(journal);
			const reserve = path.join(mountPoint, 'reserve');
			await writeFile(reserve, Buffer.alloc(4 * 1024));
			await writeFile(path.join(mountPoint, 'filler'), Buffer.alloc(512 * 1024)).catch(
				(error: NodeJS.ErrnoException) => {
					if (error.code !== 'ENOSPC') throw error;
				},
			);
			await rm(reserve);
			// A record larger than the free pages (the lock file takes the last one).
			const failure = kms.send(new CreateKeyCommand({Description: 'd'.repeat(8192)}));
			await expect(failure).rejects.toMatchObject({
				name: 'KMSInternalException',
				message: expect.stringContaining('is full'),
				$metadata: {attempts: 3},
			});
			// The requests before were recorded as events, in their own file.
			expect((await readdir(dir)).sort()).toEqual([
				'events.journal',
				'state.journal',
				'state.snapshot',
			]);
			expect((await readFile(journal)).equals(before)).toBe(true);
			const listed = await kms.send(new ListKeysCommand({}));
			expect(listed.Keys).toHaveLength(16);
		} finally {
			await sandbox.close();
		}
	});
});
