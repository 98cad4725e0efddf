/**
 * The temp file a file output is written to before it is moved into place (docs/FORMAT.md §8,
 * docs/guarantees.md): `.NAME.kms-tui-PID-HOST-RANDOM.tmp` in the target directory.
 *
 * The name says who wrote it, so that the leftovers of a writer that was killed (`kill -9`, a
 * crash, power loss) can be told from the temp file of a run still in progress: the next run for
 * the same output removes those whose process is gone on this host, and says so. A decrypt's
 * temp file holds plaintext, so it must not stay behind.
 */
import {createHash, randomBytes} from 'node:crypto';
import {
	closeSync,
	fdatasync as fdatasyncCallback,
	fsync as fsyncCallback,
	open as openCallback,
	openSync,
	unlinkSync,
} from 'node:fs';
import {readdir, unlink} from 'node:fs/promises';
import {hostname} from 'node:os';
import path from 'node:path';
import {isProcessAlive} from '../process-alive.js';
import {toEnvelopeError} from './errors.js';

/**
 * An open temp file: a plain descriptor, opened, closed and removed synchronously (microseconds,
 * where a thread-pool round trip costs more CPU than the call: see envelope/io.ts).
 */
export type TempFile = {readonly path: string; readonly fd: number};

/** Longest file name most file systems take (ext4, xfs, btrfs, tmpfs, APFS: 255 bytes). */
export const NAME_MAX_BYTES = 255;

/** Target names longer than this get a shortened stem in their temp name (see tempStem). */
const FULL_STEM_MAX_BYTES = 200;

/**
 * Eight hex digits of SHA-256(hostname): a PID means nothing on another machine sharing the
 * directory (NFS, a container volume), so only temp files of this host are ever judged stale.
 */
const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** The part of the target name a temp name keeps: all of it, or its first 50 characters. */
function tempStem(name: string): string {
	if (Buffer.byteLength(name) <= FULL_STEM_MAX_BYTES) return name;
	// By code point, so a surrogate pair is never cut in half.
	return Array.from(name).slice(0, 50).join('');
}

/** `.NAME.kms-tui-PID-HOST-RANDOM.tmp`; at most 200 + 39 bytes, so always a valid name. */
export function tempName(name: string, pid = process.pid): string {
	return `.${tempStem(name)}.kms-tui-${pid}-${hostTag}-${randomBytes(4).toString('hex')}.tmp`;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Deletes the temp files an earlier writer of `dir/name` left when it was killed: same target,
 * this host, a process that no longer exists. Returns the names removed. Best effort: a
 * directory that cannot be listed, or a file that vanished meanwhile, is not an error.
 */
export async function removeStaleTemps(dir: string, name: string): Promise<string[]> {
	let entries: readonly string[];
	try {
		entries = await tempEntries(dir);
	} catch {
		return [];
	}
	// Nearly always none: then no pattern is compiled (a batch asks once per file).
	const prefix = `.${tempStem(name)}.kms-tui-`;
	if (!entries.some((entry) => entry.startsWith(prefix))) return [];
	const pattern = new RegExp(
		`^\\.${escapeRegExp(tempStem(name))}\\.kms-tui-(\\d+)-${hostTag}-[\\da-f]{8}\\.tmp$`,
		'u',
	);
	const removed: string[] = [];
	for (const entry of entries) {
		const pid = pattern.exec(entry)?.[1];
		if (pid === undefined || isProcessAlive(Number(pid))) continue;
		try {
			await unlink(path.join(dir, entry));
			removed.push(entry);
		} catch {
			// Someone else removed it first.
		}
	}
	return removed;
}

/** How long a directory's list of temp files is reused (see tempEntries). */
const LISTING_TTL_MS = 1000;

const listings = new Map<string, {readonly at: number; readonly names: Promise<string[]>}>();

/**
 * The names in `dir` that look like temp files, listed at most once a second: a batch creates
 * hundreds of temp files in one directory, and listing a directory of a thousand files for each
 * one was a fifth of the time a 4 KiB file took (CPU profile of `encrypt -r` on 1,000 files). A writer killed within that second is cleaned up by
 * the next run instead of this one.
 */
function tempEntries(dir: string): Promise<string[]> {
	const now = performance.now();
	const cached = listings.get(dir);
	if (cached && now - cached.at < LISTING_TTL_MS) return cached.names;
	const names = readdir(dir).then((entries) =>
		entries.filter((entry) => entry.startsWith('.') && entry.endsWith('.tmp')),
	);
	listings.set(dir, {at: now, names});
	names.catch(() => listings.delete(dir));
	return names;
}

/**
 * Creates the temp file for `dir/name` (exclusively: never an existing file), after removing
 * stale ones of the same target; `onNotice` hears of each removal.
 */
export async function createTemp(
	dir: string,
	name: string,
	mode: number,
	onNotice?: (message: string) => void,
): Promise<TempFile> {
	for (const stale of await removeStaleTemps(dir, name)) {
		onNotice?.(
			`removed ${path.join(dir, stale)}, a temp file left by an earlier kms-tui run that was killed before it finished.`,
		);
	}
	const tempPath = path.join(dir, tempName(name));
	try {
		return {path: tempPath, fd: await createExclusive(tempPath, mode)};
	} catch (error) {
		throw toEnvelopeError(error, `cannot create a file in ${dir}`);
	}
}

/**
 * open(O_CREAT | O_EXCL) on the thread pool. Unlike the other metadata steps, creating an inode
 * is slow: ~0.1 ms of kernel CPU and ~0.23 ms in all on this project's VM (ext4), against
 * ~0.015 ms for a link; synchronous, it blocked the main thread for 0.64 s of a 1,000-file batch
 * (strace -T), time in which it could have been sending KMS requests.
 */
function createExclusive(file: string, mode: number): Promise<number> {
	return new Promise((resolve, reject) => {
		openCallback(file, 'wx', mode, (error, fd) => (error ? reject(error) : resolve(fd)));
	});
}

/** Closes and deletes a temp file; never throws (it runs while another error is on its way). */
export async function discardTemp(temp: TempFile | undefined): Promise<void> {
	if (!temp) return;
	closeQuietly(temp);
	try {
		unlinkSync(temp.path);
	} catch {
		// Gone already, or the directory went: nothing is left to remove.
	}
}

/**
 * Closes the temp file unless syncAndClose did already (a commit can fail after it): a
 * descriptor's number is reused at once, so closing it twice could close another file in flight.
 */
function closeQuietly(temp: TempFile): void {
	if (closed.has(temp)) return;
	closed.add(temp);
	try {
		closeSync(temp.fd);
	} catch {
		// EBADF after a close elsewhere; EIO from a failed writeback is the write's own error.
	}
}

/** Temp files whose descriptor was closed. */
const closed = new WeakSet<TempFile>();

/** fdatasync(2) on the thread pool: the one step of a temp file that waits on the disk. */
export function datasync(fd: number): Promise<void> {
	return new Promise((resolve, reject) => {
		fdatasyncCallback(fd, (error) => (error ? reject(error) : resolve()));
	});
}

/**
 * Makes the finished temp file's data durable, then closes it: after a power loss the final name
 * then holds all of the data or is absent, never empty or short (docs/guarantees.md has the
 * measurements behind doing it always).
 */
export async function syncAndClose(temp: TempFile): Promise<void> {
	try {
		await datasync(temp.fd);
	} finally {
		closed.add(temp);
		closeSync(temp.fd);
	}
}

/** Makes a rename or link in `dir` durable. Some file systems cannot sync a directory: ignored. */
export function syncDirectory(dir: string): Promise<void> {
	// Files renamed into one directory at once (a batch: 8 in flight) share an fsync: each caller
	// is served by the first fsync that starts after it asked, which covers its rename, so a
	// thousand files into one directory cost a few dozen directory syncs instead of a thousand.
	let state = directorySyncs.get(dir);
	if (!state) {
		state = {waiting: [], running: false};
		directorySyncs.set(dir, state);
	}
	const queue = state;
	return new Promise((resolve) => {
		queue.waiting.push(resolve);
		if (!queue.running) void drainDirectorySyncs(dir, queue);
	});
}

type DirectorySyncs = {waiting: (() => void)[]; running: boolean};

const directorySyncs = new Map<string, DirectorySyncs>();

async function drainDirectorySyncs(dir: string, state: DirectorySyncs): Promise<void> {
	state.running = true;
	while (state.waiting.length > 0) {
		// Everyone who asked before this fsync starts.
		const served = state.waiting.splice(0);
		await fsyncDirectory(dir);
		for (const resolve of served) resolve();
	}
	state.running = false;
	directorySyncs.delete(dir);
}

async function fsyncDirectory(dir: string): Promise<void> {
	let fd: number | undefined;
	try {
		fd = openSync(dir, 'r');
		const opened = fd;
		await new Promise<void>((resolve, reject) => {
			fsyncCallback(opened, (error) => (error ? reject(error) : resolve()));
		});
	} catch {
		// EINVAL/EISDIR/EBADF on file systems without directory fsync: nothing more can be done.
	} finally {
		if (fd !== undefined) {
			try {
				closeSync(fd);
			} catch {
				// Nothing to do: the directory's fsync result is what mattered.
			}
		}
	}
}
