/**
 * The envelope model and its exact serialisation (docs/FORMAT.md). Pure: no I/O, no keys.
 *
 * The header is serialised canonically (fixed field order, sorted context keys, compact JSON). The
 * binary encoding stores exactly that text as its first line; the JSON encoding is that text with
 * `iv`, `ciphertext` and `authTag` appended. Frames authenticate its digest D: in version 2 that of
 * every field but the wrapped keys, so a re-wrap rewrites the header line alone. Reading (header-parse.ts) re-serialises and demands byte
 * equality, so an envelope has exactly one valid spelling and any edit that still parses is caught
 * before KMS.
 */
import {createHash} from 'node:crypto';
import {hasUnsafeCharacters} from '../terminal-text.js';

export const FORMAT_NAME = 'kms-tui-envelope';
/** The version new envelopes are written in. Version 1 is still read (docs/FORMAT.md §12). */
export const FORMAT_VERSION = 2;
export const FORMAT_VERSIONS = [1, 2] as const;
export type FormatVersion = (typeof FORMAT_VERSIONS)[number];
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

/** One KMS key the data key is encrypted under. */
export type HeaderWrappedKey = {
	/** The key's full ARN, as KMS returned it (not the alias the user typed). */
	readonly keyArn: string;
	/** CiphertextBlob of the data key under that key, standard base64. */
	readonly encryptedDataKey: string;
	/**
	 * Version 2 only, optional: the KeyMaterialId KMS reported when it made this wrapped key
	 * (GenerateDataKey, ReEncrypt; Encrypt reports none). Not authenticated, like the rest of the
	 * entry: a label for scan and inspect ("which files still need the old material?").
	 */
	readonly keyMaterialId?: string;
};

/**
 * What a stored key material id may be: KMS's are 64 lower-case hex digits; other endpoints'
 * may differ, so any 1 – 128 characters of [A-Za-z0-9_-] (nothing a terminal acts on). A writer
 * leaves out an id that fails this rather than write a header no reader accepts.
 */
export function isValidKeyMaterialId(value: unknown): value is string {
	return typeof value === 'string' && /^[A-Za-z\d_-]{1,128}$/.test(value);
}

/**
 * The header of either version. Version 2's JSON has exactly this shape; version 1 stores its one
 * wrapped key as top-level `keyArn` and `encryptedDataKey` (serializeHeader maps it).
 */
export type EnvelopeHeader = {
	readonly format: typeof FORMAT_NAME;
	readonly version: FormatVersion;
	readonly algorithm: typeof ALGORITHM;
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
	/**
	 * The data key under each KMS key that can open it, tried in this order (≥ 1; exactly 1 in
	 * version 1). In version 2 the only field frames do not authenticate: re-wrapping replaces it.
	 */
	readonly wrappedKeys: readonly HeaderWrappedKey[];
};

/** The fields of each version's header, in their canonical order. */
export const HEADER_FIELDS = {
	1: [
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
	],
	2: [
		'format',
		'version',
		'algorithm',
		'encryptionContext',
		'messageId',
		'frameSize',
		'commitment',
		'fileName',
		'plaintextSize',
		'createdAt',
		'wrappedKeys',
	],
} as const satisfies Record<FormatVersion, readonly string[]>;

/** Most wrapped keys a header may hold: decrypt may make one KMS call for each. */
export const MAX_WRAPPED_KEYS = 10;
export const JSON_BODY_FIELDS = ['iv', 'ciphertext', 'authTag'] as const;

/** The canonical header text (no trailing newline), in the header's own version. */
export function serializeHeader(header: EnvelopeHeader): string {
	return JSON.stringify(orderedFields(header, HEADER_FIELDS[header.version]));
}

/**
 * What every frame authenticates (its SHA-256 is `D`): version 1, the whole header text; version
 * 2, the canonical header without `wrappedKeys` — every field but the one a re-wrap changes.
 */
export function authenticatedHeaderText(header: EnvelopeHeader): string {
	if (header.version === 1) return serializeHeader(header);
	const fields = HEADER_FIELDS[2].filter((field) => field !== 'wrappedKeys');
	return JSON.stringify(orderedFields(header, fields));
}

/** D, the header digest in every frame's AAD (docs/FORMAT.md §2). */
export function headerDigest(header: EnvelopeHeader): Buffer {
	return createHash('sha256').update(authenticatedHeaderText(header), 'utf8').digest();
}

function orderedFields(header: EnvelopeHeader, fields: readonly string[]): Record<string, unknown> {
	// No prototype: a context name such as __proto__ is a pair like any other (kms-tui encrypt
	// --context __proto__=x), not a setter that drops it from the header.
	const context: Record<string, string> = Object.create(null);
	for (const key of Object.keys(header.encryptionContext).sort()) {
		context[key] = header.encryptionContext[key] as string;
	}
	const [first] = header.wrappedKeys;
	const values: Record<string, unknown> = {
		...header,
		encryptionContext: context,
		// Each wrapped key exactly as {keyArn, encryptedDataKey[, keyMaterialId]}, whatever else the
		// object holds.
		wrappedKeys: header.wrappedKeys.map(({keyArn, encryptedDataKey, keyMaterialId}) => ({
			keyArn,
			encryptedDataKey,
			...(keyMaterialId === undefined ? {} : {keyMaterialId}),
		})),
		keyArn: first?.keyArn,
		encryptedDataKey: first?.encryptedDataKey,
	};
	const ordered: Record<string, unknown> = {};
	for (const field of fields) {
		const value = values[field];
		if (value !== undefined) ordered[field] = value;
	}
	return ordered;
}

/** AAD of frame `n`: D (headerDigest) ‖ uint64be(n) ‖ final (0x01) or not (0x00). Written into `out`. */
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
