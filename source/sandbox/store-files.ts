/**
 * The files of the sandbox store, read and written whole: the snapshot (`state.snapshot`), the
 * state document of older releases (`state.json`, read once to migrate it, and the format of the
 * `state.json.bak` a reset leaves), and the atomic temp-file-then-rename write they share.
 */
import {randomBytes} from 'node:crypto';
import {type FileHandle, open, readFile, rename, rm} from 'node:fs/promises';
import type {SandboxState} from './context.js';
import {sandboxDirError} from './sandbox-dir.js';
import {SandboxStateError} from './state-error.js';
import {type EventsTail, isEventsTail} from './store-event-file.js';
import type {StoredEvent} from './store-journal.js';

/**
 * How far `sandbox advance` may move the clock: 100 years (36525 days). Far enough for any
 * waiting period or rotation schedule (at most 2560 days), near enough that every date stays a
 * valid Date and the automatic rotations that fall due stay a few hundred per key.
 */
export const maxClockOffsetMs = 36_525 * 24 * 60 * 60 * 1000;

export const snapshotFormat = 'kms-tui-sandbox-snapshot';

export type Snapshot = {
	format: typeof snapshotFormat;
	version: 2;
	/** Names the journal that continues this snapshot. */
	generation: string;
	/** The journal this snapshot absorbed: still finding it means a compaction was cut short. */
	previousGeneration: string | null;
	state: SandboxState;
	/** Where the events file stood when this snapshot was written (events live there). */
	eventsTail?: EventsTail;
	/** Read only: events inside the snapshot, as the working tree wrote them before events.journal. */
	events?: StoredEvent[];
};

export function newGeneration(): string {
	return randomBytes(16).toString('hex');
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

async function readText(dir: string, file: string): Promise<string | undefined> {
	try {
		return await readFile(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw sandboxDirError(dir, error);
	}
}

function checkClock(file: string, state: SandboxState): void {
	const offset = state.clockOffsetMs;
	if (!(Number.isFinite(offset) && Math.abs(offset) <= maxClockOffsetMs)) {
		// Older builds saved any `sandbox advance`; such a clock is not a valid date.
		throw new SandboxStateError(
			`The sandbox clock in ${file} is ${offset} ms off real time, beyond the 100-year maximum. ` +
				'Nothing was changed. Set "clockOffsetMs" to 0 in that file to keep the keys and stacks, or run `kms-tui sandbox reset` to start an empty sandbox.',
		);
	}
}

/** The state document of a release before the journal (also what a reset's backup holds). */
export type LegacyDocument = {state: SandboxState; events: StoredEvent[]};

export async function readLegacyState(
	dir: string,
	file: string,
): Promise<LegacyDocument | undefined> {
	const text = await readText(dir, file);
	if (text === undefined) return undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new SandboxStateError(
			`The sandbox state file ${file} is not valid JSON (${(error as Error).message}). ` +
				'Nothing was changed. Move the file away to keep it, or run `kms-tui sandbox reset` to start an empty sandbox.',
		);
	}
	if (!isSandboxState(parsed)) {
		throw new SandboxStateError(
			`The file ${file} is not kms-tui sandbox state (no "format": "kms-tui-sandbox", version 1). ` +
				'Nothing was changed. Point --sandbox-dir elsewhere, or run `kms-tui sandbox reset` to start an empty sandbox.',
		);
	}
	checkClock(file, parsed);
	// A reset's backup carries the events beside the state; a release's state.json has none.
	const {events, ...state} = parsed as SandboxState & {events?: StoredEvent[]};
	return {state: state as SandboxState, events: Array.isArray(events) ? events : []};
}

export async function readSnapshot(
	dir: string,
	file: string,
): Promise<{snapshot: Snapshot; bytes: number} | undefined> {
	const text = await readText(dir, file);
	if (text === undefined) return undefined;
	let parsed: Partial<Snapshot> | undefined;
	try {
		parsed = JSON.parse(text) as Partial<Snapshot>;
	} catch {
		parsed = undefined;
	}
	if (
		parsed?.format !== snapshotFormat ||
		parsed.version !== 2 ||
		typeof parsed.generation !== 'string' ||
		!isSandboxState(parsed.state) ||
		!(parsed.events === undefined || Array.isArray(parsed.events)) ||
		!(parsed.eventsTail === undefined || isEventsTail(parsed.eventsTail))
	) {
		throw new SandboxStateError(
			`The file ${file} is not a kms-tui sandbox snapshot (it is damaged, or not kms-tui's). ` +
				'Nothing was changed. Point --sandbox-dir elsewhere, or run `kms-tui sandbox reset` to start an empty sandbox (it keeps a backup).',
		);
	}
	checkClock(file, parsed.state);
	return {snapshot: parsed as Snapshot, bytes: Buffer.byteLength(text)};
}

/** Writes `file` whole or not at all: a temporary copy (owner-only), fsync, rename. */
export async function writeFileAtomic(
	dir: string,
	file: string,
	content: string | Buffer,
): Promise<void> {
	const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
	let handle: FileHandle;
	try {
		// The store holds sandbox key material: owner-only, like ~/.aws/credentials.
		handle = await open(temporary, 'wx', 0o600);
	} catch (error) {
		throw sandboxDirError(dir, error);
	}
	try {
		try {
			await handle.writeFile(content);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temporary, file);
	} catch (error) {
		// A full disk fails the write: the half-written copy must not stay behind.
		await rm(temporary, {force: true});
		throw sandboxDirError(dir, error);
	}
}
