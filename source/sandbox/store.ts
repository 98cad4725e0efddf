/**
 * Persistent sandbox state: one JSON document in the data directory, changed only inside
 * `transact()`, which holds an in-process queue and a cross-process lock file while it reads,
 * changes and atomically replaces the document. A TUI, a CLI and `sandbox serve` can share one
 * directory without losing an update.
 */
import {randomBytes} from 'node:crypto';
import {mkdir, open, readFile, rename, rm} from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import {emptyCfnState} from './cfn/index.js';
import type {RegionState, SandboxState} from './context.js';
import {emptyKmsState} from './kms/index.js';

export {defaultSandboxDir} from './paths.js';

export const stateFileName = 'state.json';

/** Raised when the state file exists but is not sandbox state. Never answered by a silent reset. */
export class SandboxStateError extends Error {
	override name = 'SandboxStateError';
}

export function emptySandboxState(): SandboxState {
	return {format: 'kms-tui-sandbox', version: 1, clockOffsetMs: 0, regions: {}};
}

export function regionState(state: SandboxState, region: string): RegionState {
	let existing = state.regions[region];
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

	constructor(dir: string) {
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

	private async transactRaw<T>(work: () => Promise<T>): Promise<T> {
		await mkdir(this.dir, {recursive: true, mode: 0o700});
		const release = await lockfile.lock(this.file, {
			realpath: false,
			lockfilePath: path.join(this.dir, 'state.lock'),
			// Up to ~10 s of waiting in total: enough for hundreds of queued writers on a slow disk.
			retries: {retries: 400, factor: 1.1, minTimeout: 2, maxTimeout: 40, randomize: true},
			stale: 10_000,
		});
		try {
			return await work();
		} finally {
			await release();
		}
	}

	private async load(): Promise<SandboxState> {
		let text: string;
		try {
			text = await readFile(this.file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptySandboxState();
			throw error;
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
		return parsed;
	}

	private async save(text: string): Promise<void> {
		const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
		// The state holds sandbox key material: owner-only, like ~/.aws/credentials.
		const handle = await open(temporary, 'w', 0o600);
		try {
			await handle.writeFile(text);
			await handle.sync();
		} finally {
			await handle.close();
		}
		try {
			await rename(temporary, this.file);
		} catch (error) {
			await rm(temporary, {force: true});
			throw error;
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
