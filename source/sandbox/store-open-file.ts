/**
 * A file of the store that a process keeps open from one commit round to the next (the state
 * journal, the events file), and the synchronous calls a round makes on it.
 *
 * A round used to open, stat, read and close both files, each call a round trip through libuv's
 * thread pool (a futex wake-up and an event-loop turn): ~23 of them per round with the lock's
 * (~235 system calls in all, ~100 of them futex), and a round cost ~4–6 ms of sandbox CPU with
 * its transactions under bench/many-files.mjs. Now the only calls that leave the event loop are
 * the two fdatasyncs, which wait on the disk. Under steady load a round makes ~9 synchronous
 * calls besides (the lock's 4, three stats, two writes into the page cache), some tens of
 * microseconds each on a local disk (perf trace on the bench's two-core VM): ~47 system calls
 * in all, ~10 futex, ~2.4–3 ms of CPU with its transactions.
 *
 * The file kept open is re-validated at each round by its identity: the path is stat'ed, and a
 * different device or inode (another process compacted or reset it: both replace the file by a
 * rename) or no file makes the round open the one there now. The descriptor held keeps the old
 * inode alive, so its number cannot be reused by a new file meanwhile.
 */
import {closeSync, fdatasync, fstatSync, openSync, readSync, statSync, writeSync} from 'node:fs';
import {promisify} from 'node:util';

export type OpenFile = {
	readonly fd: number;
	readonly dev: number;
	readonly ino: number;
};

/** The file at `file` now, with its size, and whether it is the one that was kept. */
export type Reopened = {readonly file: OpenFile; readonly size: number; readonly kept: boolean};

/**
 * The file at `file`, open for reading and writing: `kept` when the path still names it, else a
 * fresh descriptor (and `kept` is closed, as it is when this fails). Undefined when there is no
 * file.
 */
export function reopen(file: string, kept: OpenFile | undefined): Reopened | undefined {
	if (kept) {
		let info: ReturnType<typeof statIfPresent>;
		try {
			info = statIfPresent(file);
		} catch (error) {
			closeQuietly(kept); // the caller forgets it: a failing round opens afresh
			throw error;
		}
		if (info && info.dev === kept.dev && info.ino === kept.ino) {
			return {file: kept, size: info.size, kept: true};
		}
		closeQuietly(kept);
	}
	let fd: number;
	try {
		fd = openSync(file, 'r+');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
	try {
		const info = fstatSync(fd);
		return {file: {fd, dev: info.dev, ino: info.ino}, size: info.size, kept: false};
	} catch (error) {
		closeSync(fd);
		throw error;
	}
}

function statIfPresent(file: string): {dev: number; ino: number; size: number} | undefined {
	try {
		return statSync(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
}

export function closeQuietly(file: OpenFile | undefined): void {
	if (!file) return;
	try {
		closeSync(file.fd);
	} catch {
		// Closed already: nothing holds it.
	}
}

/** `length` bytes at `position` (fewer at the end of the file). */
export function readAt(file: OpenFile, length: number, position: number): Buffer {
	const bytes = Buffer.alloc(length);
	let done = 0;
	while (done < length) {
		const read = readSync(file.fd, bytes, done, length - done, position + done);
		if (read === 0) return bytes.subarray(0, done);
		done += read;
	}
	return bytes;
}

/**
 * Writes all of `bytes` at `position`. Synchronous: into the page cache, microseconds for a
 * round's few kilobytes (~0.2 ms for the 1 MiB a round holds at most); what is slow is the
 * fdatasync after it, which goes through the thread pool.
 */
export function writeAt(file: OpenFile, bytes: Buffer, position: number): void {
	let written = 0;
	while (written < bytes.length) {
		written += writeSync(file.fd, bytes, written, bytes.length - written, position + written);
	}
}

const fdatasyncAsync = promisify(fdatasync);

/** Waits for the file's data to be on disk (the only call of a round that yields). */
export function datasync(file: OpenFile): Promise<void> {
	return fdatasyncAsync(file.fd);
}
