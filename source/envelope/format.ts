/**
 * The envelope model and its exact serialisation (docs/FORMAT.md). Pure: no I/O, no keys.
 *
 * The header is serialised canonically (fixed field order, sorted context keys, compact JSON). The
 * binary encoding stores exactly that text as its first line; the JSON encoding is that text with
 * `iv`, `ciphertext` and `authTag` appended. Reading (header-parse.ts) re-serialises and demands byte
 * equality, so an envelope has exactly one valid spelling and any edit that still parses is caught
 * before KMS.
 */
import {createHash} from 'node:crypto';
import {hasUnsafeCharacters} from '../terminal-text.js';

export const FORMAT_NAME = 'kms-tui-envelope';
export const FORMAT_VERSION = 1;
export const ALGORITHM = 'AES-256-GCM-HKDF-SHA512-COMMIT';
export const DATA_KEY_BYTES = 32;
export const MESSAGE_ID_BYTES = 32;
export const COMMITMENT_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes of per-frame additional data: header digest ‖ frame number ‖ final flag. */
export const AAD_BYTES = 32 + 8 + 1;
export const DEFAULT_FRAME_SIZE = 1024 * 1024;
export const MIN_FRAME_SIZE = 64;
/** Caps what a (possibly hostile) binary header can make decrypt allocate. */
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;
/** The JSON encoding holds one frame of this size, so its plaintext must be smaller. */
export const JSON_FRAME_SIZE = 64 * 1024 * 1024;
export const JSON_MAX_PLAINTEXT = JSON_FRAME_SIZE - 1;
export const MAX_HEADER_BYTES = 64 * 1024;
/** Frame numbers are 32-bit (nonce derivation); 2^32 frames is 4 PiB at the default size. */
export const MAX_FRAMES = 2 ** 32;

export type EnvelopeEncoding = 'binary' | 'json';

export type EnvelopeHeader = {
	readonly format: typeof FORMAT_NAME;
	readonly version: typeof FORMAT_VERSION;
	readonly algorithm: typeof ALGORITHM;
	/** The KMS key that GenerateDataKey used (full ARN as KMS returned it). */
	readonly keyArn: string;
	/** CiphertextBlob of the data key, standard base64. */
	readonly encryptedDataKey: string;
	readonly encryptionContext: Readonly<Record<string, string>>;
	/** 32 random bytes, lower-case hex. */
	readonly messageId: string;
	/** Plaintext bytes per frame; every frame but the last holds exactly this many. */
	readonly frameSize: number;
	/** HKDF key commitment, standard base64 (32 bytes). */
	readonly commitment: string;
	/** Base name of the encrypted file; absent for stdin. */
	readonly fileName?: string;
	/** Plaintext length when it was known up front (absent for a binary envelope from stdin). */
	readonly plaintextSize?: number;
	/** ISO 8601 UTC, millisecond precision. */
	readonly createdAt: string;
};

export const HEADER_FIELDS = [
	'format',
	'version',
	'algorithm',
	'keyArn',
	'encryptedDataKey',
	'encryptionContext',
	'messageId',
	'frameSize',
	'commitment',
	'fileName',
	'plaintextSize',
	'createdAt',
] as const;
export const JSON_BODY_FIELDS = ['iv', 'ciphertext', 'authTag'] as const;

/** The canonical header text (no trailing newline): the bytes every frame authenticates. */
export function serializeHeader(header: EnvelopeHeader): string {
	// No prototype: a context name such as __proto__ is a pair like any other (kms-tui encrypt
	// --context __proto__=x), not a setter that drops it from the header.
	const context: Record<string, string> = Object.create(null);
	for (const key of Object.keys(header.encryptionContext).sort()) {
		context[key] = header.encryptionContext[key] as string;
	}
	const ordered: Record<string, unknown> = {};
	for (const field of HEADER_FIELDS) {
		const value = field === 'encryptionContext' ? context : header[field];
		if (value !== undefined) ordered[field] = value;
	}
	return JSON.stringify(ordered);
}

export function headerDigest(headerText: string): Buffer {
	return createHash('sha256').update(headerText, 'utf8').digest();
}

/** AAD of frame `n`: SHA-256(header) ‖ uint64be(n) ‖ final (0x01) or not (0x00). Written into `out`. */
export function frameAad(digest: Buffer, frameNumber: number, final: boolean, out: Buffer): Buffer {
	digest.copy(out, 0);
	out.writeUInt32BE(Math.floor(frameNumber / 2 ** 32), 32);
	out.writeUInt32BE(frameNumber >>> 0, 36);
	out[40] = final ? 1 : 0;
	return out;
}

/** On-disk body length of a binary envelope whose plaintext is `size` bytes. */
export function binaryBodySize(size: number, frameSize: number): number {
	const full = Math.floor(size / frameSize);
	return full * (frameSize + TAG_BYTES) + (size % frameSize) + TAG_BYTES;
}

/** Frame count and plaintext size implied by a binary body length, or undefined if impossible. */
export function binaryBodyLayout(
	bodySize: number,
	frameSize: number,
): {frames: number; plaintextSize: number} | undefined {
	const full = Math.floor(bodySize / (frameSize + TAG_BYTES));
	const rest = bodySize % (frameSize + TAG_BYTES);
	if (rest < TAG_BYTES) return undefined;
	return {frames: full + 1, plaintextSize: full * frameSize + rest - TAG_BYTES};
}

/**
 * A name recorded in an envelope may only ever become one entry inside the output directory,
 * and must show as what it is: no separators, no `.`/`..`, at most 255 bytes, and none of the
 * characters a terminal acts on or that disguise a name (C0/C1 controls, DEL, bidi overrides
 * and isolates, zero-width characters, U+2028/U+2029, the BOM: terminal-text.ts has the list).
 */
export function isSafeFileName(name: string): boolean {
	return (
		name.length > 0 &&
		name !== '.' &&
		name !== '..' &&
		Buffer.byteLength(name) <= 255 &&
		!/[/\\]/.test(name) &&
		!hasUnsafeCharacters(name) &&
		// A lone surrogate cannot be stored as UTF-8: it would come back as U+FFFD.
		!/\p{Surrogate}/u.test(name)
	);
}

/** JSON encoding: everything before the base64 ciphertext. */
export function jsonPrefix(headerText: string, iv: Buffer): string {
	return `${headerText.slice(0, -1)},"iv":"${iv.toString('base64')}","ciphertext":"`;
}

/** JSON encoding: everything after the base64 ciphertext, including the final newline. */
export function jsonSuffix(tag: Buffer): string {
	return `","authTag":"${tag.toString('base64')}"}\n`;
}

/** Length of jsonSuffix(): `","authTag":"` + 24 base64 characters + `"}\n`. */
export const JSON_SUFFIX_BYTES = 13 + 24 + 3;

/** Largest JSON envelope decrypt will read: header, base64 of the largest frame, suffix. */
export const JSON_MAX_DOCUMENT_BYTES =
	MAX_HEADER_BYTES + 64 + Math.ceil((JSON_MAX_PLAINTEXT + TAG_BYTES) / 3) * 4 + JSON_SUFFIX_BYTES;
