/**
 * Parsing an AWS Encryption SDK message header (data-format/message-header.md), versions 1 and
 * 2, strictly: every length must fit, the type, reserved bytes, IV length, content type and
 * frame length must be what the spec allows, and the suite must belong to the version. Nothing
 * here is authenticated: the header tag is checked once the data key is known (decrypt.ts).
 */
import {EnvelopeError} from '../envelope/errors.js';
import {parseEsdkContext} from './encryption-context.js';
import {
	ESDK_COMMIT_KEY_BYTES,
	ESDK_IV_BYTES,
	ESDK_MESSAGE_ID_BYTES,
	ESDK_SUITES,
	ESDK_TAG_BYTES,
	type EsdkSuite,
	suiteIdHex,
} from './suites.js';

export type EsdkEncryptedDataKey = {
	/** `aws-kms` for KMS; raw keyrings write their own namespace. */
	readonly providerId: string;
	/** For `aws-kms`, the key ARN (UTF-8). */
	readonly providerInfo: Buffer;
	readonly ciphertext: Buffer;
};

export type EsdkHeader = {
	readonly version: 1 | 2;
	readonly suite: EsdkSuite;
	readonly messageId: Buffer;
	readonly encryptionContext: Readonly<Record<string, string>>;
	readonly encryptedDataKeys: readonly EsdkEncryptedDataKey[];
	readonly contentType: 'non-framed' | 'framed';
	/** Plaintext bytes per regular frame; 0 for non-framed content. */
	readonly frameLength: number;
	/** Version 2 suite data: the commit key of a committing suite. */
	readonly commitKey?: Buffer;
	/** The header IV: stored in version 1, twelve zero bytes in version 2. */
	readonly headerIv: Buffer;
	readonly headerTag: Buffer;
	/** Bytes of the header body (the AAD the header tag authenticates). */
	readonly bodyBytes: number;
	/** Bytes of the whole header (body and authentication): where the message body starts. */
	readonly headerBytes: number;
};

/** The SDK's type byte of version 1 headers: customer authenticated encrypted data. */
const TYPE_CUSTOMER_AED = 0x80;
const CONTENT_TYPES = {1: 'non-framed', 2: 'framed'} as const;

/** Default limit on encrypted data keys (the SDK's `maxEncryptedDataKeys`, unlimited there). */
export const DEFAULT_MAX_ENCRYPTED_DATA_KEYS = 16;

/** A message starts with its version: 0x01 (then the type 0x80) or 0x02. */
export function looksLikeEsdkMessage(start: Buffer): boolean {
	if (start.length === 0) return false;
	if (start[0] === 0x02) return true;
	return start[0] === 0x01 && (start.length < 2 || start[1] === TYPE_CUSTOMER_AED);
}

export function notAnEsdkMessage(label: string, why: string): EnvelopeError {
	return new EnvelopeError(
		'not-an-envelope',
		`${label}: not a valid AWS Encryption SDK message (${why}) — the file is corrupt or was not written by the AWS Encryption SDK; nothing was written.`,
	);
}

/** Thrown inside the parser when the bytes end before the header does. */
class NeedMore {}

/** Most bytes a header can take with `maxKeys` data keys (every length field at its maximum). */
export function maxEsdkHeaderBytes(maxKeys: number): number {
	return (
		1 + 1 + 2 + 32 + 2 + 0xffff + 2 + maxKeys * 3 * (2 + 0xffff) + 1 + 4 + 1 + 4 + 32 + 12 + 16
	);
}

/**
 * Parses the header at the start of `bytes`. Returns undefined when `bytes` ends before the
 * header does (read more and call again); throws EnvelopeError('not-an-envelope' or
 * 'unsupported-version') for anything the spec does not allow, as soon as it is seen.
 */
export function parseEsdkHeader(
	bytes: Buffer,
	options: {label: string; maxEncryptedDataKeys?: number},
): EsdkHeader | undefined {
	try {
		return parse(
			bytes,
			options.label,
			options.maxEncryptedDataKeys ?? DEFAULT_MAX_ENCRYPTED_DATA_KEYS,
		);
	} catch (error) {
		if (error instanceof NeedMore) return undefined;
		throw error;
	}
}

function parse(bytes: Buffer, label: string, maxKeys: number): EsdkHeader {
	let at = 0;
	const take = (n: number): Buffer => {
		if (at + n > bytes.length) throw new NeedMore();
		const out = bytes.subarray(at, at + n);
		at += n;
		return out;
	};
	const u8 = () => take(1)[0] as number;
	const u16 = () => take(2).readUInt16BE(0);
	const u32 = () => take(4).readUInt32BE(0);
	const bad = (why: string) => notAnEsdkMessage(label, why);

	const version = u8();
	if (version !== 1 && version !== 2) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: AWS Encryption SDK message format version ${version} is not supported (only 1 and 2 are); nothing was written.`,
		);
	}
	if (version === 1 && u8() !== TYPE_CUSTOMER_AED) throw bad('unknown message type');
	const suiteId = u16();
	const suite = ESDK_SUITES.get(suiteId);
	if (!suite) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: algorithm suite ${suiteIdHex(suiteId)} is not an AWS Encryption SDK suite kms-tui knows (or the file is not an SDK message at all); nothing was written.`,
		);
	}
	if (suite.messageFormatVersion !== version) {
		throw bad(
			`suite ${suiteIdHex(suiteId)} belongs to message format version ${suite.messageFormatVersion}, not ${version}`,
		);
	}
	const messageId = Buffer.from(take(ESDK_MESSAGE_ID_BYTES[version]));

	const contextBytes = take(u16());
	const parsed = parseEsdkContext(contextBytes);
	if ('invalid' in parsed) throw bad(parsed.invalid);

	const keyCount = u16();
	if (keyCount === 0) throw bad('it holds no encrypted data key');
	if (keyCount > maxKeys) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: the message holds ${keyCount} encrypted data keys, more than the limit of ${maxKeys}; nothing was written — raise it with --max-encrypted-data-keys ${keyCount} if you trust the file.`,
		);
	}
	const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});
	const keys: EsdkEncryptedDataKey[] = [];
	for (let i = 0; i < keyCount; i++) {
		let providerId: string;
		try {
			providerId = utf8.decode(take(u16()));
		} catch (error) {
			if (error instanceof NeedMore) throw error;
			throw bad(`the provider id of encrypted data key ${i + 1} is not valid UTF-8`);
		}
		const providerInfo = Buffer.from(take(u16()));
		const ciphertext = Buffer.from(take(u16()));
		keys.push({providerId, providerInfo, ciphertext});
	}

	const contentTypeByte = u8();
	const contentType = CONTENT_TYPES[contentTypeByte as 1 | 2];
	if (contentType === undefined)
		throw bad(`unknown content type 0x${contentTypeByte.toString(16)}`);
	if (version === 1) {
		if (!take(4).equals(Buffer.alloc(4))) throw bad('the reserved bytes are not zero');
		const ivLength = u8();
		if (ivLength !== ESDK_IV_BYTES)
			throw bad(`IV length ${ivLength}, the suite's is ${ESDK_IV_BYTES}`);
	}
	const frameLength = u32();
	if (contentType === 'non-framed' && frameLength !== 0) {
		throw bad('a non-framed message must have frame length 0');
	}
	if (contentType === 'framed' && frameLength === 0)
		throw bad('a framed message has frame length 0');
	const commitKey = suite.committing ? Buffer.from(take(ESDK_COMMIT_KEY_BYTES)) : undefined;
	const bodyBytes = at;
	const headerIv = version === 1 ? Buffer.from(take(ESDK_IV_BYTES)) : Buffer.alloc(ESDK_IV_BYTES);
	const headerTag = Buffer.from(take(ESDK_TAG_BYTES));
	return {
		version,
		suite,
		messageId,
		encryptionContext: parsed.context,
		encryptedDataKeys: keys,
		contentType,
		frameLength,
		...(commitKey ? {commitKey} : {}),
		headerIv,
		headerTag,
		bodyBytes,
		headerBytes: at,
	};
}
