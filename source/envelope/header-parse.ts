/**
 * Reading an envelope's header (docs/FORMAT.md §2, §7): strict base64, the field checks, and the
 * canonical-form check that re-serialises what was read and demands the same bytes. Every
 * failure is `not-an-envelope`, `unsupported-version`, `unsafe-name` or `tampered`, before KMS.
 */
import {hasUnsafeCharacters} from '../terminal-text.js';
import {EnvelopeError} from './errors.js';
import {
	ALGORITHM,
	COMMITMENT_BYTES,
	type EnvelopeHeader,
	FORMAT_NAME,
	FORMAT_VERSIONS,
	type FormatVersion,
	HEADER_FIELDS,
	type HeaderWrappedKey,
	isSafeFileName,
	isValidKeyMaterialId,
	JSON_FRAME_SIZE,
	MAX_FRAME_SIZE,
	MAX_WRAPPED_KEYS,
	MIN_FRAME_SIZE,
	serializeHeader,
} from './format.js';

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

export function validateContext(context: unknown, label: string): Record<string, string> {
	if (typeof context !== 'object' || context === null || Array.isArray(context)) {
		throw notAnEnvelope(label, 'encryptionContext is not an object');
	}
	// No prototype, so that a stored name such as __proto__ survives (JSON.parse keeps it).
	const result: Record<string, string> = Object.create(null);
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
 * rejected so that each version has one meaning.
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
	const version = object.version as FormatVersion;
	if (!FORMAT_VERSIONS.includes(version) || object.algorithm !== ALGORITHM) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: envelope version ${JSON.stringify(object.version)} with algorithm ${JSON.stringify(object.algorithm)} is not supported (this kms-tui reads versions ${FORMAT_VERSIONS.join(' and ')}, ${ALGORITHM}) — use the kms-tui release that wrote it.`,
		);
	}
	const known: readonly string[] = HEADER_FIELDS[version];
	for (const key of Object.keys(object)) {
		if (!known.includes(key) && !bodyFields.includes(key)) {
			throw notAnEnvelope(label, `unknown field "${key}"`);
		}
	}
	const wrappedKeys =
		version === 1 ? [wrappedKey(object, label, '')] : wrappedKeyList(object.wrappedKeys, label);
	const messageId = field(object, 'messageId', label, isString);
	const frameSize = field(object, 'frameSize', label, isInteger);
	const commitment = field(object, 'commitment', label, isString);
	const createdAt = field(object, 'createdAt', label, isString);
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
				`${label}: the file name stored in the envelope is not a plain file name (a path, a control or invisible character); refusing it so nothing can be written outside the output directory or shown disguised — give the output name with -o.`,
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
		version,
		algorithm: ALGORITHM,
		encryptionContext: validateContext(object.encryptionContext, label),
		messageId,
		frameSize,
		commitment,
		...(fileName === undefined ? {} : {fileName}),
		...(plaintextSize === undefined ? {} : {plaintextSize}),
		createdAt,
		wrappedKeys,
	};
	return header;
}

/**
 * Version 2's `wrappedKeys`: 1 … MAX_WRAPPED_KEYS objects of exactly {keyArn, encryptedDataKey}
 * and, optionally, `keyMaterialId` (docs/FORMAT.md §2).
 */
function wrappedKeyList(value: unknown, label: string): HeaderWrappedKey[] {
	if (!Array.isArray(value) || value.length === 0) {
		throw notAnEnvelope(label, 'field "wrappedKeys" must be a non-empty list');
	}
	if (value.length > MAX_WRAPPED_KEYS) {
		throw notAnEnvelope(
			label,
			`${value.length} wrapped keys, more than the ${MAX_WRAPPED_KEYS} an envelope may hold`,
		);
	}
	return value.map((entry, index) => {
		const where = `wrappedKeys[${index}]`;
		if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
			throw notAnEnvelope(label, `${where} is not an object`);
		}
		for (const key of Object.keys(entry)) {
			if (key !== 'keyArn' && key !== 'encryptedDataKey' && key !== 'keyMaterialId') {
				throw notAnEnvelope(label, `unknown field "${key}" in ${where}`);
			}
		}
		const parsed = wrappedKey(entry as Record<string, unknown>, label, `${where}.`);
		const {keyMaterialId} = entry as {keyMaterialId?: unknown};
		if (keyMaterialId === undefined) return parsed;
		if (!isValidKeyMaterialId(keyMaterialId)) {
			throw notAnEnvelope(label, `field "${where}.keyMaterialId" is invalid`);
		}
		return {...parsed, keyMaterialId};
	});
}

/** A key ARN and its encrypted data key (`where` prefixes the field names in messages). */
function wrappedKey(
	object: Record<string, unknown>,
	label: string,
	where: string,
): HeaderWrappedKey {
	const keyArn = object.keyArn;
	const encryptedDataKey = object.encryptedDataKey;
	if (typeof keyArn !== 'string') {
		throw notAnEnvelope(label, `field "${where}keyArn" is missing or invalid`);
	}
	// A key ARN is ASCII; controls, bidi overrides and the like would only ever disguise one.
	if (keyArn.length === 0 || keyArn.length > 2048 || hasUnsafeCharacters(keyArn)) {
		throw notAnEnvelope(label, `field "${where}keyArn" is invalid`);
	}
	if (typeof encryptedDataKey !== 'string') {
		throw notAnEnvelope(label, `field "${where}encryptedDataKey" is missing or invalid`);
	}
	if (decodeBase64(encryptedDataKey, `${where}encryptedDataKey`, label).length === 0) {
		throw notAnEnvelope(label, `field "${where}encryptedDataKey" is empty`);
	}
	return {keyArn, encryptedDataKey};
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
