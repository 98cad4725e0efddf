/**
 * Tab completion of a path typed in a text field, relative to the app's cwd. `completePath` is
 * pure (a directory listing in, the completed value and the candidates out) so that its rules
 * are tested without a file system; `readCompletion` lists the directory and calls it.
 */
import type {Dirent} from 'node:fs';
import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';

export type DirEntry = {readonly name: string; readonly isDirectory: boolean};

export type Completion = {
	/** The field's new value: extended to the longest common prefix of the matches. */
	readonly value: string;
	/** The matching names (directories end in `/`) when more than one remains; else empty. */
	readonly candidates: readonly string[];
};

/** `dir/sub/na` → dir `dir/sub/`, base `na`: the part listed and the part completed. */
export function splitPath(input: string): {readonly dir: string; readonly base: string} {
	const slash = input.lastIndexOf('/');
	return slash === -1
		? {dir: '', base: input}
		: {dir: input.slice(0, slash + 1), base: input.slice(slash + 1)};
}

export function longestCommonPrefix(values: readonly string[]): string {
	const [first = '', ...rest] = values;
	let length = first.length;
	for (const value of rest) {
		let index = 0;
		while (index < length && index < value.length && value[index] === first[index]) index++;
		length = index;
	}
	return first.slice(0, length);
}

/**
 * Completes as a shell does: to the longest common prefix of the entries starting with what was
 * typed; a single directory gets its `/`. Hidden entries match only when the typed name starts
 * with a dot, so `tab` on an empty field does not offer `.git/`.
 */
export function completePath(input: string, entries: readonly DirEntry[]): Completion {
	const {dir, base} = splitPath(input);
	const matches = entries
		.filter((entry) => entry.name.startsWith(base))
		.filter((entry) => base.startsWith('.') || !entry.name.startsWith('.'))
		.map((entry) => (entry.isDirectory ? `${entry.name}/` : entry.name))
		.sort();
	if (matches.length === 0) return {value: input, candidates: []};
	const common = longestCommonPrefix(matches);
	return {
		value: dir + (common.length > base.length ? common : base),
		candidates: matches.length > 1 ? matches : [],
	};
}

async function isDirectory(dir: string, entry: Dirent): Promise<boolean> {
	if (entry.isDirectory()) return true;
	if (!entry.isSymbolicLink()) return false;
	// A link to a directory completes like a directory.
	return stat(path.join(dir, entry.name)).then(
		(target) => target.isDirectory(),
		() => false,
	);
}

/** Lists the directory part of `input` (relative to `cwd`) and completes; unreadable → no match. */
export async function readCompletion(cwd: string, input: string): Promise<Completion> {
	const {dir} = splitPath(input);
	const listed = path.resolve(cwd, dir === '' ? '.' : dir);
	let dirents: Dirent[];
	try {
		dirents = await readdir(listed, {withFileTypes: true});
	} catch {
		return {value: input, candidates: []};
	}
	const entries = await Promise.all(
		dirents.map(async (entry) => ({
			name: entry.name,
			isDirectory: await isDirectory(listed, entry),
		})),
	);
	return completePath(input, entries);
}
