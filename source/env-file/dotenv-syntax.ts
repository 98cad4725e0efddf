/**
 * What dotenv reads as a line of a .env file, shared by the merge (which edits assignments in
 * place) and the check that refuses to merge into a file that is not a .env file at all.
 */
import {terminalSafeLine} from '../terminal-text.js';

/**
 * dotenv 17.4.1's LINE regex (lib/main.js), so the scanner sees exactly the assignments dotenv
 * sees, multi-line quoted values included. Differences that do not change what matches: its
 * `(?:^|^)` and `(?:$|$)` are written `^` and `$`, the separator is captured, and `d` exposes
 * match indices. The property test in test/env-file checks the scanner against parse().
 */
export const assignmentLine =
	/^\s*(?:export\s+)?([\w.-]+)(\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/dgm;

/**
 * dotenv matches on text whose `\r\n` and `\r` were turned into `\n`; this does the same and
 * keeps, for every normalized index, the index in the original text, so edits land on the
 * user's bytes (CRLF files stay CRLF).
 */
export function normalize(text: string): {normalized: string; toOriginal: number[]} {
	const parts: string[] = [];
	const toOriginal: number[] = [];
	for (let index = 0; index < text.length; index++) {
		const char = text[index] as string;
		toOriginal.push(index);
		if (char === '\r') {
			parts.push('\n');
			if (text[index + 1] === '\n') index++;
		} else {
			parts.push(char);
		}
	}
	toOriginal.push(text.length);
	return {normalized: parts.join(''), toOriginal};
}

/** A line of the file that is neither an assignment, a comment nor blank. */
export type ForeignLine = {
	/** 1-based, counting `\r\n`, `\r` and `\n` as line breaks, as dotenv does. */
	readonly number: number;
	/** The start of the line, escaped for a terminal. */
	readonly excerpt: string;
};

const excerptLength = 60;

/**
 * The first line that is not `NAME=value` (optionally `export NAME=value`, the value bare or
 * quoted, a quoted value spanning lines as dotenv allows), a comment or a blank line; undefined
 * when every line is one of those. dotenv itself skips such lines silently, so any file parses:
 * merging into a passwd-style file (`--env-file` pointing at the wrong file, or a symlink to one)
 * would append to it. dotenv's other separator, `NAME: value`, is refused too: it is what a
 * YAML file looks like, and no .env convention other than dotenv's reads it.
 */
export function foreignLine(text: string): ForeignLine | undefined {
	const {normalized} = normalize(text);
	const lines = normalized.split('\n');
	const lineStarts: number[] = [];
	let offset = 0;
	for (const entry of lines) {
		lineStarts.push(offset);
		offset += entry.length + 1;
	}
	const lineOf = (index: number): number => {
		let low = 0;
		let high = lineStarts.length - 1;
		while (low < high) {
			const middle = Math.ceil((low + high) / 2);
			if ((lineStarts[middle] ?? 0) <= index) low = middle;
			else high = middle - 1;
		}
		return low;
	};
	const isAssignment = new Uint8Array(lines.length);
	for (const match of normalized.matchAll(assignmentLine)) {
		if (!match[2]?.includes('=')) continue;
		const last = lineOf(match.index + Math.max(match[0].length - 1, 0));
		for (let index = lineOf(match.index); index <= last; index++) isAssignment[index] = 1;
	}
	for (const [index, entry] of lines.entries()) {
		if (isAssignment[index] === 1 || /^\s*(?:#.*)?$/.test(entry)) continue;
		const characters = [...entry];
		const start =
			characters.length > excerptLength ? `${characters.slice(0, excerptLength).join('')}…` : entry;
		return {number: index + 1, excerpt: terminalSafeLine(start)};
	}
	return undefined;
}
