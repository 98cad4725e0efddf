/**
 * What one file is, from its first bytes only: a kms-tui envelope (v1 or v2 binary, or the JSON
 * encoding), an AWS Encryption SDK message, or someone else's file. Content decides, not the name
 * (an SDK message has no fixed suffix). The payload is never read: a binary envelope's header is
 * its first line, a JSON envelope's header is everything before `"ciphertext"`, and an SDK
 * message's header is parsed as far as its encrypted data keys.
 */
import {readSync} from 'node:fs';
import {EnvelopeError} from '../envelope/errors.js';
import {
	type EnvelopeHeader,
	FORMAT_NAME,
	JSON_BODY_FIELDS,
	MAX_HEADER_BYTES,
} from '../envelope/format.js';
import {notAnEnvelope, parseHeaderFields, parseHeaderLine} from '../envelope/header-parse.js';
import {looksLikeEsdkMessage, maxEsdkHeaderBytes, parseEsdkHeader} from '../esdk/header-parse.js';
import {AWS_KMS_PROVIDER, describeProvider} from '../esdk/message-key.js';
import {ESDK_SUITES} from '../esdk/suites.js';

export type HeaderKind = 'kms-v1' | 'kms-v2' | 'kms-json' | 'esdk';

export type HeaderKey = {
	readonly keyArn: string;
	readonly keyMaterialId?: string;
	readonly provider: string;
};

export type ReadHeader =
	| {readonly kind: HeaderKind; readonly keys: readonly HeaderKey[]}
	/** Not an envelope at all: left out of the scan without a word. */
	| {readonly kind: 'other'}
	/** Starts like an envelope but its header is broken: a problem worth listing. */
	| {readonly kind: 'bad'; readonly reason: string};

/** Bytes read at first: any kms-tui header fits, as do SDK headers of a few data keys. */
export const FIRST_READ_BYTES = MAX_HEADER_BYTES + 1;

/** SDK messages with more data keys than this are listed as problems (the SDK's default is unbounded). */
const maxSdkKeys = 255;

const kmsStart = Buffer.from(`{"format":"${FORMAT_NAME}"`);
/** The JSON encoding's fields after the header: `,"iv":"<16 base64>","ciphertext":"`. */
const jsonBody = /,"iv":"[A-Za-z\d+/]{16}","ciphertext":"/g;
const utf8 = new TextDecoder('utf-8', {fatal: true});

/**
 * Reads the header of the file open as `fd`; `buffer` (FIRST_READ_BYTES) is reused across files.
 * Synchronous on purpose: one read of a local file takes microseconds, and a promise per read
 * made a 10,000-file scan six times slower (scan.ts yields to the event loop between slices).
 */
export function readHeader(fd: number, buffer: Buffer, label: string): ReadHeader {
	const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
	const start = buffer.subarray(0, bytesRead);
	try {
		if (start.subarray(0, kmsStart.length).equals(kmsStart)) return kmsHeader(start, label);
		if (isSdkStart(start)) return sdkHeader(fd, start, label);
		return {kind: 'other'};
	} catch (error) {
		if (error instanceof EnvelopeError) return {kind: 'bad', reason: reasonOf(error, label)};
		throw error;
	}
}

/** The version byte(s) and a suite id the SDK defines: random binary data rarely passes both. */
function isSdkStart(start: Buffer): boolean {
	if (!looksLikeEsdkMessage(start)) return false;
	const at = start[0] === 0x01 ? 2 : 1;
	return start.length >= at + 2 && ESDK_SUITES.has(start.readUInt16BE(at));
}

function kmsHeader(start: Buffer, label: string): ReadHeader {
	const end = start.indexOf(0x0a);
	const line = end >= 0 ? start.subarray(0, end) : undefined;
	if (line && !isJsonDocumentLine(line)) return fromHeader(parseHeaderLine(line, label).header);
	// The JSON encoding: its header fields come first, then iv, ciphertext and authTag. The text
	// up to the ciphertext, closed, is a header with an empty body; a context entry that happens
	// to read like the body is skipped by trying each match.
	const text = start.toString('latin1');
	for (const match of text.matchAll(jsonBody)) {
		const prefix = start.subarray(0, match.index + match[0].length);
		let value: unknown;
		try {
			value = JSON.parse(`${utf8.decode(prefix)}","authTag":""}`);
		} catch {
			continue;
		}
		return fromHeader(parseHeaderFields(value, label, JSON_BODY_FIELDS), 'kms-json');
	}
	if (end < 0)
		throw notAnEnvelope(label, `no header line within the first ${MAX_HEADER_BYTES} bytes`);
	throw notAnEnvelope(label, 'the first line is not a JSON header');
}

/** A whole small JSON envelope is one line too: it is the document when it has a ciphertext. */
function isJsonDocumentLine(line: Buffer): boolean {
	if (!line.includes('"ciphertext":"')) return false;
	try {
		const value: unknown = JSON.parse(line.toString('utf8'));
		return typeof value === 'object' && value !== null && 'ciphertext' in value;
	} catch {
		return true;
	}
}

function fromHeader(header: EnvelopeHeader, kind?: HeaderKind): ReadHeader {
	return {
		kind: kind ?? (header.version === 1 ? 'kms-v1' : 'kms-v2'),
		keys: header.wrappedKeys.map((key) => {
			// Format v2 wrapped keys may record the key material that wrapped them (FORMAT.md).
			const material = (key as {readonly keyMaterialId?: unknown}).keyMaterialId;
			return {
				keyArn: key.keyArn,
				...(typeof material === 'string' ? {keyMaterialId: material} : {}),
				provider: AWS_KMS_PROVIDER,
			};
		}),
	};
}

function sdkHeader(fd: number, start: Buffer, label: string): ReadHeader {
	const options = {label, maxEncryptedDataKeys: maxSdkKeys};
	let bytes = start;
	let header = parseEsdkHeader(bytes, options);
	// The first read filled the buffer, so the file goes on: with many or large data keys the
	// header may too. Read further, doubling, up to the largest header allowed.
	let isFull = bytes.length === FIRST_READ_BYTES;
	while (!header && isFull) {
		const size = Math.min(bytes.length * 2, maxEsdkHeaderBytes(maxSdkKeys));
		if (size <= bytes.length) return {kind: 'bad', reason: 'the SDK message header is too large'};
		const grown = Buffer.allocUnsafe(size);
		const bytesRead = readSync(fd, grown, 0, size, 0);
		bytes = grown.subarray(0, bytesRead);
		header = parseEsdkHeader(bytes, options);
		isFull = bytesRead === size;
	}
	if (!header)
		return {kind: 'bad', reason: 'the AWS Encryption SDK message ends inside its header'};
	return {
		kind: 'esdk',
		keys: header.encryptedDataKeys.map((key) =>
			key.providerId === AWS_KMS_PROVIDER
				? {keyArn: key.providerInfo.toString('utf8'), provider: key.providerId}
				: {keyArn: describeProvider(key), provider: key.providerId},
		),
	};
}

/** The error's message without the file name it starts with and the decrypt-only advice. */
function reasonOf(error: EnvelopeError, label: string): string {
	const message = error.message.startsWith(`${label}: `)
		? error.message.slice(label.length + 2)
		: error.message;
	return message.replace(/[;,]? nothing was written\.?/, '').replace(/ — check that .*$/, '');
}
