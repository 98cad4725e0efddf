/**
 * After `kms-tui destroy`: the .env variables that still name the deleted key (KMS_KEY_ID,
 * KMS_KEY_ARN, KMS_KEY_ALIAS), commented out (the default: easy to take back) or removed. Only
 * the lines of those assignments change — every other byte stays, line endings included — and
 * the file is written as `outputs --write-env` writes it: atomically, the previous file kept as
 * FILE.bak (write.ts).
 */
import {parse} from 'dotenv';
import {assignmentLine, normalize} from './dotenv-syntax.js';
import {decode, readExisting} from './read.js';
import {EnvFileError, type EnvMergePlan} from './types.js';
import {writeEnvMerge} from './write.js';

/** The variables kms-tui writes that name a key. */
export const keyVariables = ['KMS_KEY_ID', 'KMS_KEY_ARN', 'KMS_KEY_ALIAS'] as const;

export type KeyNames = {
	readonly keyId: string;
	readonly arn: string;
	/** The alias names (and ARNs) that pointed at the key, read before it was deleted. */
	readonly aliases: readonly string[];
};

export type EnvCleanupMode = 'comment' | 'remove';

export type EnvCleanupLine = {
	readonly name: string;
	readonly value: string;
	/** 1-based line of the assignment in the file as it was. */
	readonly line: number;
};

export type EnvCleanupPlan = EnvMergePlan & {
	readonly mode: EnvCleanupMode;
	readonly lines: readonly EnvCleanupLine[];
};

export const cleanupNote = '# kms-tui destroy: the key named below was deleted with its stack';

/** Does this value name the key (its id, ARN, or an alias that pointed at it)? */
function namesKey(value: string, key: KeyNames): boolean {
	if (value === '') return false;
	return value === key.keyId || value === key.arn || key.aliases.includes(value);
}

type Span = {readonly start: number; readonly end: number; readonly line: number};

/**
 * The pure core: the text with the assignments of `keyVariables` that name the key commented
 * out or removed. Every assignment of such a variable with such a value goes (dotenv reads the
 * last one, earlier duplicates are dead but still misleading); other values stay.
 */
export function cleanEnvText(
	text: string,
	key: KeyNames,
	mode: EnvCleanupMode,
): {text: string; lines: EnvCleanupLine[]} {
	const {normalized, toOriginal} = normalize(text);
	const spans: Span[] = [];
	const lines: EnvCleanupLine[] = [];
	for (const match of normalized.matchAll(assignmentLine)) {
		const name = match[1];
		const nameAt = match.indices?.[1];
		const separator = match.indices?.[2];
		if (!name || !nameAt || !separator || !match[2]?.includes('=')) continue;
		if (!(keyVariables as readonly string[]).includes(name)) continue;
		// The assignment's own lines: from the line its name is on to the line its value ends on
		// (the pattern's leading and trailing \s* may reach into blank lines around it).
		const valueEnd = match.indices?.[3]?.[1] ?? separator[1];
		const start = normalized.lastIndexOf('\n', nameAt[0] - 1) + 1;
		const newline = normalized.indexOf('\n', Math.max(valueEnd - 1, start));
		const end = newline < 0 ? normalized.length : newline;
		const value = parse(normalized.slice(start, end))[name];
		if (value === undefined || !namesKey(value, key)) continue;
		const line = normalized.slice(0, start).split('\n').length;
		spans.push({start, end, line});
		lines.push({name, value, line});
	}
	if (spans.length === 0) return {text, lines};
	let out = '';
	let at = 0;
	for (const [index, span] of spans.entries()) {
		const start = toOriginal[span.start] ?? text.length;
		const end = toOriginal[span.end] ?? text.length;
		// The line break after the assignment, as the file spells it (\r\n stays \r\n).
		const breakEnd = span.end < normalized.length ? (toOriginal[span.end + 1] ?? text.length) : end;
		const lineBreak = text.slice(end, breakEnd) || '\n';
		out += text.slice(at, start);
		if (mode === 'remove') {
			at = breakEnd;
			continue;
		}
		if (index === 0) out += `${cleanupNote}${lineBreak}`;
		// Every line of the assignment (a quoted value may span lines) becomes a comment.
		const original = text.slice(start, end);
		out += original.replace(/(^|\r\n|\r|\n)/g, '$1# ');
		at = end;
	}
	out += text.slice(at);
	// The point is that dotenv no longer reads the key from the file: check it did not.
	const after = parse(out);
	for (const {name} of lines) {
		const value = after[name];
		if (value !== undefined && namesKey(value, key)) {
			throw new EnvFileError(
				`kms-tui could not safely edit ${name} out of the .env file (unusual syntax); nothing was written. Comment out or delete that line by hand.`,
				{code: 'merge-conflict'},
			);
		}
	}
	return {text: out, lines};
}

/** Reads the file and plans the clean-up; undefined when the file is missing or names no key. */
export async function planEnvCleanup(
	file: string,
	key: KeyNames,
	mode: EnvCleanupMode,
): Promise<EnvCleanupPlan | undefined> {
	const bytes = await readExisting(file).catch((error: unknown) => {
		// `--env-file /dev/null` (no .env at all) holds nothing to clean.
		if (error instanceof EnvFileError && error.code === 'not-a-file') return undefined;
		throw error;
	});
	if (bytes === undefined) return undefined;
	const before = decode(file, bytes);
	let cleaned: {text: string; lines: EnvCleanupLine[]};
	try {
		cleaned = cleanEnvText(before, key, mode);
	} catch (error) {
		if (error instanceof EnvFileError)
			throw new EnvFileError(`${file}: ${error.message}`, {code: error.code, path: file});
		throw error;
	}
	if (cleaned.lines.length === 0) return undefined;
	return {
		path: file,
		exists: true,
		before,
		after: cleaned.text,
		changes: [],
		mode,
		lines: cleaned.lines,
	};
}

/** Writes the plan (atomic, FILE.bak kept); refuses if the file changed since it was planned. */
export async function writeEnvCleanup(plan: EnvCleanupPlan): Promise<{backupPath?: string}> {
	const {backupPath} = await writeEnvMerge(plan);
	return backupPath === undefined ? {} : {backupPath};
}

/** "KMS_KEY_ID (line 3), KMS_KEY_ARN (line 4)". */
export function describeCleanupLines(lines: readonly EnvCleanupLine[]): string {
	return lines.map((line) => `${line.name} (line ${line.line})`).join(', ');
}
