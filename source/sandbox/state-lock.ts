/**
 * The cross-process lock around a sandbox transaction: a file `state.lock` that names its holder
 * (PID, host, a random token). It appears whole or not at all, because it is written under a
 * private name first and then hard-linked into place, which fails if the lock exists.
 *
 * A holder that was killed (`kill -9`, a crash, power loss) cannot remove its lock. Instead of
 * guessing from the file's age, the next process asks the kernel whether the holder still runs
 * (`process.kill(pid, 0)`) and takes the lock over at once if it does not. A live holder is
 * waited for, and the wait is said once, with who holds the lock.
 *
 * The file operations are synchronous calls. Through the thread pool each cost a futex wake-up
 * and an event-loop turn, and the lock was 7 of a commit round's ~23 such round trips
 * (store-open-file.ts). Synchronous, each blocks the event loop for some tens of microseconds on
 * a local disk (perf trace under bench/many-files.mjs, which adds ~10 µs a call: link 0.03 ms,
 * unlink 0.02–0.05 ms, stat 0.02 ms median); creating a file waits longer (LockFileSlot). Only
 * the wait for a live holder yields (a timer).
 */
import {randomBytes} from 'node:crypto';
import {
	closeSync,
	fstatSync,
	ftruncateSync,
	linkSync,
	openSync,
	readFileSync,
	renameSync,
	rmdirSync,
	statSync,
	unlinkSync,
	writeSync,
} from 'node:fs';
import {hostname} from 'node:os';
import {setTimeout as sleep} from 'node:timers/promises';
import {isProcessAlive} from '../process-alive.js';
import {SandboxStateError} from './state-error.js';

type Holder = {
	readonly pid: number;
	readonly host: string;
	readonly token: string;
	readonly since: string;
};

export type LockNotice = (message: string) => void;

export type LockOptions = {
	/** How long to wait for a live holder before giving up. */
	readonly timeoutMs?: number;
	/** Where "waiting for …" and "took over …" go; stderr by default. */
	readonly notice?: LockNotice;
};

/** A holder on another host cannot be asked whether it runs: after this long it is presumed gone. */
const foreignHolderStaleMs = 60_000;
/** A lock directory is proper-lockfile's (older kms-tui builds); they refreshed it every 5 s. */
const legacyLockStaleMs = 10_000;

function readHolder(file: string): Holder | 'missing' | 'legacy' | 'unreadable' {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return 'missing';
		if (code === 'EISDIR') return 'legacy';
		throw error;
	}
	try {
		const parsed = JSON.parse(text) as Partial<Holder>;
		if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
			return {
				pid: parsed.pid,
				host: String(parsed.host),
				token: parsed.token,
				since: String(parsed.since),
			};
		}
	} catch {
		// Not ours: fall through.
	}
	return 'unreadable';
}

function describe(holder: Holder): string {
	return `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} (holding it since ${holder.since})`;
}

function isStale(lockPath: string, holder: Holder | 'legacy' | 'unreadable'): boolean {
	if (typeof holder === 'object') {
		if (holder.host === hostname()) return !isProcessAlive(holder.pid);
		return Date.now() - Date.parse(holder.since) > foreignHolderStaleMs;
	}
	const age = Date.now() - statSync(lockPath).mtimeMs;
	return age > (holder === 'legacy' ? legacyLockStaleMs : foreignHolderStaleMs);
}

/**
 * Removes a stale lock, unless someone replaced it since it was read: it is first renamed
 * aside (atomic), then checked, and put back if it turned out to be another, live holder's.
 */
function removeStale(lockPath: string, seen: Holder | 'legacy' | 'unreadable'): void {
	if (seen === 'legacy') {
		ignoreFailure(() => rmdirSync(lockPath));
		return;
	}
	const aside = `${lockPath}.stale.${randomBytes(6).toString('hex')}`;
	try {
		renameSync(lockPath, aside);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	const moved = readHolder(aside);
	const same =
		typeof seen === 'object'
			? typeof moved === 'object' && moved.token === seen.token
			: moved === seen;
	if (!same) ignoreFailure(() => linkSync(aside, lockPath));
	ignoreFailure(() => unlinkSync(aside));
}

function ignoreFailure(work: () => void): void {
	try {
		work();
	} catch {
		// Best effort: what is left is someone else's, or gone already.
	}
}

export type HeldLock = {
	release(): Promise<void>;
	/** PIDs of this host's dead holders whose locks were taken over: their leftovers can go. */
	readonly tookOverFrom: readonly number[];
};

/**
 * The private file a lock is linked from, `state.lock.PID.TOKEN`: it names its holder, and its
 * open descriptor pins its inode, by which a release knows the lock is still this one.
 */
type PrivateLockFile = {
	readonly path: string;
	readonly fd: number;
	readonly dev: number;
	readonly ino: number;
	readonly pid: number;
	readonly host: string;
	readonly token: string;
	/** Its content's length: a holder line is rewritten in place, at the same length. */
	bytes: number;
};

/**
 * Where a caller keeps its private lock file between acquisitions (a store, while transactions
 * keep coming): then taking the lock again is a rewrite of the holder line and a link(2), and
 * releasing it a stat and an unlink, instead of also creating and removing a file each time. A
 * file creation was the costliest call of a commit round (perf trace on the bench: 0.08 ms
 * median, 0.15 ms mean, up to 3 ms while another file's fdatasync commits the ext4 journal).
 * `dropLockFile` removes it; a process killed meanwhile leaves it, and the next store to take
 * the lock on this host removes it (store.ts: with a dead holder's leftovers, or once per store).
 */
export type LockFileSlot = {file?: PrivateLockFile};

function holderLine(file: PrivateLockFile): Buffer {
	const holder: Holder = {
		pid: file.pid,
		host: file.host,
		token: file.token,
		since: new Date().toISOString(),
	};
	return Buffer.from(`${JSON.stringify(holder)}\n`);
}

function createLockFile(lockPath: string): PrivateLockFile {
	const token = randomBytes(12).toString('hex');
	const path = `${lockPath}.${process.pid}.${token}`;
	const fd = openSync(path, 'wx', 0o600);
	try {
		const info = fstatSync(fd);
		const file: PrivateLockFile = {
			path,
			fd,
			dev: info.dev,
			ino: info.ino,
			pid: process.pid,
			host: hostname(),
			token,
			bytes: 0,
		};
		writeLine(file);
		return file;
	} catch (error) {
		// On a full disk the file is created but its write fails, and it must go.
		closeSync(fd);
		ignoreFailure(() => unlinkSync(path));
		throw error;
	}
}

/** Writes a holder line with the time now, whole, before the file is linked as the lock. */
function writeLine(file: PrivateLockFile): void {
	const line = holderLine(file);
	let written = 0;
	while (written < line.length) {
		written += writeSync(file.fd, line, written, line.length - written, written);
	}
	if (line.length < file.bytes) ftruncateSync(file.fd, line.length);
	file.bytes = line.length;
}

/** Removes the private lock file a slot keeps (once its holder is done with the state). */
export function dropLockFile(slot: LockFileSlot): void {
	const file = slot.file;
	if (!file) return;
	slot.file = undefined;
	ignoreFailure(() => unlinkSync(file.path));
	ignoreFailure(() => closeSync(file.fd));
}

/** Links the private file as the lock, whole, unless the lock exists. */
function tryCreate(lockPath: string, slot: LockFileSlot): boolean {
	// Written under a private name, then linked: the lock never exists half-written.
	if (slot.file) {
		try {
			writeLine(slot.file);
			linkSync(slot.file.path, lockPath);
			return true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
			// The private file is gone (removed by hand) or cannot be written: start afresh.
			dropLockFile(slot);
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
	}
	slot.file = createLockFile(lockPath);
	try {
		linkSync(slot.file.path, lockPath);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
			dropLockFile(slot);
			throw error;
		}
		return false;
	}
}

/**
 * Takes the lock at `lockPath`. Waits for a live holder (saying so once), takes over at once from
 * a holder that is gone (saying so), and fails after `timeoutMs`.
 */
export async function acquireStateLock(
	lockPath: string,
	options: LockOptions = {},
	kept?: LockFileSlot,
): Promise<HeldLock> {
	const notice =
		options.notice ?? ((message) => process.stderr.write(`kms-tui sandbox: ${message}\n`));
	const timeoutMs = options.timeoutMs ?? 30_000;
	// Without a slot of the caller's, the private file lives only for this acquisition, so a
	// process killed while waiting leaves nothing.
	const slot = kept ?? {};
	const host = hostname();
	const tookOverFrom: number[] = [];
	let saidWaiting = false;
	let pause = 1;
	// Waiting is timed per holder: under contention the lock passes from one process to the next
	// every few milliseconds, which is progress, not a stuck holder to report or give up on.
	let seen: string | undefined;
	let started = Date.now();
	for (;;) {
		let taken: boolean;
		try {
			taken = tryCreate(lockPath, slot);
		} catch (error) {
			if (!kept) dropLockFile(slot);
			throw error;
		}
		if (taken) break;
		const holder = readHolder(lockPath);
		if (holder === 'missing') continue; // released meanwhile: try again at once
		const identity = typeof holder === 'object' ? holder.token : holder;
		if (identity !== seen) {
			seen = identity;
			started = Date.now();
		}
		if (isStale(lockPath, holder)) {
			removeStale(lockPath, holder);
			if (typeof holder === 'object' && holder.host === host) tookOverFrom.push(holder.pid);
			notice(
				typeof holder === 'object'
					? `took over the sandbox lock of ${describe(holder)}: that process is no longer running.`
					: `took over an abandoned sandbox lock (${lockPath}).`,
			);
			continue;
		}
		if (Date.now() - started > timeoutMs) {
			if (!kept) dropLockFile(slot);
			throw new SandboxStateError(
				`The sandbox state is still locked by ${typeof holder === 'object' ? describe(holder) : `another process (${lockPath})`} after ${Math.round(timeoutMs / 1000)} s. ` +
					'If that process is stuck, stop it; kms-tui takes over the lock of a process that has ended.',
			);
		}
		if (!saidWaiting && Date.now() - started > 500) {
			saidWaiting = true;
			notice(
				`waiting for the sandbox lock: ${typeof holder === 'object' ? describe(holder) : `another process (${lockPath})`} is using the sandbox state.`,
			);
		}
		// A waiter keeps no private file: killed while it waits, it leaves nothing.
		dropLockFile(slot);
		await sleep(pause);
		// Short polls: a transaction holds the lock for a millisecond or two, and a waiter asleep
		// for longer loses its turn to the others again and again.
		pause = Math.min(pause * 2, 8);
	}
	const file = slot.file as PrivateLockFile;
	return {
		tookOverFrom,
		release: async () => {
			// Removed only while still ours (the lock is our private file's inode, which our open
			// descriptor keeps from being reused): a process that presumed us gone may hold it now.
			try {
				const info = statSync(lockPath);
				if (info.dev === file.dev && info.ino === file.ino) unlinkSync(lockPath);
			} catch {
				// Gone already: taken over and released by another process.
			}
			if (!kept) dropLockFile(slot);
		},
	};
}
