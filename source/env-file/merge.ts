/**
 * The pure core of `kms-tui outputs --write-env`: merge values into the text of a .env file the
 * user owns, changing nothing but the values being set.
 *
 * Rules (see also templates/env.template):
 * - Text with a line that is neither an assignment, a comment nor blank is not a .env file and
 *   is refused whole (dotenv-syntax.ts): dotenv would skip such lines and kms-tui append to it.
 * - Lines that do not assign a key being set stay byte for byte, line endings included.
 * - dotenv's parse() lets the LAST assignment of a duplicated key win (it assigns obj[key] in
 *   file order; `override` only concerns process.env). So the last assignment is the one
 *   replaced in place, which makes the new value the effective one; earlier duplicates are
 *   already dead to dotenv and are left alone.
 * - Keys that are not in the file yet are appended in the order given, under one
 *   `# Written by kms-tui outputs --write-env` line (added only if not already there).
 * - Values are written bare when they can be; otherwise double-quoted (with `\n` and `\r`, the
 *   only escapes dotenv expands), falling back to single quotes or backticks, and every encoding
 *   is checked by round-tripping it through dotenv's own parse().
 */
import {parse} from 'dotenv';
import {terminalSafeLine} from '../terminal-text.js';
import {assignmentLine, foreignLine, normalize} from './dotenv-syntax.js';
import {type EnvChange, EnvFileError} from './types.js';

export const writtenByHeader = '# Written by kms-tui outputs --write-env';

const validKey = /^[\w.-]+$/;

/** Characters that would be misread in a bare value: dotenv trims it and cuts it at `#`. */
const needsQuotes = /[\s#'"`]|\p{Cc}/u;

type Quote = '"' | "'" | '`';

/** Where a key's value sits in the original text: [start, end) is replaced by the new value. */
type ValueSpan = {
	readonly start: number;
	readonly end: number;
	readonly padAfter: boolean;
	/** The quote the old value used, tried first so a quoted line stays quoted. */
	readonly quote: Quote | undefined;
};

/** The value span of the last assignment of every key, in original-text offsets. */
export function scanAssignments(text: string): Map<string, ValueSpan> {
	const {normalized, toOriginal} = normalize(text);
	const spans = new Map<string, ValueSpan>();
	for (const match of normalized.matchAll(assignmentLine)) {
		const key = match[1];
		const separator = match.indices?.[2];
		if (key === undefined || separator === undefined) continue;
		const raw = match[3];
		const rawSpan = match.indices?.[3];
		let start = separator[1];
		let end = start;
		if (raw !== undefined && rawSpan !== undefined) {
			if (raw.trim() === '') {
				// Only blanks after `=`: put the value right after `=`, the blanks stay behind it.
				start = rawSpan[0];
				end = start;
			} else {
				// Keep the blanks around the value (e.g. before an inline `# comment`).
				start = rawSpan[0] + (raw.length - raw.trimStart().length);
				end = rawSpan[1] - (raw.length - raw.trimEnd().length);
			}
		}
		const first = normalized[start];
		const quoted =
			end - start >= 2 &&
			(first === '"' || first === "'" || first === '`') &&
			normalized[end - 1] === first;
		spans.set(key, {
			quote: quoted ? first : undefined,
			start: toOriginal[start] ?? text.length,
			end: toOriginal[end] ?? text.length,
			// `KEY=# note` must become `KEY=value # note`, not `KEY=value# note`.
			padAfter: start === end && normalized[end] === '#',
		});
	}
	return spans;
}

/**
 * The plainest spelling of `value` (bare, then "…", then '…', then `…`) that dotenv reads back as
 * exactly `value`, on one line.
 * Throws EnvFileError when there is none (a value with a newline and a double quote, or one
 * that needs quotes and contains all three quote characters).
 */
export function encodeEnvValue(key: string, value: string, preferQuote?: Quote): string {
	const candidates: string[] = [];
	if (!needsQuotes.test(value)) candidates.push(value);
	// A quote or a trailing backslash inside the quotes would let dotenv's regex look for the
	// closing quote further down the file, so such candidates are not even tried.
	if (!value.includes('"') && !value.endsWith('\\')) {
		candidates.push(`"${value.replaceAll('\n', '\\n').replaceAll('\r', '\\r')}"`);
	}
	for (const quote of ["'", '`']) {
		if (!value.includes(quote) && !value.endsWith('\\') && !/[\r\n]/.test(value)) {
			candidates.push(`${quote}${value}${quote}`);
		}
	}
	if (preferQuote !== undefined) {
		// Stable sort: the user's quote style first, otherwise the order above.
		candidates.sort(
			(a, b) => Number(b.startsWith(preferQuote)) - Number(a.startsWith(preferQuote)),
		);
	}
	for (const candidate of candidates) {
		if (parse(`${key}=${candidate}`)[key] === value) return candidate;
	}
	throw new EnvFileError(
		`The value for ${key} cannot be written to a .env file so that dotenv reads it back unchanged (${JSON.stringify(value)}). Set ${key} by hand, or pass a value without quote characters and line breaks.`,
		{code: 'invalid-value'},
	);
}

function detectEol(text: string): string {
	return /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
}

function appendBlock(text: string, assignments: readonly string[]): string {
	const eol = detectEol(text);
	const hasHeader = text.split(/\r\n|\r|\n/).some((entry) => entry.trim() === writtenByHeader);
	const block = (hasHeader ? assignments : [writtenByHeader, ...assignments]).join(eol);
	if (text === '') return `${block}${eol}`;
	// A file without a final newline keeps that style: the block goes on new lines, and the
	// result ends without a newline too.
	const endedWithEol = /[\r\n]$/.test(text);
	let result = endedWithEol ? text : `${text}${eol}`;
	// A blank line sets kms-tui's block apart, unless the file already ends with one.
	const lastLineBlank = /(?:^|\r\n|\r|\n)[ \t]*$/.test(result.replace(/(?:\r\n|\r|\n)$/, ''));
	if (!hasHeader && !lastLineBlank) result += eol;
	result += block;
	return endedWithEol ? `${result}${eol}` : result;
}

function describeKeys(keys: readonly string[]): string {
	return keys.length > 3 ? `${keys.slice(0, 3).join(', ')}, …` : keys.join(', ');
}

/** Pure core used by planEnvMerge: merge `values` into existing text. */
export function mergeEnvText(
	existing: string,
	values: Readonly<Record<string, string>>,
): {text: string; changes: EnvChange[]} {
	const foreign = foreignLine(existing);
	if (foreign) {
		throw new EnvFileError(
			`not a .env file: line ${foreign.number} is neither NAME=value, a comment nor blank ("${foreign.excerpt}"), so nothing was written. Point --env-file at your .env file, or fix or remove that line.`,
			{code: 'not-dotenv'},
		);
	}
	const before = parse(existing);
	const spans = scanAssignments(existing);
	const changes: EnvChange[] = [];
	const edits: Array<{start: number; end: number; text: string}> = [];
	const appended: string[] = [];

	for (const [key, value] of Object.entries(values)) {
		if (!validKey.test(key)) {
			throw new EnvFileError(
				`${JSON.stringify(key)} is not a variable name dotenv can read (letters, digits, _ . - only). Rename the output or set it by hand.`,
				{code: 'invalid-key'},
			);
		}
		if (typeof value !== 'string') {
			throw new EnvFileError(`The value for ${key} is not a string; nothing was merged.`, {
				code: 'invalid-value',
			});
		}
		const previous = Object.hasOwn(before, key) ? before[key] : undefined;
		if (previous === value) {
			changes.push({key, before: previous, after: value, kind: 'unchanged'});
			continue;
		}
		const span = previous === undefined ? undefined : spans.get(key);
		const encoded = encodeEnvValue(key, value, span?.quote);
		if (span) {
			edits.push({start: span.start, end: span.end, text: span.padAfter ? `${encoded} ` : encoded});
			changes.push({key, before: previous, after: value, kind: 'changed'});
		} else {
			appended.push(`${key}=${encoded}`);
			changes.push({key, before: undefined, after: value, kind: 'added'});
		}
	}

	let text = existing;
	// Right to left, so earlier offsets stay valid.
	for (const edit of edits.sort((a, b) => b.start - a.start)) {
		text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
	}
	if (appended.length > 0) text = appendBlock(text, appended);

	verifyMerge(before, parse(text), values);
	return {text, changes};
}

/**
 * The merge is line-surgical, and dotenv's regex can read across lines (an unterminated quote
 * elsewhere in the file may swallow what follows). Rather than write such a file, check with
 * dotenv itself that the new values are effective and every other variable reads as before.
 */
function verifyMerge(
	before: Readonly<Record<string, string>>,
	after: Readonly<Record<string, string>>,
	values: Readonly<Record<string, string>>,
): void {
	const wrong = new Set<string>();
	for (const [key, value] of Object.entries(values)) {
		if (after[key] !== value) wrong.add(key);
	}
	for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
		if (!Object.hasOwn(values, key) && before[key] !== after[key]) wrong.add(key);
	}
	if (wrong.size === 0) return;
	throw new EnvFileError(
		`Merging would change how dotenv reads ${describeKeys([...wrong])} (probably an unterminated quote in the file), so nothing was written. Fix the quoting in the file, or set the values by hand.`,
		{code: 'merge-conflict'},
	);
}

function show(value: string | undefined): string {
	if (value === undefined || value === '') return '""';
	// One line per key, whatever the value holds; values come from the stack and the file, so
	// they are escaped for the terminal (newlines as \n, ESC as \e, …).
	return terminalSafeLine(value);
}

/** A short human diff of the changes, one line per key; unchanged keys are omitted. */
export function describeEnvChanges(changes: readonly EnvChange[]): string[] {
	const lines: string[] = [];
	for (const change of changes) {
		if (change.kind === 'added') lines.push(`+ ${change.key}=${show(change.after)}`);
		else if (change.kind === 'changed') {
			lines.push(`~ ${change.key}: ${show(change.before)} → ${show(change.after)}`);
		}
	}
	return lines;
}
