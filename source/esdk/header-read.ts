/**
 * Reading an SDK message header from a byte source: how much to read is only known while
 * parsing, so the window grows (up to the largest header `maxEncryptedDataKeys` allows) until
 * header-parse.ts has a whole header; the bytes after it are given back to the source.
 */
import {EnvelopeError} from '../envelope/errors.js';
import type {ByteSource} from '../envelope/io.js';
import {
	DEFAULT_MAX_ENCRYPTED_DATA_KEYS,
	type EsdkHeader,
	looksLikeEsdkMessage,
	maxEsdkHeaderBytes,
	parseEsdkHeader,
} from './header-parse.js';

/** Reads the first two bytes and gives them back: does the input look like an SDK message? */
export async function startsWithEsdkMessage(source: ByteSource): Promise<boolean> {
	const start = Buffer.alloc(2);
	const n = await source.read(start, 0, 2);
	source.unread(start.subarray(0, n));
	return looksLikeEsdkMessage(start.subarray(0, n));
}

/** Reads and parses the header; leaves the source at the first body byte. */
export async function readEsdkHeader(
	source: ByteSource,
	label: string,
	maxEncryptedDataKeys = DEFAULT_MAX_ENCRYPTED_DATA_KEYS,
): Promise<{header: EsdkHeader; headerBytes: Buffer}> {
	const limit = maxEsdkHeaderBytes(maxEncryptedDataKeys);
	let window = Buffer.allocUnsafe(64 * 1024);
	let filled = 0;
	for (;;) {
		const n = await source.read(window, filled, window.length - filled);
		filled += n;
		const bytes = window.subarray(0, filled);
		const header = parseEsdkHeader(bytes, {label, maxEncryptedDataKeys});
		if (header) {
			source.unread(Buffer.from(bytes.subarray(header.headerBytes)));
			return {header, headerBytes: Buffer.from(bytes.subarray(0, header.headerBytes))};
		}
		if (filled < window.length) {
			throw new EnvelopeError(
				'truncated',
				`${label}: the AWS Encryption SDK message ends inside its header — it was cut off; nothing was written.`,
			);
		}
		const grown = Buffer.allocUnsafe(Math.min(window.length * 2, limit));
		if (grown.length <= window.length) {
			throw new EnvelopeError(
				'not-an-envelope',
				`${label}: the AWS Encryption SDK message header is larger than any valid one; nothing was written.`,
			);
		}
		window.copy(grown, 0, 0, filled);
		window = grown;
	}
}
