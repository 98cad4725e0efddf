/**
 * The envelope model and its exact serialisation (docs/FORMAT.md). Pure: no I/O, no keys.
 *
 * The header is serialised canonically (fixed field order, sorted context keys, compact JSON). The
 * binary encoding stores exactly that text as its first line; the JSON encoding is that text with
 * `iv`, `ciphertext` and `authTag` appended. Parsing re-serialises and demands byte equality, so an
 * envelope has exactly one valid spelling and any edit that still parses is caught before KMS.
 */
import {createHash} from 'node:crypto';
import {EnvelopeError} from './errors.js';

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

const headerFields = [
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
	const context: Record<string, string> = {};
	for (const key of Object.keys(header.encryptionContext).sort()) {
		context[key] = header.encryptionContext[key] as string;
	}
	const ordered: Record<string, unknown> = {};
	for (const field of headerFields) {
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

const base64Pattern = /^(?:[A-Za-z\d+/]{4})*(?:[A-Za-z\d+/]{2}==|[A-Za-z\d+/]{3}=)?$/;
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Strict base64: only the canonical spelling of the bytes is accepted (no stray bits). */
export function decodeBase64(value: string, what: string, label: string): Buffer {
	const bytes = Buffer.from(value, 'base64');
	if (!base64Pattern.test(value) || bytes.toString('base64') !== value) {
		throw notAnEnvelope(label, `${what} is not valid base64`);
	}
	return bytes;
}

export function notAnEnvelope(label: string, why: string): EnvelopeError {
	return new EnvelopeError(
		'not-an-envelope',
		`${label}: not a valid kms-tui envelope (${why}) — check that this is the file \`kms-tui encrypt\` wrote.`,
	);
}

/**
 * A name recorded in an envelope may only ever become one entry inside the output directory:
 * no separators, no `.`/`..`, no NUL or control characters, at most 255 bytes.
 */
export function isSafeFileName(name: string): boolean {
	return (
		name.length > 0 &&
		name !== '.' &&
		name !== '..' &&
		Buffer.byteLength(name) <= 255 &&
		// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
		!/[/\\\u0000-\u001f\u007f]/.test(name)
	);
}

export function validateContext(context: unknown, label: string): Record<string, string> {
	if (typeof context !== 'object' || context === null || Array.isArray(context)) {
		throw notAnEnvelope(label, 'encryptionContext is not an object');
	}
	const result: Record<string, string> = {};
	for (const [key, value] of Object.entries(context)) {
		if (key.length === 0 || typeof value !== 'string') {
			throw notAnEnvelope(label, 'encryptionContext must map non-empty names to strings');
		}
		result[key] = value;
	}
	return result;
}

function field<T>(
	object: Record<string, unknown>,
	name: string,
	label: string,
	check: (value: unknown) => value is T,
): T {
	const value = object[name];
	if (!check(value)) throw notAnEnvelope(label, `field "${name}" is missing or invalid`);
	return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);

/**
 * Validates decoded header fields (any JSON value) and returns the header. `bodyFields` are the
 * extra fields allowed beside it (the JSON encoding's iv/ciphertext/authTag); anything else is
 * rejected so that version 1 has one meaning.
 */
export function parseHeaderFields(
	value: unknown,
	label: string,
	bodyFields: readonly string[] = [],
): EnvelopeHeader {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw notAnEnvelope(label, 'the header is not a JSON object');
	}
	const object = value as Record<string, unknown>;
	if (object.format !== FORMAT_NAME) throw notAnEnvelope(label, `no "format": "${FORMAT_NAME}"`);
	if (object.version !== FORMAT_VERSION || object.algorithm !== ALGORITHM) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: envelope version ${JSON.stringify(object.version)} with algorithm ${JSON.stringify(object.algorithm)} is not supported (this kms-tui reads version ${FORMAT_VERSION}, ${ALGORITHM}) — use the kms-tui release that wrote it.`,
		);
	}
	for (const key of Object.keys(object)) {
		if (!(headerFields as readonly string[]).includes(key) && !bodyFields.includes(key)) {
			throw notAnEnvelope(label, `unknown field "${key}"`);
		}
	}
	const keyArn = field(object, 'keyArn', label, isString);
	const encryptedDataKey = field(object, 'encryptedDataKey', label, isString);
	const messageId = field(object, 'messageId', label, isString);
	const frameSize = field(object, 'frameSize', label, isInteger);
	const commitment = field(object, 'commitment', label, isString);
	const createdAt = field(object, 'createdAt', label, isString);
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
	if (keyArn.length === 0 || keyArn.length > 2048 || /[\u0000-\u001f]/.test(keyArn)) {
		throw notAnEnvelope(label, 'field "keyArn" is invalid');
	}
	if (decodeBase64(encryptedDataKey, 'encryptedDataKey', label).length === 0) {
		throw notAnEnvelope(label, 'field "encryptedDataKey" is empty');
	}
	if (!/^[\da-f]{64}$/.test(messageId)) throw notAnEnvelope(label, 'field "messageId" is invalid');
	if (decodeBase64(commitment, 'commitment', label).length !== COMMITMENT_BYTES) {
		throw notAnEnvelope(label, 'field "commitment" has the wrong length');
	}
	if (!isoPattern.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
		throw notAnEnvelope(label, 'field "createdAt" is not an ISO 8601 UTC time');
	}
	const json = bodyFields.length > 0;
	if (
		json ? frameSize !== JSON_FRAME_SIZE : frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE
	) {
		throw notAnEnvelope(label, `frame size ${frameSize} is out of range`);
	}
	let fileName: string | undefined;
	if (object.fileName !== undefined) {
		if (typeof object.fileName !== 'string' || !isSafeFileName(object.fileName)) {
			throw new EnvelopeError(
				'unsafe-name',
				`${label}: the file name stored in the envelope is not a plain file name; refusing it so nothing can be written outside the output directory — give the output name with -o.`,
			);
		}
		fileName = object.fileName;
	}
	const plaintextSize = object.plaintextSize;
	if (plaintextSize !== undefined && (!isInteger(plaintextSize) || plaintextSize < 0)) {
		throw notAnEnvelope(label, 'field "plaintextSize" is invalid');
	}
	const header: EnvelopeHeader = {
		format: FORMAT_NAME,
		version: FORMAT_VERSION,
		algorithm: ALGORITHM,
		keyArn,
		encryptedDataKey,
		encryptionContext: validateContext(object.encryptionContext, label),
		messageId,
		frameSize,
		commitment,
		...(fileName === undefined ? {} : {fileName}),
		...(plaintextSize === undefined ? {} : {plaintextSize}),
		createdAt,
	};
	return header;
}

const utf8 = new TextDecoder('utf-8', {fatal: true});

/** Parses the binary encoding's first line (without its `\n`) and insists on canonical form. */
export function parseHeaderLine(
	line: Uint8Array,
	label: string,
): {header: EnvelopeHeader; text: string} {
	let text: string;
	let value: unknown;
	try {
		text = utf8.decode(line);
		value = JSON.parse(text);
	} catch {
		throw notAnEnvelope(label, 'the first line is not a JSON header');
	}
	const header = parseHeaderFields(value, label);
	if (serializeHeader(header) !== text) {
		throw new EnvelopeError(
			'tampered',
			`${label}: the header is not in the form kms-tui writes — the file was modified; nothing was written.`,
		);
	}
	return {header, text};
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
