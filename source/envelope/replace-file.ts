/**
 * Replacing a file in place, atomically, for rewrap: the new content goes to a temp file beside
 * it (temp-file.ts), is fdatasync'ed, gets the original's mode (and owner, where allowed), and is
 * renamed over the original only if the original did not change meanwhile (size, mtime, inode).
 * Any failure or cancel deletes the temp file and leaves the original byte-identical.
 *
 * A symlink is followed: the file it points at is replaced and the link stays a link (as
 * decrypt --force does for an output named through a link, FORMAT.md §8). The link was named by
 * the user (or chosen by the directory walker), so where it points is theirs to decide.
 */
import {type BigIntStats, fchmodSync, fchownSync, fstatSync, renameSync, statSync} from 'node:fs';
import {type FileHandle, open, realpath} from 'node:fs/promises';
import path from 'node:path';
import {EnvelopeError, throwIfAborted, toEnvelopeError} from './errors.js';
import {createTemp, discardTemp, syncAndClose, syncDirectory} from './temp-file.js';

export type OpenedForRewrap = {
	/** The real path (symlinks resolved): what is read and replaced. */
	readonly path: string;
	readonly handle: FileHandle;
	readonly size: number;
	readonly stats: BigIntStats;
};

/** Opens the regular file behind `file` for reading; anything else is refused. */
export async function openForRewrap(file: string, label: string): Promise<OpenedForRewrap> {
	let handle: FileHandle | undefined;
	try {
		const target = await realpath(file);
		handle = await open(target, 'r');
		const stats = await handle.stat({bigint: true});
		if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'});
		if (!stats.isFile()) {
			throw new EnvelopeError(
				'invalid-argument',
				`${label}: not a regular file (a pipe, device or socket); only files can be re-wrapped in place.`,
			);
		}
		return {path: target, handle, size: Number(stats.size), stats};
	} catch (error) {
		await handle?.close().catch(() => {});
		throw toEnvelopeError(error, label);
	}
}

/**
 * Writes the new content with `write` (into the temp file's descriptor, positioned writes from
 * 0) and moves it over `opened.path`. Returns the new file's size. The metadata steps are
 * synchronous, as for every temp file (envelope/io.ts says why).
 */
export async function replaceFile(
	opened: OpenedForRewrap,
	options: {
		readonly label: string;
		readonly signal: AbortSignal | undefined;
		readonly onNotice: ((message: string) => void) | undefined;
		readonly write: (out: number) => Promise<void>;
	},
): Promise<number> {
	const {label, signal} = options;
	const dir = path.dirname(opened.path);
	const {stats} = opened;
	const temp = await createTemp(dir, path.basename(opened.path), 0o600, options.onNotice);
	let size: number;
	try {
		await options.write(temp.fd);
		fchmodSync(temp.fd, Number(stats.mode & 0o7777n));
		try {
			fchownSync(temp.fd, Number(stats.uid), Number(stats.gid));
		} catch {
			// Root re-wrapping someone else's file keeps it theirs; others cannot chown (and need not).
		}
		size = fstatSync(temp.fd).size;
		throwIfAborted(label, signal);
		await syncAndClose(temp);
		const now = statSync(opened.path, {bigint: true, throwIfNoEntry: false});
		if (
			!now ||
			now.ino !== stats.ino ||
			now.dev !== stats.dev ||
			now.size !== stats.size ||
			now.mtimeNs !== stats.mtimeNs
		) {
			throw new EnvelopeError(
				'io',
				`${label}: the file changed while it was being re-wrapped; it was left as it now is — run rewrap again when nothing is writing to it.`,
			);
		}
		throwIfAborted(label, signal);
		renameSync(temp.path, opened.path);
	} catch (error) {
		await discardTemp(temp);
		throw toEnvelopeError(error, label);
	}
	await syncDirectory(dir);
	if (stats.nlink > 1n) {
		options.onNotice?.(
			`${label}: it had ${stats.nlink} hard links; only this name holds the new wrapping, the other names still hold the old file.`,
		);
	}
	return size;
}
