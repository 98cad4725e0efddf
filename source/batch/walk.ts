/**
 * The one directory walker: turns the paths a command was given (files, and with `recursive` the
 * directories to enter) into the list of files to work on. `encrypt`, `decrypt`, `inspect`,
 * `rewrap`, `scan` and the TUI all use it, so they agree on what "the files under DIR" are.
 *
 * - Named paths keep the order given; a directory's files come sorted (code-unit order, so the
 *   same tree gives the same order on every machine and locale), depth first.
 * - Inside a walk, symbolic links to directories are never followed (no loops, no escaping the
 *   tree); links to regular files are taken as the file they name. FIFOs, sockets and devices
 *   under a directory are left out: opening a FIFO would block the run.
 * - `.git` and `node_modules` are never entered: nobody means their contents.
 * - A path named twice (`dir dir/a`) is worked on once.
 */
import {type Dirent, lstatSync, type Stats, statSync} from 'node:fs';
import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';
import {setImmediate as nextTurn} from 'node:timers/promises';

export type BatchItem = {
	/** What to open (as given, or joined below a named directory). */
	readonly path: string;
	/** How to name it to the user (before terminalSafe): the same path as typed. */
	readonly displayPath: string;
	/** Bytes, from stat when it was listed. */
	readonly size: number;
	/**
	 * Found under a named directory: its path below that directory (`sub/a.txt`), so that an
	 * output directory can mirror the tree. Absent for a file named on the command line.
	 */
	readonly relativePath?: string;
};

export type WalkProblem = {readonly path: string; readonly reason: string};

export type WalkResult = {
	readonly items: BatchItem[];
	readonly problems: WalkProblem[];
	/** Only with `maxFiles`: the walk stopped there, and there is more (scan's bounded TUI use). */
	readonly isTruncated?: boolean;
};

/** Directories nobody means when they say "everything under here". */
const skippedDirectories = new Set(['.git', 'node_modules']);

function reasonOf(error: unknown): string {
	const code = (error as {code?: unknown}).code;
	if (code === 'ENOENT') return 'no such file or directory';
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
	if (code === 'ENOTDIR') return 'a part of the path is not a directory';
	if (code === 'ELOOP') return 'too many levels of symbolic links';
	return error instanceof Error ? error.message : String(error);
}

function byCodeUnit(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
	if (signal?.aborted) {
		throw signal.reason instanceof Error ? signal.reason : new Error('the walk was cancelled');
	}
}

/**
 * Files named, and with `recursive` the regular files under directories named (sorted, never
 * following symlinks to directories, skipping .git and node_modules). A directory without
 * `recursive` is a problem ("is a directory: add --recursive").
 */
export async function expandPaths(
	paths: readonly string[],
	options: {
		readonly recursive: boolean;
		readonly signal?: AbortSignal;
		readonly maxFiles?: number;
	},
): Promise<WalkResult> {
	const items: BatchItem[] = [];
	const problems: WalkProblem[] = [];
	const seen = new Set<string>();
	const maxFiles = options.maxFiles ?? Number.POSITIVE_INFINITY;
	let isTruncated = false;
	const add = (item: BatchItem) => {
		const key = path.resolve(item.path);
		if (seen.has(key)) return;
		if (items.length >= maxFiles) {
			isTruncated = true;
			return;
		}
		seen.add(key);
		items.push(item);
	};
	const isFull = () => isTruncated;
	for (const given of paths) {
		throwIfAborted(options.signal);
		let info: Awaited<ReturnType<typeof stat>>;
		try {
			// A named path is followed even when it is a link: the user pointed at it.
			info = await stat(given);
		} catch (error) {
			problems.push({path: given, reason: reasonOf(error)});
			continue;
		}
		if (!info.isDirectory()) {
			add({path: given, displayPath: given, size: info.size});
			continue;
		}
		if (!options.recursive) {
			problems.push({path: given, reason: 'is a directory: add --recursive (-r) to enter it'});
			continue;
		}
		await walkDirectory(given, '', {add, isFull, problems, signal: options.signal});
	}
	return isTruncated ? {items, problems, isTruncated} : {items, problems};
}

type WalkState = {
	readonly add: (item: BatchItem) => void;
	readonly isFull: () => boolean;
	readonly problems: WalkProblem[];
	readonly signal: AbortSignal | undefined;
};

/**
 * A file's size comes from a synchronous lstat: a few microseconds, where the asynchronous one
 * is a thread-pool round trip, and the walk awaited a thousand of those one after another before
 * a batch could start. The event loop gets a turn every this many entries, so a TUI walking a
 * large tree keeps drawing and a Ctrl-C is heard.
 */
const ENTRIES_PER_TURN = 256;

async function walkDirectory(root: string, relative: string, state: WalkState): Promise<void> {
	throwIfAborted(state.signal);
	const directory = relative === '' ? root : path.join(root, relative);
	let entries: Dirent[];
	try {
		entries = await readdir(directory, {withFileTypes: true});
	} catch (error) {
		// A subdirectory removed since its parent was listed: nothing there to work on.
		if (relative !== '' && (error as {code?: unknown}).code === 'ENOENT') return;
		state.problems.push({path: directory, reason: reasonOf(error)});
		return;
	}
	entries.sort((a, b) => byCodeUnit(a.name, b.name));
	for (const [index, entry] of entries.entries()) {
		if (state.isFull()) return;
		if (index > 0 && index % ENTRIES_PER_TURN === 0) {
			await nextTurn();
			throwIfAborted(state.signal);
		}
		const below = relative === '' ? entry.name : path.join(relative, entry.name);
		const full = path.join(root, below);
		if (entry.isDirectory()) {
			if (!skippedDirectories.has(entry.name)) await walkDirectory(root, below, state);
			continue;
		}
		if (!entry.isFile() && !entry.isSymbolicLink()) continue;
		let info: Stats;
		try {
			// lstat for files (their size), stat through a link to see what it names.
			info = entry.isSymbolicLink() ? statSync(full) : lstatSync(full);
		} catch (error) {
			// A dangling link is no file to work on, and no problem worth failing for; nor is a
			// file removed since the listing (a lock or temp file of a program at work there).
			if (entry.isSymbolicLink() || (error as {code?: unknown}).code === 'ENOENT') continue;
			state.problems.push({path: full, reason: reasonOf(error)});
			continue;
		}
		if (!info.isFile()) continue;
		state.add({path: full, displayPath: full, size: info.size, relativePath: below});
	}
}
