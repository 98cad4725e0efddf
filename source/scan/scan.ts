/**
 * scanEnvelopes: every kms-tui envelope and AWS Encryption SDK message under some directories, and
 * the keys that open each, read from headers only (read-header.ts) — never the payload, never
 * KMS. `kms-tui scan`, the deletion checks (CLI and TUI), Home and the migration screen count
 * with it, so they all agree. The files come from the one walker (batch/walk.ts).
 */
import {closeSync, constants, openSync} from 'node:fs';
import {type BatchItem, expandPaths} from '../batch/walk.js';
import {FIRST_READ_BYTES, type HeaderKind, readHeader} from './read-header.js';

export type ScannedKey = {
	readonly keyArn: string;
	readonly keyMaterialId?: string;
	/** 'aws-kms' for KMS; another SDK provider id for keys kms-tui cannot use. */
	readonly provider: string;
};

export type ScannedFile = {
	readonly path: string;
	/** Below the directory it was found in (`sub/a.kms`), or the path as given for a named file. */
	readonly relativePath: string;
	readonly kind: HeaderKind;
	readonly keys: readonly ScannedKey[];
	readonly bytes: number;
};

export type ScanProblem = {path: string; reason: string};

export type ScanResult = {
	readonly files: readonly ScannedFile[];
	/** Unreadable directories and files, headers that start like an envelope but are broken. */
	readonly problems: readonly ScanProblem[];
	/** True when `maxFiles` stopped the walk: there may be more. */
	readonly isTruncated: boolean;
	/** Every file looked at, envelope or not. */
	readonly filesSeen: number;
};

export type ScanOptions = {
	readonly signal?: AbortSignal;
	/** Files to look at, at most (the TUI bounds a scan of a home directory). Default: all. */
	readonly maxFiles?: number;
	/** Called now and then with the files looked at so far, and once at the end. */
	readonly onProgress?: (filesSeen: number) => void;
};

/** Longest run of synchronous reads between two turns of the event loop. */
const sliceMs = 8;

export async function scanEnvelopes(
	roots: readonly string[],
	options: ScanOptions = {},
): Promise<ScanResult> {
	const {signal} = options;
	const walk = await expandPaths(roots, {
		recursive: true,
		...(signal ? {signal} : {}),
		...(options.maxFiles === undefined ? {} : {maxFiles: options.maxFiles}),
	});
	const {items} = walk;
	const files: ScannedFile[] = [];
	const problems: ScanProblem[] = [...walk.problems];
	const buffer = Buffer.allocUnsafe(FIRST_READ_BYTES);
	let sliceStart = performance.now();
	for (const [index, item] of items.entries()) {
		// Reads are synchronous (read-header.ts): give the event loop a turn every few
		// milliseconds, so a TUI keeps drawing and Ctrl-C is heard.
		if (performance.now() - sliceStart > sliceMs) {
			options.onProgress?.(index);
			await new Promise((resolve) => setImmediate(resolve));
			signal?.throwIfAborted();
			sliceStart = performance.now();
		}
		const found = scanFile(item, buffer);
		if (found && 'reason' in found) problems.push(found);
		else if (found) files.push(found);
	}
	signal?.throwIfAborted();
	options.onProgress?.(items.length);
	return {
		files,
		problems,
		isTruncated: walk.isTruncated === true,
		filesSeen: items.length,
	};
}

function scanFile(item: BatchItem, buffer: Buffer): ScannedFile | ScanProblem | undefined {
	let fd: number;
	try {
		// O_NONBLOCK: a FIFO named on the command line must not hang the scan (its read fails).
		fd = openSync(item.path, constants.O_RDONLY | constants.O_NONBLOCK);
	} catch (error) {
		// Gone since the walk listed it (a lock or temp file): nothing to report.
		if ((error as {code?: unknown}).code === 'ENOENT') return undefined;
		return {path: item.path, reason: reasonOf(error)};
	}
	try {
		const header = readHeader(fd, buffer, item.displayPath);
		if (header.kind === 'bad') return {path: item.path, reason: header.reason};
		if (header.kind === 'other') return undefined;
		return {
			path: item.path,
			relativePath: item.relativePath ?? item.displayPath,
			kind: header.kind,
			keys: header.keys,
			bytes: item.size,
		};
	} catch (error) {
		return {path: item.path, reason: reasonOf(error)};
	} finally {
		closeSync(fd);
	}
}

function reasonOf(error: unknown): string {
	const code = (error as {code?: unknown}).code;
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
	if (code === 'EISDIR') return 'is a directory';
	if (code === 'EAGAIN' || code === 'ESPIPE') return 'not a regular file (a pipe or device)';
	return error instanceof Error ? error.message : String(error);
}

/** The aws-kms keys of a file, by ARN (a file may list one key twice, under two materials). */
function opensUnder(file: ScannedFile, keyArn: string): boolean {
	return file.keys.some((key) => key.provider === 'aws-kms' && key.keyArn === keyArn);
}

/**
 * Files only this key opens vs files it is one of several. A data key wrapped by another
 * provider (an SDK raw keyring) opens the file too, for whoever holds that key, so such a file
 * counts as also opening elsewhere: deleting the KMS key does not make it unreadable.
 */
export function blastRadius(
	scan: ScanResult,
	keyArn: string,
): {
	readonly unreadable: readonly ScannedFile[];
	readonly alsoOpenElsewhere: readonly ScannedFile[];
} {
	const unreadable: ScannedFile[] = [];
	const alsoOpenElsewhere: ScannedFile[] = [];
	for (const file of scan.files) {
		if (!opensUnder(file, keyArn)) continue;
		const isOnly = file.keys.every((key) => key.provider === 'aws-kms' && key.keyArn === keyArn);
		(isOnly ? unreadable : alsoOpenElsewhere).push(file);
	}
	return {unreadable, alsoOpenElsewhere};
}

/** The files that name this key at all. */
export function filesUnder(scan: ScanResult, keyArn: string): readonly ScannedFile[] {
	return scan.files.filter((file) => opensUnder(file, keyArn));
}
