/**
 * The journal's byte format. The file starts with one header line naming the snapshot generation
 * it continues; then come records, each `length (u32 LE) ‖ CRC-32 of the payload (u32 LE) ‖
 * payload`, the payload being UTF-8 JSON of the entities one transaction changed. The records of
 * a group commit (store-batch.ts) are written with one write(2) and fsynced before any of those
 * transactions' answers is sent.
 *
 * A process killed while appending (or a power cut) can leave a torn last record: too short for
 * its length, or failing its checksum. It was never acknowledged, so it is ignored and cut off by
 * the next writer, with any record of its batch after it; the whole records before it stay (their
 * answers were not sent either, as when a client's connection drops after a commit). A bad record followed by more data is not a torn tail but damage, and the
 * store refuses the directory rather than guess.
 */
import type {EventsTail} from './store-event-file.js';
import type {EntityPath} from './store-tracking.js';

export const journalMagic = 'kms-tui-sandbox-journal 2 ';
/** Header: magic, 32 hex characters of generation, newline. */
export const journalHeaderBytes = journalMagic.length + 32 + 1;
const recordHeaderBytes = 8;
/** Far above any real record (a request body is at most 1 MiB); a larger length is damage. */
const maxRecordBytes = 64 * 1024 * 1024;

export type StoredEvent = {
	readonly seq: number;
	readonly eventId: string;
	readonly eventTime: number;
	readonly eventName: string;
	readonly region: string;
	readonly keyIds: readonly string[];
	/** Further lookup terms, indexed like key ids (CloudTrail attributes: `ReadOnly=true`). */
	readonly terms?: readonly string[];
	readonly detail?: Record<string, unknown>;
};

/**
 * One transaction: entities replaced (`p`), entities removed (`d`), and, when it recorded events,
 * where they went in the events file (`t`). `e` (events inside the journal) is only read: the
 * working tree wrote it before the events had a file of their own, and a load moves them there.
 */
export type JournalRecord = {
	p?: Array<[EntityPath, unknown]>;
	d?: EntityPath[];
	t?: EventsTail;
	e?: StoredEvent[];
};

/**
 * CRC-32 (zlib's polynomial) eight bytes at a time ("slicing-by-8"): eight 256-entry tables, one
 * lookup per byte but no dependency from one byte to the next: ~3× the byte-at-a-time loop, which
 * was ~5 % of `sandbox serve`'s CPU under the many-files bench (every record and every event is
 * checksummed when written). zlib's own is faster still, but loading node:zlib would cost every
 * command's start; it is used where megabytes are read (store-event-file.ts).
 */
const crcTables = (() => {
	const tables = new Int32Array(8 * 256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		tables[n] = c;
	}
	for (let n = 0; n < 256; n++) {
		for (let table = 1; table < 8; table++) {
			const previous = tables[(table - 1) * 256 + n] as number;
			tables[table * 256 + n] = (previous >>> 8) ^ (tables[previous & 0xff] as number);
		}
	}
	return tables;
})();

export function crc32(bytes: Uint8Array): number {
	const t = crcTables;
	let crc = -1;
	let index = 0;
	for (const end = bytes.length - 7; index < end; index += 8) {
		const low =
			crc ^
			((bytes[index] as number) |
				((bytes[index + 1] as number) << 8) |
				((bytes[index + 2] as number) << 16) |
				((bytes[index + 3] as number) << 24));
		const high =
			(bytes[index + 4] as number) |
			((bytes[index + 5] as number) << 8) |
			((bytes[index + 6] as number) << 16) |
			((bytes[index + 7] as number) << 24);
		crc =
			(t[1792 + (low & 0xff)] as number) ^
			(t[1536 + ((low >>> 8) & 0xff)] as number) ^
			(t[1280 + ((low >>> 16) & 0xff)] as number) ^
			(t[1024 + (low >>> 24)] as number) ^
			(t[768 + (high & 0xff)] as number) ^
			(t[512 + ((high >>> 8) & 0xff)] as number) ^
			(t[256 + ((high >>> 16) & 0xff)] as number) ^
			(t[high >>> 24] as number);
	}
	for (; index < bytes.length; index++) {
		crc = (t[(crc ^ (bytes[index] as number)) & 0xff] as number) ^ (crc >>> 8);
	}
	return ~crc >>> 0;
}

export function journalHeader(generation: string): Buffer {
	return Buffer.from(`${journalMagic}${generation}\n`, 'utf8');
}

/** The generation a header names, or undefined when the bytes are not a journal header. */
export function parseJournalHeader(bytes: Buffer): string | undefined {
	if (bytes.length < journalHeaderBytes) return undefined;
	const text = bytes.subarray(0, journalHeaderBytes).toString('latin1');
	if (!text.startsWith(journalMagic) || !text.endsWith('\n')) return undefined;
	const generation = text.slice(journalMagic.length, -1);
	return /^[0-9a-f]{32}$/.test(generation) ? generation : undefined;
}

export function encodeRecord(payload: string): Buffer {
	const body = Buffer.from(payload, 'utf8');
	const out = Buffer.allocUnsafe(recordHeaderBytes + body.length);
	out.writeUInt32LE(body.length, 0);
	out.writeUInt32LE(crc32(body), 4);
	body.copy(out, recordHeaderBytes);
	return out;
}

export type DecodedRecords = {
	readonly records: JournalRecord[];
	/** Bytes of `buffer` that hold whole, valid records. */
	readonly validBytes: number;
	/** A record that fails its checksum but has more data after it: not a torn tail. */
	readonly damagedAt?: number;
};

/**
 * Splits `buffer` (journal bytes after the header, or after a known offset) into records.
 * `checksum` is CRC-32 (zlib's, when a caller reading megabytes has loaded it).
 */
export function decodeRecords(buffer: Buffer, checksum = crc32): DecodedRecords {
	const records: JournalRecord[] = [];
	let offset = 0;
	while (offset + recordHeaderBytes <= buffer.length) {
		const length = buffer.readUInt32LE(offset);
		const end = offset + recordHeaderBytes + length;
		if (length > maxRecordBytes || end > buffer.length) {
			// Torn: the record runs past the end (or its length bytes are garbage at the end).
			return length > maxRecordBytes && end <= buffer.length && !allZero(buffer.subarray(offset))
				? {records, validBytes: offset, damagedAt: offset}
				: {records, validBytes: offset};
		}
		const body = buffer.subarray(offset + recordHeaderBytes, end);
		let record: JournalRecord | undefined;
		if (checksum(body) >>> 0 === buffer.readUInt32LE(offset + 4)) {
			try {
				record = JSON.parse(body.toString('utf8')) as JournalRecord;
			} catch {
				record = undefined;
			}
		}
		if (record === undefined || typeof record !== 'object' || record === null) {
			// Zeros after a bad record are what a power cut leaves at the end of a file: still torn.
			return end < buffer.length && !allZero(buffer.subarray(end))
				? {records, validBytes: offset, damagedAt: offset}
				: {records, validBytes: offset};
		}
		records.push(record);
		offset = end;
	}
	return {records, validBytes: offset};
}

function allZero(bytes: Buffer): boolean {
	for (let index = 0; index < bytes.length; index++) if (bytes[index] !== 0) return false;
	return true;
}
