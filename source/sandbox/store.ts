/**
 * Persistent sandbox state: one JSON document in the data directory, changed only inside
 * `transact()`, which holds an in-process queue and a cross-process lock file while it reads,
 * changes and atomically replaces the document. A TUI, a CLI and `sandbox serve` can share one
 * directory without losing an update.
 */
import {randomBytes} from 'node:crypto';
import {type FileHandle, open, readdir, readFile, rename, rm} from 'node:fs/promises';
import path from 'node:path';
import {emptyCfnState} from './cfn/index.js';
import {ownEntry, type RegionState, type SandboxState} from './context.js';
import {emptyKmsState} from './kms/index.js';
import {ensureSandboxDir, sandboxDirError} from './sandbox-dir.js';
import {SandboxStateError} from './state-error.js';
import {acquireStateLock, type HeldLock, type LockOptions} from './state-lock.js';

export {defaultSandboxDir} from './paths.js';

export const stateFileName = 'state.json';

export {SandboxStateError};

/**
 * How far `sandbox advance` may move the clock: 100 years (36525 days). Far enough for any
 * waiting period or rotation schedule (at most 2560 days), near enough that every date stays a
 * valid Date and the automatic rotations that fall due stay a few hundred per key.
 */
export const maxClockOffsetMs = 36_525 * 24 * 60 * 60 * 1000;

export function emptySandboxState(): SandboxState {
	return {format: 'kms-tui-sandbox', version: 1, clockOffsetMs: 0, regions: {}};
}

export function regionState(state: SandboxState, region: string): RegionState {
	let existing = ownEntry(state.regions, region);
	if (!existing) {
		existing = {kms: emptyKmsState(), cfn: emptyCfnState()};
		state.regions[region] = existing;
	}
	return existing;
}

/** The sandbox clock: real time moved forward by whatever `sandbox advance` added. */
export function sandboxNow(state: SandboxState): number {
	return Date.now() + state.clockOffsetMs;
}

export class SandboxStore {
	readonly dir: string;
	readonly file: string;
	private queue: Promise<unknown> = Promise.resolve();

	private readonly lockOptions: LockOptions;

	constructor(dir: string, lockOptions: LockOptions = {}) {
		this.lockOptions = lockOptions;
		this.dir = path.resolve(dir);
		this.file = path.join(this.dir, stateFileName);
	}

	/** A snapshot for display. Safe without the lock because writers replace the file atomically. */
	async read(): Promise<SandboxState> {
		return this.load();
	}

	/**
	 * Runs `change` on the current state and saves what it leaves, as one step that no other
	 * process or request interleaves with. If `change` throws, nothing is written.
	 */
	transact<T>(change: (state: SandboxState) => T | Promise<T>): Promise<T> {
		const run = this.queue.then(async () => this.locked(change));
		// The queue must survive a failed transaction; the caller still sees the failure.
		this.queue = run.catch(() => undefined);
		return run;
	}

	/** Deletes the state (keeping the last file as state.json.bak), even when it is unreadable. */
	async reset(): Promise<void> {
		await this.transactRaw(async () => {
			await rename(this.file, `${this.file}.bak`).catch((error: NodeJS.ErrnoException) => {
				if (error.code !== 'ENOENT') throw error;
			});
		});
	}

	private async locked<T>(change: (state: SandboxState) => T | Promise<T>): Promise<T> {
		return this.transactRaw(async () => {
			const state = await this.load();
			const before = JSON.stringify(state);
			const result = await change(state);
			const after = JSON.stringify(state);
			if (after !== before) await this.save(after);
			return result;
		});
	}

	/**
	 * The directory is made (or checked) once per store, not per transaction: a mkdir and a stat on
	 * every request were ~1 ms each on a quiet disk and tens of ms on a busy one. If it disappears
	 * later (removed by hand), taking the lock fails with ENOENT and it is made again.
	 */
	private dirReady: Promise<void> | undefined;
	ensureDir(): Promise<void> {
		this.dirReady ??= ensureSandboxDir(this.dir).catch((error: unknown) => {
			this.dirReady = undefined;
			throw error;
		});
		return this.dirReady;
	}

	private async takeLock(): Promise<HeldLock> {
		const lockFile = path.join(this.dir, 'state.lock');
		await this.ensureDir();
		try {
			return await acquireStateLock(lockFile, this.lockOptions);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
				throw sandboxDirError(this.dir, error);
		}
		this.dirReady = undefined;
		await this.ensureDir();
		try {
			return await acquireStateLock(lockFile, this.lockOptions);
		} catch (error) {
			throw sandboxDirError(this.dir, error);
		}
	}

	private async transactRaw<T>(work: () => Promise<T>): Promise<T> {
		const lock = await this.takeLock();
		try {
			if (lock.tookOverFrom.length > 0) await this.removeLeftovers(lock.tookOverFrom);
			return await work();
		} finally {
			await lock.release();
		}
	}

	/** A killed writer may have left its temporary copy of the state: it is never renamed now. */
	private async removeLeftovers(pids: readonly number[]): Promise<void> {
		const prefixes = pids.map((pid) => `${stateFileName}.${pid}.`);
		for (const name of await readdir(this.dir)) {
			if (name.endsWith('.tmp') && prefixes.some((prefix) => name.startsWith(prefix))) {
				await rm(path.join(this.dir, name), {force: true});
			}
		}
	}

	private async load(): Promise<SandboxState> {
		let text: string;
		try {
			text = await readFile(this.file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptySandboxState();
			throw sandboxDirError(this.dir, error);
		}
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch (error) {
			throw new SandboxStateError(
				`The sandbox state file ${this.file} is not valid JSON (${(error as Error).message}). ` +
					'Nothing was changed. Move the file away to keep it, or run `kms-tui sandbox reset` to start an empty sandbox.',
			);
		}
		if (!isSandboxState(parsed)) {
			throw new SandboxStateError(
				`The file ${this.file} is not kms-tui sandbox state (no "format": "kms-tui-sandbox", version 1). ` +
					'Nothing was changed. Point --sandbox-dir elsewhere, or run `kms-tui sandbox reset` to start an empty sandbox.',
			);
		}
		const offset = parsed.clockOffsetMs;
		if (!(Number.isFinite(offset) && Math.abs(offset) <= maxClockOffsetMs)) {
			// Older builds saved any `sandbox advance`; such a clock is not a valid date.
			throw new SandboxStateError(
				`The sandbox clock in ${this.file} is ${offset} ms off real time, beyond the 100-year maximum. ` +
					'Nothing was changed. Set "clockOffsetMs" to 0 in that file to keep the keys and stacks, or run `kms-tui sandbox reset` to start an empty sandbox.',
			);
		}
		return parsed;
	}

	private async save(text: string): Promise<void> {
		const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
		let handle: FileHandle;
		try {
			// The state holds sandbox key material: owner-only, like ~/.aws/credentials.
			handle = await open(temporary, 'wx', 0o600);
		} catch (error) {
			throw sandboxDirError(this.dir, error);
		}
		try {
			try {
				await handle.writeFile(text);
				await handle.sync();
			} finally {
				await handle.close();
			}
			await rename(temporary, this.file);
		} catch (error) {
			// A full disk fails the write: the half-written copy must not stay behind.
			await rm(temporary, {force: true});
			throw sandboxDirError(this.dir, error);
		}
	}
}

function isSandboxState(value: unknown): value is SandboxState {
	if (typeof value !== 'object' || value === null) return false;
	const candidate = value as Partial<SandboxState>;
	return (
		candidate.format === 'kms-tui-sandbox' &&
		candidate.version === 1 &&
		typeof candidate.clockOffsetMs === 'number' &&
		typeof candidate.regions === 'object' &&
		candidate.regions !== null
	);
}
