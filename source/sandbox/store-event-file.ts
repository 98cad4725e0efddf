/**
 * The CloudTrail-style events' own file, `events.journal`, apart from the state: a header line
 * naming its generation, then records in the state journal's format (length ‖ CRC-32 ‖ JSON
 * `{"e": [events]}`), one per transaction that recorded events, appended under the store's lock
 * (a group commit's in one write).
 * Opening the store and serving any request but LookupEvents never reads it: an append checks
 * only the last range the state declared (`EventsTail`, kept in the state's journal and
 * snapshot), so its cost does not grow with the events held. A LookupEvents (or `sandbox status`)
 * reads the file on first use and then only what was appended since.
 *
 * Compaction rewrites the file (temporary copy, fsync, rename) with the events still kept, under a
 * new generation, once it has grown by half its compacted size: amortised O(1) per event.
 */
import {ftruncateSync, renameSync} from 'node:fs';
import {type FileHandle, open} from 'node:fs/promises';
import {sandboxDirError} from './sandbox-dir.js';
import {SandboxStateError} from './state-error.js';
import {newGeneration, writeFileAtomic} from './store-files.js';
import {decodeRecords, encodeRecord, type StoredEvent} from './store-journal.js';
import {closeQuietly, type OpenFile, type Reopened, readAt, reopen} from './store-open-file.js';

export const eventsFileName = 'events.journal';
const eventsMagic = 'kms-tui-sandbox-events 1 ';
/** Header: magic, 32 hex characters of generation, newline. */
export const eventsHeaderBytes = eventsMagic.length + 32 + 1;
/** Events per record in a compacted file (a record is read whole). */
const compactedRecordEvents = 200;

/**
 * What the state knows of the events file, declared in the state journal record of every
 * transaction that appends events (before the append): the file's generation, the byte range of
 * the last append up to this transaction's own events (from the first events record of its group
 * commit, so that the next writer checks the batch's events as a whole: one cut inside them was
 * never answered), its size after the last compaction, and the next sequence number.
 */
export type EventsTail = {
	readonly g: string;
	readonly start: number;
	readonly end: number;
	readonly base: number;
	readonly seq: number;
};

export function isEventsTail(value: unknown): value is EventsTail {
	if (typeof value !== 'object' || value === null) return false;
	const tail = value as Record<string, unknown>;
	return (
		typeof tail.g === 'string' &&
		[tail.start, tail.end, tail.base, tail.seq].every(
			(field) => Number.isSafeInteger(field) && (field as number) >= 0,
		)
	);
}

function eventsHeader(generation: string): Buffer {
	return Buffer.from(`${eventsMagic}${generation}\n`, 'latin1');
}

function parseEventsHeader(bytes: Buffer): string | undefined {
	if (bytes.length < eventsHeaderBytes) return undefined;
	const text = bytes.subarray(0, eventsHeaderBytes).toString('latin1');
	if (!text.startsWith(eventsMagic) || !text.endsWith('\n')) return undefined;
	const generation = text.slice(eventsMagic.length, -1);
	return /^[0-9a-f]{32}$/.test(generation) ? generation : undefined;
}

export function encodeEvents(events: readonly StoredEvent[]): Buffer {
	return encodeRecord(JSON.stringify({e: events}));
}

/** What reading the file (or its part from `from`) found. */
export type EventsRead = {
	readonly generation: string;
	readonly events: StoredEvent[];
	/** Where the valid records end (absolute offset); bytes after it are a torn tail. */
	readonly end: number;
	readonly size: number;
};

function damaged(file: string, offset: number): SandboxStateError {
	return new SandboxStateError(
		`The sandbox's event file ${file} is damaged at byte ${offset}: a record fails its checksum and more records follow it. ` +
			'The keys and stacks are not affected. Move that file away to start the events afresh, or run `kms-tui sandbox reset` to start an empty sandbox (it keeps a backup).',
	);
}

/**
 * zlib's CRC-32 (Node ≥ 20.15) is ~12× faster than the table loop: 0.18 s of the first lookup at
 * 100,000 events. Loaded only here, when events are read, so that no command's start pays for it.
 */
async function fastCrc32(): Promise<((bytes: Uint8Array) => number) | undefined> {
	const zlib = (await import('node:zlib')) as {crc32?: (bytes: Uint8Array) => number};
	return zlib.crc32;
}

function decodeFrom(
	file: string,
	bytes: Buffer,
	offset: number,
	checksum?: (bytes: Uint8Array) => number,
): {events: StoredEvent[]; end: number} {
	const decoded = decodeRecords(bytes, checksum);
	if (decoded.damagedAt !== undefined) throw damaged(file, offset + decoded.damagedAt);
	const events: StoredEvent[] = [];
	for (const record of decoded.records) events.push(...(record.e ?? []));
	return {events, end: offset + decoded.validBytes};
}

/**
 * The file's events after `from` (its whole content when `from` is undefined or the generation
 * is not `generation`): undefined when there is no file. A torn tail is left out (not cut: the
 * next append does that under the lock).
 */
export async function readEvents(
	dir: string,
	file: string,
	since?: {generation: string; from: number},
): Promise<(EventsRead & {whole: boolean}) | undefined> {
	let handle: FileHandle;
	try {
		handle = await open(file, 'r');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw sandboxDirError(dir, error);
	}
	try {
		const {size} = await handle.stat();
		const header = Buffer.alloc(eventsHeaderBytes);
		await handle.read(header, 0, eventsHeaderBytes, 0);
		const generation = parseEventsHeader(header);
		if (generation === undefined) {
			throw new SandboxStateError(
				`The file ${file} is not a kms-tui sandbox event file. The keys and stacks are not affected. ` +
					'Move that file away to start the events afresh, or run `kms-tui sandbox reset` (it keeps a backup).',
			);
		}
		const whole = !(since && since.generation === generation && since.from <= size);
		const from = whole ? eventsHeaderBytes : (since as {from: number}).from;
		const bytes = Buffer.alloc(size - from);
		if (bytes.length > 0) await handle.read(bytes, 0, bytes.length, from);
		const checksum = bytes.length > 64 * 1024 ? await fastCrc32() : undefined;
		const {events, end} = decodeFrom(file, bytes, from, checksum);
		return {generation, events, end, size, whole};
	} finally {
		await handle.close();
	}
}

/** The events file as a process keeps it open between rounds (store-open-file.ts). */
export type EventsFile = OpenFile & {readonly generation: string};

/** Where this process's last append ended, in which file generation (it was fsynced whole). */
export type LastAppend = {readonly generation: string; readonly end: number};

/** An append made ready under the lock: where the record goes, in which file generation. */
export type PreparedAppend = {
	readonly file: EventsFile;
	readonly generation: string;
	readonly position: number;
	readonly base: number;
	/** The next sequence number, when the file had to be scanned to know it. */
	readonly seq?: number;
};

/**
 * Makes the file ready for the next append and repairs its tail using only what the state
 * declared: a last record that is missing, short or fails its checksum was never answered (the
 * process died between the state record and the event) and is cut. Reads at most that one range,
 * except when the state declares nothing about this file (a compaction whose declaration was
 * lost, or a file put there by hand): then it is scanned once for its valid end.
 *
 * `kept` is the file this process kept open (used while the path still names it), and `last`
 * where this process's last append ended. When the state declares that append as the last one,
 * and the file of that generation ends where it did, nobody has written it since, and that
 * append was fsynced whole: there is nothing to read but, in a file not kept, the header.
 */
export async function prepareAppend(
	dir: string,
	file: string,
	tail: EventsTail | undefined,
	kept: EventsFile | undefined,
	last: LastAppend | undefined,
): Promise<PreparedAppend> {
	let found: Reopened | undefined;
	try {
		found = reopen(file, kept);
	} catch (error) {
		throw sandboxDirError(dir, error);
	}
	if (!found) return create(dir, file);
	const {file: open, size} = found;
	let generation: string | undefined;
	try {
		generation =
			found.kept && kept ? kept.generation : parseEventsHeader(readAt(open, eventsHeaderBytes, 0));
	} catch (error) {
		closeQuietly(open);
		throw sandboxDirError(dir, error);
	}
	if (
		generation !== undefined &&
		last?.generation === generation &&
		tail?.g === generation &&
		tail.end === last.end &&
		size === last.end
	) {
		return {file: {...open, generation}, generation, position: last.end, base: tail.base};
	}
	if (generation === undefined) {
		// Not an event file: kept aside for whoever wants it, and the events start afresh.
		closeQuietly(open);
		try {
			renameSync(file, `${file}.damaged`);
		} catch (error) {
			throw sandboxDirError(dir, error);
		}
		return create(dir, file);
	}
	try {
		const events: EventsFile = {...open, generation};
		if (!tail || tail.g !== generation) {
			const bytes = readAt(open, size - eventsHeaderBytes, eventsHeaderBytes);
			const decoded = decodeRecords(bytes);
			const end = eventsHeaderBytes + decoded.validBytes;
			let seq = tail?.seq ?? 1;
			for (const record of decoded.records) {
				for (const event of record.e ?? []) seq = Math.max(seq, event.seq + 1);
			}
			if (size > end) ftruncateSync(open.fd, end);
			return {file: events, generation, position: end, base: end, seq};
		}
		let position = tail.end;
		if (size < tail.end) {
			position = tail.start;
		} else if (tail.end > tail.start) {
			const last = readAt(open, tail.end - tail.start, tail.start);
			const decoded = decodeRecords(last);
			if (decoded.validBytes !== last.length) position = tail.start;
		}
		if (size > position) ftruncateSync(open.fd, position);
		return {file: events, generation, position, base: tail.base};
	} catch (error) {
		closeQuietly(open);
		throw sandboxDirError(dir, error);
	}
}

async function create(dir: string, file: string): Promise<PreparedAppend> {
	const generation = newGeneration();
	await writeFileAtomic(dir, file, eventsHeader(generation));
	let found: Reopened | undefined;
	try {
		found = reopen(file, undefined);
	} catch (error) {
		throw sandboxDirError(dir, error);
	}
	if (!found) throw sandboxDirError(dir, Object.assign(new Error('ENOENT'), {code: 'ENOENT'}));
	return {
		file: {...found.file, generation},
		generation,
		position: eventsHeaderBytes,
		base: eventsHeaderBytes,
		seq: 1,
	};
}

/** Whether an events file this size has outgrown its compacted size enough to be rewritten. */
export function needsCompaction(size: number, base: number, minimumBytes: number): boolean {
	return size - base > Math.max(minimumBytes, base / 2);
}

/**
 * Writes a new file holding `events` (oldest first) under a new generation, whole or not at all.
 * Returns its generation and size.
 */
export async function writeCompacted(
	dir: string,
	file: string,
	events: readonly StoredEvent[],
): Promise<{generation: string; size: number}> {
	const generation = newGeneration();
	const parts: Buffer[] = [eventsHeader(generation)];
	for (let index = 0; index < events.length; index += compactedRecordEvents) {
		parts.push(encodeEvents(events.slice(index, index + compactedRecordEvents)));
	}
	const content = Buffer.concat(parts);
	await writeFileAtomic(dir, file, content);
	return {generation, size: content.length};
}
