/**
 * What a file is, from its first bytes: a kms-tui envelope (binary or JSON, v1 or v2), an AWS
 * Encryption SDK message, or anything else. A batch asks before it works on a file, so that
 * `encrypt -r` skips what is already encrypted and `decrypt -r` skips what is not, without
 * starting the engine or asking KMS. Nothing is verified here: that is decrypt's job.
 */
import {closeSync, constants, fstatSync, openSync, readSync} from 'node:fs';
import {FORMAT_NAME} from '../envelope/format.js';
import {looksLikeEsdkMessage, parseEsdkHeader} from '../esdk/header-parse.js';

export type FileKind = 'kms-tui-envelope' | 'esdk-message' | 'other';

/** Both encodings of a kms-tui envelope start with exactly this (docs/FORMAT.md). */
const envelopeStart = Buffer.from(`{"format":"${FORMAT_NAME}"`);

/** Enough for any SDK header a real file carries (a few data keys); larger ones read as 'other'. */
const sniffBytes = 16 * 1024;

export function kindOf(start: Buffer): FileKind {
	if (start.subarray(0, envelopeStart.length).equals(envelopeStart)) return 'kms-tui-envelope';
	// Two version bytes are weak evidence (a binary file may start with 0x02); a whole header that
	// parses is not.
	if (looksLikeEsdkMessage(start)) {
		try {
			if (parseEsdkHeader(start, {label: 'sniff'})) return 'esdk-message';
		} catch {
			// Not an SDK header.
		}
	}
	return 'other';
}

/**
 * One buffer for every sniff: the call is synchronous, so no two share it, and kindOf keeps
 * nothing of it. A fresh 16 KiB per file of a thousand-file batch was garbage for the collector.
 */
const sniffBuffer = Buffer.allocUnsafe(sniffBytes);

/**
 * Reads the first bytes of `file` (throws what open/read throw: ENOENT, EACCES …). Synchronous:
 * three system calls that take microseconds on a local disk, where the asynchronous version costs
 * three thread-pool round trips — per file of a thousand-file batch, more than the read itself.
 */
export function sniffFileSync(file: string): FileKind {
	// O_NONBLOCK and regular files only: a FIFO named on the command line must neither hang the
	// open (no writer yet) nor lose the bytes a read would take from the engine that streams it.
	const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
	try {
		if (!fstatSync(fd).isFile()) return 'other';
		const bytesRead = readSync(fd, sniffBuffer, 0, sniffBytes, 0);
		return kindOf(sniffBuffer.subarray(0, bytesRead));
	} finally {
		closeSync(fd);
	}
}

export function describeKind(kind: FileKind): string {
	return kind === 'kms-tui-envelope'
		? 'a kms-tui envelope'
		: kind === 'esdk-message'
			? 'an AWS Encryption SDK message'
			: 'not an envelope';
}
