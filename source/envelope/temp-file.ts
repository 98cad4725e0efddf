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
import {type FileHandle, open, readdir, unlink} from 'node:fs/promises';
import {hostname} from 'node:os';
import path from 'node:path';
import {isProcessAlive} from '../process-alive.js';
import {toEnvelopeError} from './errors.js';

export type TempFile = {readonly path: string; readonly handle: FileHandle};

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
	const pattern = new RegExp(
		`^\\.${escapeRegExp(tempStem(name))}\\.kms-tui-(\\d+)-${hostTag}-[\\da-f]{8}\\.tmp$`,
		'u',
	);
	let entries: string[];
	try {
		entries = await readdir(dir);
	} catch {
		return [];
	}
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
		return {path: tempPath, handle: await open(tempPath, 'wx', mode)};
	} catch (error) {
		throw toEnvelopeError(error, `cannot create a file in ${dir}`);
	}
}

/** Closes and deletes a temp file; never throws (it runs while another error is on its way). */
export async function discardTemp(temp: TempFile | undefined): Promise<void> {
	if (!temp) return;
	await temp.handle.close().catch(() => {});
	await unlink(temp.path).catch(() => {});
}

/**
 * Makes the finished temp file's data durable, then closes it: after a power loss the final name
 * then holds all of the data or is absent, never empty or short (docs/guarantees.md has the
 * measurements behind doing it always).
 */
export async function syncAndClose(temp: TempFile): Promise<void> {
	try {
		await temp.handle.datasync();
	} finally {
		await temp.handle.close();
	}
}

/** Makes a rename or link in `dir` durable. Some file systems cannot sync a directory: ignored. */
export async function syncDirectory(dir: string): Promise<void> {
	let handle: FileHandle | undefined;
	try {
		handle = await open(dir, 'r');
		await handle.sync();
	} catch {
		// EINVAL/EISDIR/EBADF on file systems without directory fsync: nothing more can be done.
	} finally {
		await handle?.close().catch(() => {});
	}
}
