/**
 * The envelopes lying under a directory, for Home (steps 5 and 6) and Decrypt (the pick list):
 * found by content with scanEnvelopes (source/scan/, the same walk and header reading as
 * `kms-tui scan` and the deletion checks), then summarised with inspectEnvelope (no KMS call).
 * Bounded, because cwd may be a home directory: a few hundred files, never into node_modules
 * or .git. Key deletion counts with the scan itself (components/envelopes-at-risk.tsx).
 */
import {stat} from 'node:fs/promises';
import path from 'node:path';
import {type EnvelopeSummary, inspectEnvelope} from '../envelope/index.js';
import {alternativeName, decryptedName} from '../envelope/output.js';
import {type EsdkSummary, inspectEsdkMessage} from '../esdk/inspect.js';
import {scanEnvelopes} from '../scan/scan.js';

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
	/** Keep only envelopes this key opens (its ARN, as headers record it; any of their keys). */
	readonly keyArn?: string;
	/** Files to look at, at most. @default 500 */
	readonly maxFiles?: number;
	/**
	 * Also list SDK messages (found by content, as `kms-tui decrypt` detects them). Off by
	 * default: Home counts kms-tui envelopes only.
	 */
	readonly includeEsdk?: boolean;
	readonly signal?: AbortSignal;
};

export function isEnvelopeName(name: string): boolean {
	return name.endsWith('.kms') || name.endsWith('.kms.json');
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
	const {signal, keyArn} = options;
	const scan = await scanEnvelopes([root], {
		maxFiles: options.maxFiles ?? 500,
		...(signal ? {signal} : {}),
	});
	const envelopes: FoundEnvelope[] = [];
	const esdkMessages: FoundEsdkMessage[] = [];
	for (const file of scan.files) {
		signal?.throwIfAborted();
		if (keyArn && !file.keys.some((key) => key.keyArn === keyArn)) continue;
		const relativePath = path.relative(root, file.path);
		if (file.kind === 'esdk') {
			if (!options.includeEsdk) continue;
			// Not an SDK message after all (or unreadable now): it is simply not listed.
			const esdk = await inspectEsdkMessage(file.path, {signal}).catch(() => undefined);
			if (esdk) esdkMessages.push({path: file.path, relativePath, esdk});
			continue;
		}
		const summary = await inspectEnvelope(file.path, {signal}).catch(() => undefined);
		if (!summary) continue;
		const decryptedPath = await decryptedCopy(file.path, summary);
		envelopes.push({
			path: file.path,
			relativePath,
			summary,
			...(decryptedPath ? {decryptedPath} : {}),
		});
	}
	return {envelopes, esdkMessages, isTruncated: scan.isTruncated};
}
