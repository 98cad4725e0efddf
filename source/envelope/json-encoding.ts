/**
 * The JSON encoding: the classic envelope shape (header fields, then `iv`, `ciphertext`, `authTag`)
 * holding exactly one frame — frame 0, flagged final. It exists for learning and small files:
 * plaintext must be smaller than JSON_FRAME_SIZE (64 MiB) because V8 strings cap out near 512 MiB
 * and a base64 body costs 4/3 of the data. Written and read in 1 MiB pieces, never as one string.
 */
import {createCipheriv, createDecipheriv} from 'node:crypto';
import {frameNonce, type MessageKeys} from './derive.js';
import {EnvelopeError, throwIfAborted} from './errors.js';
import {
	AAD_BYTES,
	type EnvelopeHeader,
	frameAad,
	JSON_BODY_FIELDS,
	JSON_FRAME_SIZE,
	JSON_MAX_PLAINTEXT,
	JSON_SUFFIX_BYTES,
	jsonPrefix,
	jsonSuffix,
	NONCE_BYTES,
	serializeHeader,
	TAG_BYTES,
} from './format.js';
import {decodeBase64, notAnEnvelope, parseHeaderFields} from './header-parse.js';
import type {ByteSink, ByteSource} from './io.js';

export type JsonEnvelope = {
	readonly header: EnvelopeHeader;
	readonly headerText: string;
	readonly document: Buffer;
	readonly iv: Buffer;
	readonly tag: Buffer;
	/** Byte range of the base64 ciphertext inside `document`. */
	readonly ciphertextStart: number;
	readonly ciphertextEnd: number;
	readonly ciphertextBytes: number;
};

/** 3-byte aligned so the base64 pieces concatenate into one valid base64 string. */
const PLAIN_CHUNK = 3 * 256 * 1024;
const BASE64_CHUNK = (PLAIN_CHUNK / 3) * 4;
const utf8 = new TextDecoder('utf-8', {fatal: true});
const suffixPattern = /^","authTag":"[A-Za-z\d+/]{22}=="}\n$/;

/**
 * Base64 must be canonical, or a flipped padding bit in the last character would decode to the
 * same bytes and go unnoticed. Node's decoder skips what is not base64, so the check is that the
 * bytes re-encode to exactly the text: only the alphabet, padding only at the very end, and a
 * canonical last group. (A regular expression over the text cost 40% of a 64 MiB decrypt.)
 * Pieces other than the last are whole 4-character groups, so they re-encode without padding.
 */
function checkBase64(text: string, bytes: Buffer, label: string): void {
	if (bytes.toString('base64') !== text) {
		throw notAnEnvelope(label, 'field "ciphertext" is not valid base64');
	}
}

export function tooLargeForJson(label: string): EnvelopeError {
	return new EnvelopeError(
		'too-large-for-json',
		`${label}: the JSON format holds at most ${JSON_MAX_PLAINTEXT} bytes (64 MiB − 1); nothing was written — use the binary format (leave out --format json), which has no size limit.`,
	);
}

/**
 * Splits a JSON envelope without materialising the ciphertext as a string: the fixed-length
 * suffix is at the end, the base64 body runs back to the previous quote, and the rest (with an
 * empty ciphertext) is parsed as JSON. The document must be exactly what kms-tui writes.
 */
export function parseJsonDocument(document: Buffer, label: string): JsonEnvelope {
	const suffixStart = document.length - JSON_SUFFIX_BYTES;
	const suffix = suffixStart > 0 ? document.toString('latin1', suffixStart) : '';
	if (!suffixPattern.test(suffix))
		throw notAnEnvelope(label, 'the JSON envelope does not end in "authTag"');
	const ciphertextStart = document.lastIndexOf(0x22, suffixStart - 1) + 1;
	let prefix: string;
	let value: unknown;
	try {
		prefix = utf8.decode(document.subarray(0, ciphertextStart));
		value = JSON.parse(`${prefix}${suffix}`);
	} catch {
		throw notAnEnvelope(label, 'it is not valid JSON');
	}
	const header = parseHeaderFields(value, label, JSON_BODY_FIELDS);
	const object = value as Record<string, unknown>;
	if (
		typeof object.iv !== 'string' ||
		object.ciphertext !== '' ||
		typeof object.authTag !== 'string'
	) {
		throw notAnEnvelope(label, 'fields "iv", "ciphertext" and "authTag" are required');
	}
	const iv = decodeBase64(object.iv, 'iv', label);
	const tag = decodeBase64(object.authTag, 'authTag', label);
	if (iv.length !== NONCE_BYTES) throw notAnEnvelope(label, 'field "iv" has the wrong length');
	const headerText = serializeHeader(header);
	if (jsonPrefix(headerText, iv) !== prefix || jsonSuffix(tag) !== suffix) {
		throw new EnvelopeError(
			'tampered',
			`${label}: the JSON envelope is not in the form kms-tui writes (reformatted or modified); nothing was written — decrypt the file as kms-tui wrote it.`,
		);
	}
	const length = suffixStart - ciphertextStart;
	const padding =
		length > 0 && document[suffixStart - 1] === 0x3d
			? document[suffixStart - 2] === 0x3d
				? 2
				: 1
			: 0;
	const ciphertextBytes = (length / 4) * 3 - padding;
	if (length % 4 !== 0 || ciphertextBytes >= JSON_FRAME_SIZE) {
		throw notAnEnvelope(label, 'field "ciphertext" has an impossible length');
	}
	if (header.plaintextSize !== undefined && header.plaintextSize !== ciphertextBytes) {
		throw new EnvelopeError(
			header.plaintextSize > ciphertextBytes ? 'truncated' : 'tampered',
			`${label}: the ciphertext holds ${ciphertextBytes} bytes but the header records ${header.plaintextSize}; the file was cut or modified — nothing was written.`,
		);
	}
	return {
		header,
		headerText,
		document,
		iv,
		tag,
		ciphertextStart,
		ciphertextEnd: suffixStart,
		ciphertextBytes,
	};
}

/** Encrypts the whole source as one JSON document. The caller has checked the size limit. */
export async function encryptJson(options: {
	source: ByteSource;
	sink: ByteSink;
	keys: MessageKeys;
	headerText: string;
	digest: Buffer;
	signal: AbortSignal | undefined;
	label: string;
	onBytes: (bytes: number) => void;
}): Promise<number> {
	const {source, sink, keys, signal, label} = options;
	const iv = frameNonce(keys.nonceBase, 0, Buffer.alloc(NONCE_BYTES));
	const cipher = createCipheriv('aes-256-gcm', keys.key, iv, {authTagLength: TAG_BYTES});
	cipher.setAAD(frameAad(options.digest, 0, true, Buffer.alloc(AAD_BYTES)));
	await sink.write([Buffer.from(jsonPrefix(options.headerText, iv))]);
	const buffer = Buffer.allocUnsafe(PLAIN_CHUNK);
	let total = 0;
	for (;;) {
		throwIfAborted(label, signal);
		const n = await source.read(buffer, 0, PLAIN_CHUNK);
		total += n;
		if (total > JSON_MAX_PLAINTEXT) throw tooLargeForJson(label);
		if (n > 0)
			await sink.write([Buffer.from(cipher.update(buffer.subarray(0, n)).toString('base64'))]);
		options.onBytes(n);
		if (n < PLAIN_CHUNK) break;
	}
	cipher.final();
	await sink.write([Buffer.from(jsonSuffix(cipher.getAuthTag()))]);
	return total;
}

/**
 * Decrypts a parsed JSON envelope in two passes over the base64 body: the first only checks the
 * tag, the second releases plaintext. So not one unverified byte ever reaches the output, even on
 * stdout, and memory stays at the document plus a 1 MiB piece.
 */
export async function decryptJson(options: {
	envelope: JsonEnvelope;
	sink: ByteSink;
	keys: MessageKeys;
	digest: Buffer;
	signal: AbortSignal | undefined;
	label: string;
	onBytes: (bytes: number) => void;
	/**
	 * True when nothing written to `sink` is visible before the caller commits it (a temp file):
	 * then one pass decrypts and writes, and a failed tag means the temp file is discarded.
	 * Otherwise (stdout, a FIFO) a first pass verifies the tag and only a second one releases.
	 */
	isStaged: boolean;
}): Promise<number> {
	const {envelope, keys, label, signal} = options;
	const iv = frameNonce(keys.nonceBase, 0, Buffer.alloc(NONCE_BYTES));
	if (!iv.equals(envelope.iv)) throw tampered(label);
	const aad = frameAad(options.digest, 0, true, Buffer.alloc(AAD_BYTES));
	const passes = options.isStaged ? [true] : [false, true];
	for (const release of passes) {
		const decipher = createDecipheriv('aes-256-gcm', keys.key, iv, {authTagLength: TAG_BYTES});
		decipher.setAAD(aad);
		decipher.setAuthTag(envelope.tag);
		for (let at = envelope.ciphertextStart; at < envelope.ciphertextEnd; at += BASE64_CHUNK) {
			throwIfAborted(label, signal);
			const end = Math.min(at + BASE64_CHUNK, envelope.ciphertextEnd);
			const text = envelope.document.toString('latin1', at, end);
			const bytes = Buffer.from(text, 'base64');
			if (release === passes[0]) checkBase64(text, bytes, label);
			const plain = decipher.update(bytes);
			if (release) {
				await options.sink.write([plain]);
				options.onBytes(plain.length);
			}
		}
		try {
			decipher.final();
		} catch {
			throw tampered(label);
		}
	}
	return envelope.ciphertextBytes;
}

function tampered(label: string): EnvelopeError {
	return new EnvelopeError(
		'tampered',
		`${label}: the ciphertext failed authentication — the file was modified or is corrupt; nothing was written.`,
	);
}
