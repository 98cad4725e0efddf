/**
 * The AWS Encryption SDK message header, written (data-format/message-header.md of the public
 * specification): message format version 2, the only one the committing suites use. The header
 * body is authenticated by an AES-GCM tag over an empty plaintext with an all-zero IV (frames use
 * IVs 1, 2, … so the header's never repeats one), under the message's derived key.
 */
import {createCipheriv, type KeyObject} from 'node:crypto';
import {EnvelopeError} from '../envelope/errors.js';
import {
	ESDK_COMMIT_KEY_BYTES,
	ESDK_IV_BYTES,
	ESDK_MESSAGE_ID_BYTES,
	ESDK_TAG_BYTES,
	type EsdkSuite,
	suiteIdHex,
} from './suites.js';

/** The provider id of AWS KMS keyrings; its provider info is the key ARN. */
export const AWS_KMS_PROVIDER_ID = 'aws-kms';

/** Content type 0x02: framed (the SDK no longer writes non-framed messages). */
const CONTENT_TYPE_FRAMED = 0x02;

/** Every length field is a UInt16. */
const UINT16_MAX = 0xffff;

/** Frame lengths the format allows: 1 … 2^32 − 1 (data-format/message-body.md). */
export const ESDK_MIN_FRAME_LENGTH = 1;
export const ESDK_MAX_FRAME_LENGTH = 0xffff_ffff;

export type EsdkEncryptedDataKey = {
	readonly providerId: string;
	readonly providerInfo: Uint8Array;
	readonly ciphertext: Uint8Array;
};

export type EsdkHeaderFields = {
	readonly suite: EsdkSuite;
	readonly messageId: Buffer;
	/** Everything stored in the header (the public key of signed suites included). */
	readonly encryptionContext: Readonly<Record<string, string>>;
	readonly encryptedDataKeys: readonly EsdkEncryptedDataKey[];
	readonly frameLength: number;
	/** The commit key of committing suites (the v2 header's suite data). */
	readonly commitKey: Buffer;
};

function bad(why: string): EnvelopeError {
	return new EnvelopeError('invalid-argument', `encrypt: ${why}.`);
}

/** A lone surrogate would become U+FFFD in UTF-8: KMS and the header would disagree. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** Appends a UInt16 length and the bytes, refusing what does not fit in 65 535 bytes. */
function pushField(parts: Buffer[], bytes: Uint8Array, what: string): void {
	if (bytes.length > UINT16_MAX) throw bad(`${what} is ${bytes.length} bytes, more than 65535`);
	parts.push(uint16(bytes.length), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
}

function uint16(value: number): Buffer {
	const out = Buffer.alloc(2);
	out.writeUInt16BE(value, 0);
	return out;
}

/**
 * The spec's encryption context serialization (framework/structures.md): empty for an empty
 * context, else a pair count and the pairs sorted by the UTF-8 bytes of their keys (not by
 * UTF-16 code units, which order some characters differently).
 */
export function serializeEncryptionContext(context: Readonly<Record<string, string>>): Buffer {
	const pairs = Object.entries(context).map(([key, value]) => {
		if (typeof value !== 'string') throw bad(`the context value of "${key}" is not a string`);
		if (key.length === 0) throw bad('an encryption context name is empty');
		if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) {
			throw bad('an encryption context name or value is not valid Unicode (a lone surrogate)');
		}
		return {key: Buffer.from(key, 'utf8'), value: Buffer.from(value, 'utf8')};
	});
	if (pairs.length === 0) return Buffer.alloc(0);
	if (pairs.length > UINT16_MAX) throw bad('the encryption context has more than 65535 pairs');
	pairs.sort((a, b) => Buffer.compare(a.key, b.key));
	const parts: Buffer[] = [uint16(pairs.length)];
	for (const {key, value} of pairs) {
		pushField(parts, key, 'an encryption context name');
		pushField(parts, value, 'an encryption context value');
	}
	return Buffer.concat(parts);
}

/** The v2 header body: everything the header authentication tag covers. */
export function serializeHeaderBody(fields: EsdkHeaderFields): Buffer {
	const {suite, messageId, encryptedDataKeys, frameLength, commitKey} = fields;
	if (suite.messageFormatVersion !== 2 || !suite.committing) {
		throw bad(`suite ${suiteIdHex(suite.id)} is not written (only the committing suites are)`);
	}
	if (messageId.length !== ESDK_MESSAGE_ID_BYTES[2]) throw bad('a message id is 32 bytes');
	if (commitKey.length !== ESDK_COMMIT_KEY_BYTES) throw bad('a commit key is 32 bytes');
	if (
		!Number.isSafeInteger(frameLength) ||
		frameLength < ESDK_MIN_FRAME_LENGTH ||
		frameLength > ESDK_MAX_FRAME_LENGTH
	) {
		throw bad(`the frame length must be an integer from 1 to ${ESDK_MAX_FRAME_LENGTH} bytes`);
	}
	if (encryptedDataKeys.length === 0 || encryptedDataKeys.length > UINT16_MAX) {
		throw bad('a message holds 1 to 65535 encrypted data keys');
	}
	const parts: Buffer[] = [];
	const start = Buffer.alloc(3);
	start.writeUInt8(2, 0);
	start.writeUInt16BE(suite.id, 1);
	parts.push(start, messageId);
	const context = serializeEncryptionContext(fields.encryptionContext);
	pushField(parts, context, 'the serialized encryption context');
	parts.push(uint16(encryptedDataKeys.length));
	for (const key of encryptedDataKeys) {
		pushField(parts, Buffer.from(key.providerId, 'utf8'), 'a key provider id');
		pushField(parts, key.providerInfo, 'a key provider info (key ARN)');
		pushField(parts, key.ciphertext, 'an encrypted data key');
	}
	const tail = Buffer.alloc(5);
	tail.writeUInt8(CONTENT_TYPE_FRAMED, 0);
	tail.writeUInt32BE(frameLength, 1);
	parts.push(tail, commitKey);
	return Buffer.concat(parts);
}

/**
 * The v2 header authentication: the AES-GCM tag of an empty plaintext, IV all zeros, AAD = the
 * header body followed by the serialized context that is only authenticated, not stored (kms-tui
 * stores all of it, so that part is empty).
 */
export function headerAuthTag(suite: EsdkSuite, key: KeyObject, headerBody: Buffer): Buffer {
	const cipher = createCipheriv(cipherName(suite), key, Buffer.alloc(ESDK_IV_BYTES), {
		authTagLength: ESDK_TAG_BYTES,
	});
	cipher.setAAD(headerBody);
	cipher.final();
	return cipher.getAuthTag();
}

/** The whole header: body and authentication tag, as written and as signed. */
export function serializeHeader(fields: EsdkHeaderFields, key: KeyObject): Buffer {
	const body = serializeHeaderBody(fields);
	return Buffer.concat([body, headerAuthTag(fields.suite, key, body)]);
}

export function cipherName(suite: EsdkSuite): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
	return `aes-${(suite.keyBytes * 8) as 128 | 192 | 256}-gcm`;
}
