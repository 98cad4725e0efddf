/**
 * Persistent sandbox state: a snapshot (`state.snapshot`) plus an append-only journal
 * (`state.journal`) of the entities each transaction changed. Each process keeps the state in
 * memory and, inside `transact()` (an in-process queue plus the cross-process lock file), first
 * catches up from the journal's tail, then runs the change on a tracking view of the state, then
 * appends one checksummed record of what changed and fsyncs it. Transactions that queue while
 * another commit is under way are committed together (group commit, store-batch.ts): one lock,
 * one catch-up, each change in order, one write and fdatasync of all their records, and each
 * caller answered only once that is on disk. Nothing per request is
 * proportional to the account: the whole document is written only by an occasional compaction
 * (when the journal outgrows the snapshot), which is amortised O(1) per request.
 * A TUI, a CLI and `sandbox serve` can share one directory without losing an update. See
 * docs/sandbox.md ("State") for why a journal and not SQLite.
 *
 * The CloudTrail-style events a transaction records go to their own file after the state record
 * (store-event-file.ts): no process reads them until it looks events up.
 */
import {ftruncateSync, statSync} from 'node:fs';
import {readdir, readFile, rename, rm, stat} from 'node:fs/promises';
import path from 'node:path';
import {isProcessAlive} from '../process-alive.js';
import {emptyCfnState} from './cfn/index.js';
import {ownEntry, type RegionState, type SandboxState} from './context.js';
import {emptyKmsState} from './kms/index.js';
import {ensureSandboxDir, sandboxDirError} from './sandbox-dir.js';
import {SandboxStateError} from './state-error.js';
import {
	acquireStateLock,
	dropLockFile,
	type HeldLock,
	type LockFileSlot,
	type LockOptions,
} from './state-lock.js';
import {type Batch, BatchQueue, maxBatchBytes, maxBatchTransactions} from './store-batch.js';
import {
	type EventsFile,
	type EventsTail,
	encodeEvents,
	eventsFileName,
	type LastAppend,
	needsCompaction,
	type PreparedAppend,
	prepareAppend,
	readEvents,
	writeCompacted,
} from './store-event-file.js';
import {
	EventLog,
	type EventPage,
	type EventQuery,
	type SandboxEvent,
	type StoredEvent,
	stampEvent,
} from './store-events.js';
import {
	newGeneration,
	readLegacyState,
	readSnapshot,
	type Snapshot,
	snapshotFormat,
	writeFileAtomic,
} from './store-files.js';
import {
	decodeRecords,
	encodeRecord,
	type JournalRecord,
	journalHeader,
	journalHeaderBytes,
	parseJournalHeader,
} from './store-journal.js';
import {closeQuietly, datasync, type OpenFile, readAt, reopen, writeAt} from './store-open-file.js';
import {applyEntities, recordOf} from './store-record.js';
import {track} from './store-tracking.js';

export {defaultSandboxDir} from './paths.js';
export type {EventPage, EventQuery, SandboxEvent, StoredEvent} from './store-events.js';
export {maxClockOffsetMs} from './store-files.js';
export {SandboxStateError};

/** The state document of releases before the journal: migrated on first use. */
export const stateFileName = 'state.json';
export const snapshotFileName = 'state.snapshot';
export const journalFileName = 'state.journal';
export {eventsFileName};
/** Where the migrated state.json goes, kept as it was. */
export const migratedFileName = 'state.json.migrated';

/** The journal is folded into a new snapshot once it is larger than this and than the snapshot. */
const defaultCompactBytes = 1024 * 1024;
/** The events file is rewritten once it has grown by more than this and half its compacted size. */
const defaultEventsCompactBytes = 1024 * 1024;

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

export type StoreOptions = LockOptions & {
	/** Journal size (bytes) below which no compaction happens; tests make it small. */
	readonly compactBytes?: number;
	/** Growth (bytes) of the events file below which it is not rewritten; tests make it small. */
	readonly eventsCompactBytes?: number;
	readonly maxEventsPerRegion?: number;
	/**
	 * Test hook: called with the number of records of each journal write just before its
	 * fdatasync (so a test counts group commits); a throw stands for a failing fdatasync.
	 */
	readonly beforeJournalSync?: (commit: {readonly records: number}) => void | Promise<void>;
};

/** What a transaction can do besides changing the state. */
export type StoreTransaction = {
	/** Records an event with this transaction (kept only if the transaction commits). */
	appendEvent(event: SandboxEvent): void;
	/** One page of the events committed so far, newest first (reads the events file the first time). */
	lookupEvents(query: EventQuery): Promise<EventPage>;
};

export type StoreDescription = {
	readonly state: SandboxState;
	readonly events: number;
	readonly eventsByRegion: Readonly<Record<string, number>>;
	/** Bytes of the store's files (snapshot, journal, events, or a state.json not yet migrated). */
	readonly bytesOnDisk: number;
};

type FileIdentity = {readonly ino: number; readonly size: number; readonly mtimeMs: number};

/** The state as a process holds it between transactions. */
type Loaded = {
	root: SandboxState;
	/** Where the events file stands, as the last transaction that appended events declared it. */
	eventsTail: EventsTail | undefined;
	/** Events found inside the snapshot or journal (the working tree's format before events.journal). */
	embedded: StoredEvent[];
	generation: string;
	/** Where the journal's valid records end (absolute file offset). */
	journalEnd: number;
	snapshotBytes: number;
	snapshot: FileIdentity;
};

/** What a lock-free or locked read of the files found. */
type FromDisk = {
	root: SandboxState;
	eventsTail: EventsTail | undefined;
	/** Events inside state.json, the snapshot or the journal: moved to the events file on load. */
	embedded: StoredEvent[];
	snapshot?: {snapshot: Snapshot; bytes: number; identity: FileIdentity};
	/** The journal continues the snapshot: its valid end, and whether bytes follow it (a torn tail). */
	journal?: {end: number; size: number};
	/** state.json was found (and no snapshot): it is to be migrated. */
	legacy: boolean;
};

/** A transaction waiting in a batch for its commit. */
type Waiter = {
	readonly change: (state: SandboxState, tx: StoreTransaction) => unknown;
	readonly resolve: (value: unknown) => void;
	readonly reject: (error: unknown) => void;
};

/** The events a round appends: one write at `prepared.position`, records in transaction order. */
type RoundEvents = {
	readonly prepared: PreparedAppend;
	/** The next sequence number and where the next record goes. */
	seq: number;
	end: number;
	readonly parts: Buffer[];
	readonly stamped: StoredEvent[];
};

/** One commit of a batch: the transactions taken, those that ran and what they wrote. */
type Round = {
	taken: number;
	readonly done: Array<{waiter: Waiter; result: unknown}>;
	readonly records: string[];
	recordBytes: number;
	events: RoundEvents | undefined;
};

export class SandboxStore {
	readonly dir: string;
	/** The pre-journal state document (migrated from on first use; the base of the reset backup). */
	readonly file: string;
	readonly snapshotFile: string;
	readonly journalFile: string;
	/** The CloudTrail-style events, apart from the state (store-event-file.ts). */
	readonly eventsFile: string;
	private readonly batches = new BatchQueue<Waiter>(async (batch) => this.commitBatch(batch));
	private cache: Loaded | undefined;
	/** The events, once this process has looked them up: the file generation and offset read. */
	private eventsCache: {log: EventLog; generation: string; end: number} | undefined;

	private readonly options: StoreOptions;

	/**
	 * The journal and the events file, kept open from one round to the next while transactions
	 * keep coming (store-open-file.ts), closed when none is queued. `generation` is the journal's
	 * header as this process last read or wrote it.
	 */
	private journalKept: (OpenFile & {generation: string | undefined}) | undefined;
	private eventsKept: EventsFile | undefined;
	/** Where this process's last events append ended: the next needs to check nothing before it. */
	private eventsLast: LastAppend | undefined;
	/** The private file the lock is linked from, kept like the two files (state-lock.ts). */
	private readonly lockFile: LockFileSlot = {};
	/** Whether this store looked for the private lock files of processes killed since. */
	private sweptLockFiles = false;

	constructor(dir: string, options: StoreOptions = {}) {
		this.options = options;
		this.dir = path.resolve(dir);
		this.file = path.join(this.dir, stateFileName);
		this.snapshotFile = path.join(this.dir, snapshotFileName);
		this.journalFile = path.join(this.dir, journalFileName);
		this.eventsFile = path.join(this.dir, eventsFileName);
	}

	/**
	 * A copy of the state for display, read from the files without the lock: the snapshot and
	 * the journal's whole records (a record being appended is not yet there, as if not yet sent).
	 */
	async read(): Promise<SandboxState> {
		return (await this.readFromDisk()).root;
	}

	/** The state, how many events it holds and its size on disk, for `sandbox status`. */
	async describe(): Promise<StoreDescription> {
		const found = await this.readFromDisk();
		// Lock-free: a record being appended is not there yet (a torn tail is left out).
		const events = this.newLog();
		events.addAll(found.embedded);
		const read = await readEvents(this.dir, this.eventsFile);
		events.addAll(read?.events ?? []);
		let bytesOnDisk = 0;
		for (const file of found.snapshot
			? [this.snapshotFile, this.journalFile, this.eventsFile]
			: [this.file, this.journalFile, this.eventsFile]) {
			bytesOnDisk += await stat(file).then(
				(info) => info.size,
				() => 0,
			);
		}
		return {
			state: found.root,
			events: events.count,
			eventsByRegion: events.counts(),
			bytesOnDisk,
		};
	}

	/**
	 * Runs `change` on the current state and saves what it changed, as one step that no other
	 * process or request interleaves with. If `change` throws, nothing is written and the
	 * in-memory state is put back as it was. Transactions that queue meanwhile are committed
	 * together (store-batch.ts): each still sees the changes of those before it, fails alone, and
	 * is answered only once its record is on disk.
	 */
	transact<T>(change: (state: SandboxState, tx: StoreTransaction) => T | Promise<T>): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.batches.add({
				change,
				resolve: resolve as (value: unknown) => void,
				reject,
			});
		});
	}

	/** One page of events, newest first (a transaction of its own). */
	lookupEvents(query: EventQuery): Promise<EventPage> {
		return this.transact((_state, tx) => tx.lookupEvents(query));
	}

	/**
	 * Deletes the state, keeping it as state.json.bak (one JSON document, which a later release
	 * migrates like any state.json), or, when it is unreadable, keeping its files as they were.
	 */
	async reset(): Promise<void> {
		return this.batches.exclusive(async () => {
			try {
				await this.resetLocked();
			} finally {
				if (this.batches.idle) dropLockFile(this.lockFile);
			}
		});
	}

	private async resetLocked(): Promise<void> {
		return this.transactRaw(async () => {
			this.cache = undefined;
			this.eventsCache = undefined;
			this.closeKept();
			let found: FromDisk | undefined;
			try {
				found = await this.readFromDisk();
			} catch (error) {
				if (!(error instanceof SandboxStateError)) throw error;
			}
			if (!found) {
				for (const file of [this.journalFile, this.snapshotFile, this.file, this.eventsFile]) {
					await renameIfPresent(file, `${file}.bak`);
				}
				return;
			}
			const events = this.newLog();
			events.addAll(found.embedded);
			let eventsReadable = true;
			try {
				events.addAll((await readEvents(this.dir, this.eventsFile))?.events ?? []);
			} catch (error) {
				if (!(error instanceof SandboxStateError)) throw error;
				eventsReadable = false;
			}
			const backup = {...found.root, events: events.all()};
			await writeFileAtomic(this.dir, `${this.file}.bak`, JSON.stringify(backup));
			// A damaged events file does not cost the state's backup: it is kept as it was.
			if (eventsReadable) await rm(this.eventsFile, {force: true});
			else await renameIfPresent(this.eventsFile, `${this.eventsFile}.bak`);
			await rm(this.journalFile, {force: true});
			await rm(this.snapshotFile, {force: true});
			// A state.json beside a snapshot was not the state (an older build wrote it later):
			// kept aside, so that the empty sandbox does not migrate it.
			if (found.legacy) await rm(this.file, {force: true});
			else await renameIfPresent(this.file, `${this.file}.stale`);
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

	/**
	 * Commits a batch in rounds: each round is one lock, one catch-up, then the batch's waiting
	 * transactions in order (at most maxBatchTransactions, or maxBatchBytes of records), one
	 * journal write and one events append. Every caller is answered after its round is on disk.
	 */
	private async commitBatch(batch: Batch<Waiter>): Promise<void> {
		while (batch.waiting > 0) {
			const round: Round = {taken: 0, done: [], records: [], recordBytes: 0, events: undefined};
			try {
				await this.transactRaw(async () => {
					try {
						await this.commitRound(await this.catchUp(), batch, round);
					} catch (error) {
						// Whatever failed, the next round opens the files afresh.
						this.closeKept();
						throw error;
					}
				});
			} catch (error) {
				// Nothing of this round is on disk (or the lock was not taken): all of it fails. When the
				// lock or the catch-up failed, so do the transactions still waiting, as each would.
				if (round.taken === 0) {
					this.batches.closeBatch(batch);
					for (let waiter = batch.take(); waiter; waiter = batch.take()) waiter.reject(error);
				}
				for (const {waiter} of round.done) waiter.reject(error);
				continue;
			}
			for (const {waiter, result} of round.done) waiter.resolve(result);
		}
		// Nothing queued after this batch: the files are let go of before any of its callers hears
		// back, so that a store at rest holds no descriptor (a replaced file's space is freed, the
		// disk can be unmounted). Under load the next batch is usually queued already.
		if (this.batches.idle) {
			this.closeKept();
			dropLockFile(this.lockFile);
		}
	}

	private closeKept(): void {
		closeQuietly(this.journalKept);
		this.journalKept = undefined;
		closeQuietly(this.eventsKept);
		this.eventsKept = undefined;
	}

	private async commitRound(journal: OpenFile, batch: Batch<Waiter>, round: Round): Promise<void> {
		const loaded = this.cache as Loaded;
		try {
			while (round.taken < maxBatchTransactions && round.recordBytes < maxBatchBytes) {
				const waiter = batch.take();
				if (!waiter) break;
				round.taken++;
				await this.runOne(loaded, waiter, round);
			}
		} finally {
			// Those arriving from now on are committed by the next batch, after this one.
			this.batches.closeBatch(batch);
		}
		if (round.records.length === 0) return;
		try {
			await this.appendRecords(journal, loaded, round.records);
		} catch (error) {
			// The round's changes are in memory but not on disk: the next transaction reloads.
			this.cache = undefined;
			throw error;
		}
		if (round.events) await this.appendEvents(journal, loaded, round.events);
		if (
			loaded.journalEnd - journalHeaderBytes >
			Math.max(this.options.compactBytes ?? defaultCompactBytes, loaded.snapshotBytes)
		) {
			await this.compact(loaded);
		}
	}

	/**
	 * Runs one transaction of a round on a tracking view and adds its record (and events) to the
	 * round; if it fails, undoes its own changes and rejects only its caller.
	 */
	private async runOne(loaded: Loaded, waiter: Waiter, round: Round): Promise<void> {
		const tracking = track(loaded.root);
		const pending: SandboxEvent[] = [];
		const tx: StoreTransaction = {
			appendEvent: (event) => {
				pending.push(event);
			},
			// Sees the events committed before this round: the round's own are not written yet.
			lookupEvents: async (query) =>
				(await this.loadEvents()).lookup(query, sandboxNow(loaded.root)),
		};
		try {
			const result = await waiter.change(tracking.view, tx);
			tracking.close();
			let appended: {bytes: Buffer; events: StoredEvent[]} | undefined;
			let tail: EventsTail | undefined;
			if (pending.length > 0) {
				round.events ??= await this.openEvents(loaded);
				const {prepared, seq, end} = round.events;
				const events = pending.map((event, index) => stampEvent(event, seq + index));
				appended = {bytes: encodeEvents(events), events};
				// The range declared starts at the round's first events record: recovery checks the
				// round's events as a whole, as it checks one transaction's (prepareAppend).
				tail = {
					g: prepared.generation,
					start: prepared.position,
					end: end + appended.bytes.length,
					base: prepared.base,
					seq: seq + events.length,
				};
			}
			const record = recordOf(loaded.root, tracking.dirty, tail);
			if (appended && round.events) {
				round.events.parts.push(appended.bytes);
				round.events.stamped.push(...appended.events);
				round.events.end += appended.bytes.length;
				round.events.seq += appended.events.length;
			}
			if (record !== undefined) {
				round.records.push(record);
				round.recordBytes += Buffer.byteLength(record);
			}
			round.done.push({waiter, result});
		} catch (error) {
			tracking.close();
			tracking.undo();
			waiter.reject(error);
		}
	}

	/** Opens the events file for the round's append (the first transaction with events does). */
	private async openEvents(loaded: Loaded): Promise<RoundEvents> {
		// Only the last record the state declared is read (none when this process wrote it): the
		// file's size does not matter.
		const kept = this.eventsKept;
		this.eventsKept = undefined; // closed by prepareAppend when the path names another file
		const prepared = await prepareAppend(
			this.dir,
			this.eventsFile,
			loaded.eventsTail,
			kept,
			this.eventsLast,
		);
		this.eventsLast = undefined; // until this round's append is on disk
		this.eventsKept = prepared.file;
		return {
			prepared,
			seq: prepared.seq ?? loaded.eventsTail?.seq ?? 1,
			end: prepared.position,
			parts: [],
			stamped: [],
		};
	}

	/**
	 * Appends state records with one write and one fdatasync; on failure the journal ends where it
	 * did and nothing is applied.
	 */
	private async appendRecords(
		journal: OpenFile,
		loaded: Loaded,
		records: readonly string[],
	): Promise<void> {
		const bytes = Buffer.concat(records.map((record) => encodeRecord(record)));
		try {
			writeAt(journal, bytes, loaded.journalEnd);
			await this.options.beforeJournalSync?.({records: records.length});
			await datasync(journal);
		} catch (error) {
			// A full disk: cut what was written, so the journal ends where it did, and forget.
			try {
				ftruncateSync(journal.fd, loaded.journalEnd);
			} catch {
				// The next writer cuts it: a record that was not acknowledged.
			}
			throw sandboxDirError(this.dir, error);
		}
		loaded.journalEnd += bytes.length;
		// What this process keeps is what the others read back: fresh copies of what was written.
		for (const record of records) applyRecord(loaded, JSON.parse(record) as JournalRecord);
	}

	/**
	 * Appends the round's events after its state records, with one write and one fdatasync. The
	 * state is committed already: if this fails (a full disk, a kill), only these events are lost,
	 * and the next append cuts what was half-written, as the state records declared where it
	 * would go.
	 */
	private async appendEvents(
		journal: OpenFile,
		loaded: Loaded,
		events: RoundEvents,
	): Promise<void> {
		const {file, generation, position, base} = events.prepared;
		const bytes = Buffer.concat(events.parts);
		const end = position + bytes.length;
		try {
			writeAt(file, bytes, position);
			await datasync(file);
		} catch {
			try {
				ftruncateSync(file.fd, position);
			} catch {
				// The next append cuts it: the state declared where these events went.
			}
			return;
		}
		// Known whole and last: the next round of this process needs to read nothing of it.
		this.eventsLast = {generation, end};
		const cached = this.eventsCache;
		if (cached && cached.generation === generation && cached.end === position) {
			for (const event of events.stamped) cached.log.add(event);
			cached.end = end;
		}
		if (needsCompaction(end, base, this.options.eventsCompactBytes ?? defaultEventsCompactBytes)) {
			await this.compactEvents(journal, loaded).catch(() => undefined);
		}
	}

	/**
	 * Rewrites the events file with the events kept (newest, within the cap and 90 days), then
	 * declares the new file in the state journal. A crash between the two leaves a file the state
	 * does not know: the next append scans it once for its end.
	 */
	private async compactEvents(journal: OpenFile, loaded: Loaded): Promise<void> {
		const log = await this.loadEvents();
		const {generation, size} = await writeCompacted(this.dir, this.eventsFile, log.all());
		// Replaced: the next append opens the new file.
		closeQuietly(this.eventsKept);
		this.eventsKept = undefined;
		this.eventsCache = {log, generation, end: size};
		const seq = loaded.eventsTail?.seq ?? 1;
		await this.appendRecords(journal, loaded, [
			JSON.stringify({t: {g: generation, start: size, end: size, base: size, seq}}),
		]);
	}

	/** The events log, read on first use and then caught up from the offset read (under the lock). */
	private async loadEvents(): Promise<EventLog> {
		const cached = this.eventsCache;
		const read = await readEvents(
			this.dir,
			this.eventsFile,
			cached ? {generation: cached.generation, from: cached.end} : undefined,
		);
		if (!read) {
			this.eventsCache = undefined;
			return this.newLog();
		}
		const log = read.whole || !cached ? this.newLog() : cached.log;
		log.addAll(read.events);
		this.eventsCache = {log, generation: read.generation, end: read.end};
		return log;
	}

	private newLog(): EventLog {
		return new EventLog(this.options.maxEventsPerRegion);
	}

	/** Folds the journal into a new snapshot. A failure (a full disk) leaves the old pair valid. */
	private async compact(loaded: Loaded): Promise<void> {
		const generation = newGeneration();
		const snapshot: Snapshot = {
			format: snapshotFormat,
			version: 2,
			generation,
			previousGeneration: loaded.generation,
			state: loaded.root,
			...(loaded.eventsTail ? {eventsTail: loaded.eventsTail} : {}),
		};
		const text = JSON.stringify(snapshot);
		try {
			await writeFileAtomic(this.dir, this.snapshotFile, text);
		} catch {
			return; // the journal stays as it is, and is folded next time
		}
		// The new snapshot is in place: until the new journal is, the old one is its `previous`,
		// which a load recognises (and replaces). This process reloads if that went wrong.
		this.cache = undefined;
		try {
			await writeFileAtomic(this.dir, this.journalFile, journalHeader(generation));
		} catch {
			return;
		}
		const identity = await identityOf(this.snapshotFile);
		if (!identity) return;
		loaded.generation = generation;
		loaded.journalEnd = journalHeaderBytes;
		loaded.snapshotBytes = Buffer.byteLength(text);
		loaded.snapshot = identity;
		this.cache = loaded;
	}

	/**
	 * Brings the in-memory state up to date under the lock and returns the journal, open for the
	 * append. Usually reads only the records other processes appended since this one's last
	 * transaction, and nothing when the journal is the one this process kept open and still ends
	 * where this process last left it; after a compaction, a reset or on first use, loads the
	 * snapshot.
	 */
	private catchUp(): Promise<OpenFile> | OpenFile {
		const cached = this.cache;
		if (cached) {
			const current = identityOfSync(this.snapshotFile);
			if (current && sameFile(current, cached.snapshot)) {
				const journal = this.reopenJournal();
				if (journal && this.readTail(journal, cached)) return journal.file;
			}
		}
		return this.reload();
	}

	private async reload(): Promise<OpenFile> {
		this.cache = undefined;
		await this.loadLocked();
		const journal = this.reopenJournal();
		if (!journal) throw sandboxDirError(this.dir, enoent(this.journalFile));
		// loadLocked read (or wrote) the journal at this path under the lock: its generation.
		journal.file.generation = (this.cache as Loaded | undefined)?.generation;
		return journal.file;
	}

	/** The journal at its path, the kept descriptor when it still names it. */
	private reopenJournal():
		| {file: OpenFile & {generation: string | undefined}; size: number; kept: boolean}
		| undefined {
		const kept = this.journalKept;
		this.journalKept = undefined; // closed by reopen when the path names another file
		let found: ReturnType<typeof reopen>;
		try {
			found = reopen(this.journalFile, kept);
		} catch (error) {
			throw sandboxDirError(this.dir, error);
		}
		if (!found) return undefined;
		const file = found.kept && kept ? kept : {...found.file, generation: undefined};
		this.journalKept = file;
		return {file, size: found.size, kept: found.kept};
	}

	/**
	 * Applies the records after `loaded.journalEnd`; false when the journal is another generation.
	 * A kept journal whose header this process read and which still ends where this process last
	 * left it is not read at all.
	 */
	private readTail(
		journal: {file: OpenFile & {generation: string | undefined}; size: number},
		loaded: Loaded,
	): boolean {
		const {file, size} = journal;
		if (size < loaded.journalEnd) return false;
		if (size === loaded.journalEnd && file.generation === loaded.generation) return true;
		let generation: string | undefined;
		try {
			generation = parseJournalHeader(readAt(file, journalHeaderBytes, 0));
		} catch (error) {
			throw sandboxDirError(this.dir, error);
		}
		file.generation = generation;
		if (generation !== loaded.generation) return false;
		if (size === loaded.journalEnd) return true;
		let tail: Buffer;
		try {
			tail = readAt(file, size - loaded.journalEnd, loaded.journalEnd);
		} catch (error) {
			throw sandboxDirError(this.dir, error);
		}
		const decoded = decodeRecords(tail);
		if (decoded.damagedAt !== undefined) throw this.damaged(loaded.journalEnd + decoded.damagedAt);
		for (const record of decoded.records) applyRecord(loaded, record);
		loaded.journalEnd += decoded.validBytes;
		// A torn tail: a writer killed mid-append. Its transaction never answered; cut it off.
		if (decoded.validBytes < tail.length) {
			try {
				ftruncateSync(file.fd, loaded.journalEnd);
			} catch (error) {
				throw sandboxDirError(this.dir, error);
			}
		}
		return true;
	}

	/** A full load under the lock: migrates state.json, repairs a cut-short compaction or a torn tail. */
	private async loadLocked(): Promise<void> {
		const found = await this.readFromDisk();
		let generation: string;
		let snapshotBytes: number;
		if (found.embedded.length > 0) {
			// Events inside state.json (a reset's backup) or inside the snapshot or journal (the
			// working tree's format before events.journal): they move to the events file first, and
			// a new snapshot without them follows. A crash between the two redoes the move.
			const events = this.newLog();
			events.addAll([...found.embedded].sort((a, b) => a.seq - b.seq));
			const kept = events.all();
			const written = await writeCompacted(this.dir, this.eventsFile, kept);
			this.eventsCache = undefined;
			found.eventsTail = {
				g: written.generation,
				start: written.size,
				end: written.size,
				base: written.size,
				seq: (kept.at(-1)?.seq ?? 0) + 1,
			};
		}
		if (!found.snapshot || found.embedded.length > 0) {
			generation = newGeneration();
			const snapshot: Snapshot = {
				format: snapshotFormat,
				version: 2,
				generation,
				previousGeneration: null,
				state: found.root,
				...(found.eventsTail ? {eventsTail: found.eventsTail} : {}),
			};
			const text = JSON.stringify(snapshot);
			snapshotBytes = Buffer.byteLength(text);
			await writeFileAtomic(this.dir, this.snapshotFile, text);
			await writeFileAtomic(this.dir, this.journalFile, journalHeader(generation));
			// Kept as it was, under another name, so that nothing reads it as current again.
			if (found.legacy) await renameIfPresent(this.file, path.join(this.dir, migratedFileName));
		} else {
			generation = found.snapshot.snapshot.generation;
			snapshotBytes = found.snapshot.bytes;
			if (!found.journal) {
				await writeFileAtomic(this.dir, this.journalFile, journalHeader(generation));
			} else if (found.journal.size > found.journal.end) {
				const journal = this.reopenJournal();
				if (journal) ftruncateSync(journal.file.fd, found.journal.end);
			}
		}
		const identity = await identityOf(this.snapshotFile);
		if (!identity) throw sandboxDirError(this.dir, enoent(this.snapshotFile));
		this.cache = {
			root: found.root,
			eventsTail: found.eventsTail,
			embedded: [],
			generation,
			journalEnd: found.journal?.end ?? journalHeaderBytes,
			snapshotBytes,
			snapshot: identity,
		};
	}

	/**
	 * Reads the files as they are. A compaction between reading the snapshot and the journal
	 * shows as a journal of a newer generation: read again.
	 */
	private async readFromDisk(): Promise<FromDisk> {
		for (let attempt = 0; ; attempt++) {
			const snapshotIdentity = await identityOf(this.snapshotFile);
			const snapshot = await readSnapshot(this.dir, this.snapshotFile);
			const journalBytes = await readFile(this.journalFile).catch(
				(error: NodeJS.ErrnoException) => {
					if (error.code === 'ENOENT') return undefined;
					throw sandboxDirError(this.dir, error);
				},
			);
			if (!snapshot) {
				if (journalBytes !== undefined) {
					throw new SandboxStateError(
						`The sandbox directory ${this.dir} holds a journal (${journalFileName}) but not the snapshot it continues (${snapshotFileName}). ` +
							'Nothing was changed. Restore the snapshot, or run `kms-tui sandbox reset` to start an empty sandbox (it keeps a backup).',
					);
				}
				const legacy = await readLegacyState(this.dir, this.file);
				return {
					root: legacy?.state ?? emptySandboxState(),
					eventsTail: undefined,
					embedded: legacy?.events ?? [],
					legacy: legacy !== undefined,
				};
			}
			const root = snapshot.snapshot.state;
			const loaded: Loaded = {
				root,
				eventsTail: snapshot.snapshot.eventsTail,
				embedded: [...(snapshot.snapshot.events ?? [])],
				generation: snapshot.snapshot.generation,
				journalEnd: journalHeaderBytes,
				snapshotBytes: snapshot.bytes,
				snapshot: snapshotIdentity as FileIdentity,
			};
			const found: FromDisk = {
				root,
				eventsTail: loaded.eventsTail,
				embedded: loaded.embedded,
				snapshot: {...snapshot, identity: snapshotIdentity as FileIdentity},
				legacy: false,
			};
			if (journalBytes === undefined) return found;
			const generation = parseJournalHeader(journalBytes);
			if (generation === snapshot.snapshot.previousGeneration) return found;
			if (generation !== snapshot.snapshot.generation) {
				if (attempt < 5 && generation !== undefined) continue;
				throw new SandboxStateError(
					`The journal ${this.journalFile} does not continue the snapshot ${this.snapshotFile} (they are from different sandboxes, or damaged). ` +
						'Nothing was changed. Put back the pair that belongs together, or run `kms-tui sandbox reset` to start an empty sandbox (it keeps a backup).',
				);
			}
			const decoded = decodeRecords(journalBytes.subarray(journalHeaderBytes));
			if (decoded.damagedAt !== undefined) {
				throw this.damaged(journalHeaderBytes + decoded.damagedAt);
			}
			for (const record of decoded.records) applyRecord(loaded, record);
			found.eventsTail = loaded.eventsTail;
			found.journal = {end: journalHeaderBytes + decoded.validBytes, size: journalBytes.length};
			return found;
		}
	}

	private damaged(offset: number): SandboxStateError {
		return new SandboxStateError(
			`The sandbox journal ${this.journalFile} is damaged at byte ${offset}: a record fails its checksum and more records follow it. ` +
				'Nothing was changed. Move the directory away to keep it, or run `kms-tui sandbox reset` to start an empty sandbox (it keeps a backup).',
		);
	}

	private async takeLock(): Promise<HeldLock> {
		const lockFile = path.join(this.dir, 'state.lock');
		await this.ensureDir();
		let lock: HeldLock | undefined;
		try {
			lock = await acquireStateLock(lockFile, this.options, this.lockFile);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
				throw sandboxDirError(this.dir, error);
		}
		if (!lock) {
			this.dirReady = undefined;
			await this.ensureDir();
			try {
				lock = await acquireStateLock(lockFile, this.options, this.lockFile);
			} catch (error) {
				throw sandboxDirError(this.dir, error);
			}
		}
		if (!this.sweptLockFiles) {
			this.sweptLockFiles = true;
			await this.removeDeadLockFiles().catch(() => undefined);
		}
		return lock;
	}

	/**
	 * A process killed between two rounds leaves its private lock file (state-lock.ts), which no
	 * takeover finds: each store looks for those of this host's dead processes once, under the lock.
	 */
	private async removeDeadLockFiles(): Promise<void> {
		for (const name of await readdir(this.dir)) {
			const pid = Number(/^state\.lock\.(\d+)\.[0-9a-f]{24}$/.exec(name)?.[1]);
			if (pid > 0 && pid !== process.pid && !isProcessAlive(pid)) {
				await rm(path.join(this.dir, name), {force: true});
			}
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

	/** A killed writer may have left a temporary copy of a file: it is never renamed now. */
	private async removeLeftovers(pids: readonly number[]): Promise<void> {
		const prefixes = pids.flatMap((pid) =>
			[
				stateFileName,
				snapshotFileName,
				journalFileName,
				eventsFileName,
				`${stateFileName}.bak`,
			].map((name) => `${name}.${pid}.`),
		);
		for (const name of await readdir(this.dir)) {
			// A dead holder's private lock file (state-lock.ts) goes too.
			if (
				(name.endsWith('.tmp') && prefixes.some((prefix) => name.startsWith(prefix))) ||
				pids.some((pid) => name.startsWith(`state.lock.${pid}.`))
			) {
				await rm(path.join(this.dir, name), {force: true});
			}
		}
	}
}

/** Replays one journal record onto raw state (no tracking), telling the indexes. */
function applyRecord(loaded: Loaded, record: JournalRecord): void {
	applyEntities(loaded.root, record);
	if (record.t) loaded.eventsTail = record.t;
	for (const event of record.e ?? []) loaded.embedded.push(event);
}

async function identityOf(file: string): Promise<FileIdentity | undefined> {
	try {
		const info = await stat(file);
		return {ino: info.ino, size: info.size, mtimeMs: info.mtimeMs};
	} catch {
		return undefined;
	}
}

/** Synchronous: a stat is microseconds, and a round makes one (the snapshot's) at its start. */
function identityOfSync(file: string): FileIdentity | undefined {
	try {
		const info = statSync(file);
		return {ino: info.ino, size: info.size, mtimeMs: info.mtimeMs};
	} catch {
		return undefined;
	}
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
	return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

async function renameIfPresent(from: string, to: string): Promise<void> {
	await rename(from, to).catch((error: NodeJS.ErrnoException) => {
		if (error.code !== 'ENOENT') throw error;
	});
}

function enoent(file: string): NodeJS.ErrnoException {
	return Object.assign(new Error(`ENOENT: no such file, ${file}`), {code: 'ENOENT'});
}
