/**
 * The envelopes lying under a directory, read from their headers only (inspectEnvelope: no KMS
 * call). Shared by Home (steps 5 and 6), Decrypt (the pick list) and Key deletion (what would
 * become unreadable). Bounded, because cwd may be a home directory: a few levels deep, a few
 * hundred files, and never into node_modules or .git.
 */
import type {Dirent} from 'node:fs';
import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';
import {type EnvelopeSummary, inspectEnvelope} from '../envelope/index.js';
import {alternativeName, decryptedName} from '../envelope/output.js';
import {type EsdkSummary, inspectEsdkMessage} from '../esdk/inspect.js';

export type FoundEnvelope = {
	readonly path: string;
	/** The path relative to the directory searched, as a user would type it there. */
	readonly relativePath: string;
	readonly summary: EnvelopeSummary;
	/**
	 * A decrypted copy next to it: the name decrypt would choose (or a ` (n)` variant), private
	 * (mode 0600, as decrypt creates it) and written after the envelope was made.
	 */
	readonly decryptedPath?: string;
};

/** An AWS Encryption SDK message, found by its first bytes whatever its name (esdk/inspect.ts). */
export type FoundEsdkMessage = {
	readonly path: string;
	readonly relativePath: string;
	readonly esdk: EsdkSummary;
};

export type EnvelopeScan = {
	readonly envelopes: readonly FoundEnvelope[];
	/** Only with `includeEsdk`: the SDK messages, by path (the SDK records no creation time). */
	readonly esdkMessages: readonly FoundEsdkMessage[];
	/** True when the file limit stopped the walk: there may be more. */
	readonly isTruncated: boolean;
};

export type FindOptions = {
	/** Keep only envelopes made with this key (its ARN, as headers record it). */
	readonly keyArn?: string;
	/** Directory levels below the root to enter. @default 3 */
	readonly maxDepth?: number;
	/** Files to look at, at most. @default 500 */
	readonly maxFiles?: number;
	/**
	 * Also open every other file to look for SDK messages (two bytes, then the header). Off by
	 * default: Home and Key deletion count kms-tui envelopes only.
	 */
	readonly includeEsdk?: boolean;
	readonly signal?: AbortSignal;
};

const skipped = new Set(['node_modules', '.git']);

export function isEnvelopeName(name: string): boolean {
	return name.endsWith('.kms') || name.endsWith('.kms.json');
}

/** The files that look like envelopes, breadth first, within the bounds. */
async function candidates(
	root: string,
	maxDepth: number,
	maxFiles: number,
	signal: AbortSignal | undefined,
): Promise<{files: string[]; others: string[]; isTruncated: boolean}> {
	const files: string[] = [];
	const others: string[] = [];
	let seen = 0;
	let level = [root];
	for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
		const next: string[] = [];
		for (const dir of level) {
			signal?.throwIfAborted();
			const entries: Dirent[] = await readdir(dir, {withFileTypes: true}).catch(() => []);
			entries.sort((a, b) => a.name.localeCompare(b.name));
			for (const entry of entries) {
				const full = path.join(dir, entry.name);
				if (entry.isDirectory()) {
					if (!skipped.has(entry.name)) next.push(full);
					continue;
				}
				if (++seen > maxFiles) return {files, others, isTruncated: true};
				if (entry.isFile()) (isEnvelopeName(entry.name) ? files : others).push(full);
			}
		}
		level = next;
	}
	return {files, others, isTruncated: false};
}

async function decryptedCopy(file: string, summary: EnvelopeSummary): Promise<string | undefined> {
	const dir = path.dirname(file);
	const name = decryptedName(path.basename(file), summary.fileName);
	const created = Date.parse(summary.createdAt);
	for (let n = 0; n <= 3; n++) {
		const candidate = path.join(dir, n === 0 ? name : alternativeName(name, n));
		const info = await stat(candidate).catch(() => undefined);
		// createdAt is cut to whole milliseconds, and file times are either the kernel's coarse
		// clock (a few ms behind) or, on kernels with multigrain timestamps (6.13+), exact to the
		// nanosecond. The plain name may be the original itself, written just before encrypting
		// (so within the same millisecond, possibly): it must be newer than the end of createdAt's
		// millisecond. A " (n)" copy only has to be no older than the envelope, within a second of
		// clock slack.
		const mtime = info?.mtimeMs ?? 0;
		const isNewer = n === 0 ? mtime >= created + 1 : mtime >= created - 1000;
		if (info?.isFile() && (info.mode & 0o077) === 0 && isNewer) return candidate;
	}
	return undefined;
}

export async function findEnvelopes(
	root: string,
	options: FindOptions = {},
): Promise<EnvelopeScan> {
	const {files, others, isTruncated} = await candidates(
		root,
		options.maxDepth ?? 3,
		options.maxFiles ?? 500,
		options.signal,
	);
	const envelopes: FoundEnvelope[] = [];
	for (const file of files) {
		options.signal?.throwIfAborted();
		// Not an envelope after all (or unreadable): it is simply not listed.
		const summary = await inspectEnvelope(file, {signal: options.signal}).catch(() => undefined);
		if (!summary || (options.keyArn && summary.keyArn !== options.keyArn)) continue;
		const decryptedPath = await decryptedCopy(file, summary);
		envelopes.push({
			path: file,
			relativePath: path.relative(root, file),
			summary,
			...(decryptedPath ? {decryptedPath} : {}),
		});
	}
	const esdkMessages: FoundEsdkMessage[] = [];
	// By content, as `kms-tui decrypt` detects them: `.encrypted` is only the Encryption CLI's habit.
	for (const file of options.includeEsdk ? others : []) {
		options.signal?.throwIfAborted();
		const esdk = await inspectEsdkMessage(file, {signal: options.signal}).catch(() => undefined);
		if (!esdk) continue;
		const keyArns = esdk.encryptedDataKeys.map((key) => key.keyArn);
		if (options.keyArn && !keyArns.includes(options.keyArn)) continue;
		esdkMessages.push({path: file, relativePath: path.relative(root, file), esdk});
	}
	return {envelopes, esdkMessages, isTruncated};
}
