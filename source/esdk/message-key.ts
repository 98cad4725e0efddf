/**
 * The message key of an SDK message: its aws-kms data keys as wrapped keys (other providers are
 * named, never tried), one KMS Decrypt per key until one opens (envelope/wrapped-keys.ts), the
 * HKDF of the suite, the key commitment (constant time) and the header tag. The plaintext data
 * key and the derived bytes are zeroed here; only a KeyObject leaves.
 */
import {createDecipheriv, createSecretKey, type KeyObject, timingSafeEqual} from 'node:crypto';
import type {DataKeyProvider} from '../envelope/data-key-provider.js';
import {EnvelopeError, throwIfAborted} from '../envelope/errors.js';
import {unwrapDataKey, type WrappedKey} from '../envelope/wrapped-keys.js';
import {hasUnsafeCharacters, terminalSafeLine} from '../terminal-text.js';
import {deriveEsdkKeys} from './derive.js';
import type {EsdkEncryptedDataKey, EsdkHeader} from './header-parse.js';
import {ESDK_TAG_BYTES} from './suites.js';

/** The KMS keyring's provider id; its provider info is the key ARN. */
export const AWS_KMS_PROVIDER = 'aws-kms';

const keyArnPattern = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[^\s]+$/;

/** How a data key of another provider is named in messages. */
export function describeProvider(key: EsdkEncryptedDataKey): string {
	const id = terminalSafeLine(key.providerId);
	const info = key.providerInfo;
	// A raw AES keyring's provider info: key name ‖ UInt32 tag bits (128) ‖ UInt32 IV bytes (12) ‖ IV.
	const tail = info.length >= 20 ? info.subarray(info.length - 20, info.length - 12) : undefined;
	if (tail?.equals(Buffer.from([0, 0, 0, 0x80, 0, 0, 0, 0x0c]))) {
		return `raw AES keyring (provider "${id}", key "${terminalSafeLine(info.subarray(0, info.length - 20).toString('utf8'))}")`;
	}
	if (key.providerId === 'aws-kms-hierarchy')
		return `AWS KMS hierarchical keyring (provider "${id}")`;
	if (key.providerId === 'aws-kms-rsa') return `AWS KMS RSA keyring (provider "${id}")`;
	if (key.providerId === 'aws-kms-ecdh' || key.providerId === 'raw-ecdh')
		return `ECDH keyring (provider "${id}")`;
	return `raw RSA or custom keyring (provider "${id}")`;
}

/** The aws-kms data keys, as the wrapped keys of wrapped-keys.ts; the others named for messages. */
export function kmsKeys(
	header: EsdkHeader,
	label: string,
): {wrapped: WrappedKey[]; others: string[]} {
	const wrapped: WrappedKey[] = [];
	const others: string[] = [];
	for (const key of header.encryptedDataKeys) {
		if (key.providerId !== AWS_KMS_PROVIDER) {
			others.push(describeProvider(key));
			continue;
		}
		const keyArn = key.providerInfo.toString('utf8');
		if (
			!keyArnPattern.test(keyArn) ||
			hasUnsafeCharacters(keyArn) ||
			!Buffer.from(keyArn, 'utf8').equals(key.providerInfo)
		) {
			throw new EnvelopeError(
				'not-an-envelope',
				`${label}: an aws-kms data key names "${terminalSafeLine(keyArn)}", not a KMS key ARN — the file is corrupt; nothing was written.`,
			);
		}
		wrapped.push({keyArn, encryptedDataKey: key.ciphertext});
	}
	if (wrapped.length === 0) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: the message's data key is only wrapped by ${others.join(', ')}; kms-tui decrypts only data keys wrapped by AWS KMS (provider "aws-kms") — decrypt it with the AWS Encryption SDK and that keyring; nothing was written.`,
		);
	}
	return {wrapped, others};
}

/**
 * Asks KMS for the data key (first aws-kms key that opens wins), derives the message key, checks
 * the commitment and the header tag. The data key and the derived bytes are zeroed here.
 */
export async function messageKey(
	header: EsdkHeader,
	headerBytes: Buffer,
	wrapped: readonly WrappedKey[],
	others: readonly string[],
	provider: DataKeyProvider,
	label: string,
	signal: AbortSignal | undefined,
): Promise<{key: KeyObject; keyArn: string}> {
	let opened: Awaited<ReturnType<typeof unwrapDataKey>>;
	try {
		// The SDK's KMS keyring passes the whole stored context, aws-crypto-public-key included.
		opened = await unwrapDataKey(provider, wrapped, header.encryptionContext, label, signal);
	} catch (error) {
		if (error instanceof EnvelopeError && error.code === 'kms' && others.length > 0) {
			throw new EnvelopeError(
				'kms',
				`${error.message} (Not tried, unsupported: ${others.join(', ')}.)`,
				{cause: error.cause},
			);
		}
		throw error;
	}
	let derived: ReturnType<typeof deriveEsdkKeys>;
	try {
		if (opened.keyArn !== wrapped[opened.index]?.keyArn) {
			throw new EnvelopeError(
				'kms',
				`${label}: KMS answered for ${opened.keyArn}, not the key the message names (${wrapped[opened.index]?.keyArn}); nothing was written.`,
			);
		}
		throwIfAborted(label, signal);
		derived = deriveEsdkKeys(header.suite, opened.plaintext, header.messageId);
	} finally {
		opened.plaintext.fill(0);
	}
	const {encryptionKey, commitKey} = derived;
	try {
		const key = checkedHeaderKey(header, headerBytes, derived, label, 'nothing was written');
		return {key, keyArn: opened.keyArn};
	} finally {
		encryptionKey.fill(0);
		commitKey?.fill(0);
	}
}

/**
 * The message key, once the header has proved it belongs to it: the key commitment (committing
 * suites) compared in constant time, then the header's authentication tag verified. `outcome`
 * ends each error message: what became of the file ("nothing was written", "it is unchanged").
 * The caller zeroes `derived`.
 */
export function checkedHeaderKey(
	header: EsdkHeader,
	headerBytes: Buffer,
	derived: {readonly encryptionKey: Buffer; readonly commitKey?: Buffer},
	label: string,
	outcome: string,
): KeyObject {
	if (header.suite.committing) {
		const stored = header.commitKey as Buffer;
		const {commitKey} = derived;
		if (!commitKey || commitKey.length !== stored.length || !timingSafeEqual(commitKey, stored)) {
			throw new EnvelopeError(
				'wrong-key',
				`${label}: the data key KMS returned does not match the message's key commitment — the header was modified or names another key; ${outcome}.`,
			);
		}
	}
	const key = createSecretKey(derived.encryptionKey);
	const check = createDecipheriv(
		`aes-${header.suite.keyBytes * 8}-gcm` as 'aes-256-gcm',
		key,
		header.headerIv,
		{authTagLength: ESDK_TAG_BYTES},
	);
	check.setAAD(headerBytes.subarray(0, header.bodyBytes));
	check.setAuthTag(header.headerTag);
	try {
		check.final();
	} catch {
		throw new EnvelopeError(
			'tampered',
			`${label}: the message header failed authentication — the file was modified or is corrupt; ${outcome}.`,
		);
	}
	return key;
}
