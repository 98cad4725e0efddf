/**
 * Re-wrapping an AWS Encryption SDK message (docs/esdk.md "rewrap"): its encrypted data keys get
 * a new wrapping through KMS ReEncrypt, as for kms-tui envelopes — but the message is written
 * again under a NEW message id, its frames re-sealed, and (signed suites) a new ECDSA key pair.
 *
 * Why not only the header, as for a version 2 envelope: the SDK authenticates the header with
 * AES-GCM under the message's derived key and a fixed all-zero IV (message format 2). A second
 * header body under the same key and IV is GCM nonce reuse: with the old and the new file side by
 * side, the two tags give away GCM's authentication key, and with it forged frames (and, for the
 * signed suites, a forged header carrying the forger's own public key). A new message id derives
 * a new key (HKDF salt), so nothing of the old file is reused. The data key itself stays (KMS
 * ReEncrypt keeps it inside KMS); it is decrypted once here because the new key, commitment and
 * header tag are derived from it. It and the signing key are dropped as soon as they are used.
 *
 * The old message is verified completely on the way (header tag, every frame, the signature of
 * the signed suites), so a damaged message is never re-signed into a valid one; any failure
 * leaves the file as it was (replace-file.ts).
 */
import {createSecretKey, type KeyObject, randomBytes} from 'node:crypto';
import {EnvelopeError, throwIfAborted} from '../envelope/errors.js';
import {checkExpectedContext} from '../envelope/expected-context.js';
import {fileSink, fileSource} from '../envelope/io.js';
import {pumpBatches} from '../envelope/pump.js';
import type {OpenedForRewrap} from '../envelope/replace-file.js';
import {replaceFile} from '../envelope/replace-file.js';
import type {RewrapOptions, RewrapResult} from '../envelope/rewrap.js';
import {rewrapWrappedKeys} from '../envelope/rewrap-keys.js';
import {unwrapDataKey} from '../envelope/wrapped-keys.js';
import {createBodyReader} from './body-read.js';
import {frameSealer, knownSizeBody} from './body-write.js';
import {deriveEsdkKeys} from './derive.js';
import type {EsdkHeader} from './header-parse.js';
import {readEsdkHeader} from './header-read.js';
import {AWS_KMS_PROVIDER_ID, serializeHeader} from './header-write.js';
import {fileLayout} from './layout.js';
import {checkedHeaderKey, kmsKeys} from './message-key.js';
import {createEsdkSigner} from './sign.js';
import {createEsdkVerifier, esdkVerificationKey} from './signature-verify.js';
import {describeSuite, ESDK_MESSAGE_ID_BYTES, ESDK_PUBLIC_KEY_CONTEXT_KEY} from './suites.js';

/** Plaintext bytes read and re-sealed per batch. */
const BATCH_BYTES = 1024 * 1024;

export async function rewrapEsdkMessage(
	file: string,
	opened: OpenedForRewrap,
	options: RewrapOptions,
): Promise<RewrapResult> {
	const label = file;
	const {signal} = options;
	const source = fileSource(opened.handle.fd);
	const {header, headerBytes} = await readEsdkHeader(source, label);
	const {suite} = header;
	if (suite.messageFormatVersion !== 2 || !suite.committing) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: the message uses the legacy suite ${describeSuite(suite)} (message format 1); kms-tui re-wraps only the committing suites it writes. The file is unchanged — decrypt it${suite.committing ? '' : ' (--allow-non-committing)'} and encrypt it again.`,
		);
	}
	if (header.contentType !== 'framed') {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: non-framed SDK messages are not re-wrapped; the file is unchanged — decrypt it and encrypt it again.`,
		);
	}
	const oldPublicKey = verificationKey(header, label);
	checkExpectedContext(header.encryptionContext, options.expectedContext ?? {}, label, 'message');
	const {wrapped, others} = kmsKeys(header, label);
	if (others.length > 0) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: its data key is also wrapped by ${others.join(', ')}; kms-tui can re-wrap only AWS KMS (aws-kms) data keys, and dropping the others would lock out their holders. The file is unchanged.`,
		);
	}
	const layout = await fileLayout(opened.handle.fd, header, opened.size);
	if (!layout) {
		throw new EnvelopeError(
			'truncated',
			`${label}: the file's length does not fit its header — it was cut off, or bytes were added; KMS was not asked and the file is unchanged.`,
		);
	}

	// The new message: id, keys, signer and context.
	const messageId = randomBytes(ESDK_MESSAGE_ID_BYTES[2]);
	const signer = suite.signature ? createEsdkSigner(suite.signature) : undefined;
	const context: Record<string, string> = {...header.encryptionContext};
	if (signer) context[ESDK_PUBLIC_KEY_CONTEXT_KEY] = signer.publicKey;
	const keys = await messageKeys(header, headerBytes, wrapped, messageId, options, label);
	try {
		// A signed suite's context changes (the new public key): every data key is wrapped again
		// under it, kept ones included, since KMS binds the context into each.
		const edks = await rewrapWrappedKeys({
			current: wrapped,
			plan: options,
			provider: options.provider,
			sourceContext: header.encryptionContext,
			destinationContext: context,
			rewrapKept: signer !== undefined,
			signal,
			label,
			onNotice: options.onNotice,
		});
		const newHeader = serializeHeader(
			{
				suite,
				messageId,
				encryptionContext: context,
				encryptedDataKeys: edks.map((key) => ({
					providerId: AWS_KMS_PROVIDER_ID,
					providerInfo: Buffer.from(key.keyArn, 'utf8'),
					ciphertext: key.encryptedDataKey,
				})),
				frameLength: header.frameLength,
				commitKey: keys.newCommitKey,
			},
			keys.newKey,
		);
		const verifier = oldPublicKey ? createEsdkVerifier(suite, oldPublicKey) : undefined;
		verifier?.update(headerBytes);
		const bytes = await replaceFile(opened, {
			label,
			signal,
			onNotice: options.onNotice,
			write: async (out) => {
				const sink = fileSink(out);
				signer?.update(newHeader);
				await sink.write([newHeader]);
				const reader = createBodyReader({
					header,
					key: keys.oldKey,
					verifier,
					holdUnverified: false,
					label,
					released: () => ' The file is unchanged.',
				});
				const body = knownSizeBody(
					frameSealer(suite, keys.newKey, messageId),
					layout.plaintextSize,
					header.frameLength,
				);
				await pumpBatches({
					source,
					sink,
					batch: BATCH_BYTES,
					signal,
					label,
					transform: (data, isLast) => {
						const plain: Buffer[] = [];
						reader.consume(data, isLast, plain);
						const sealed: Buffer[] = [];
						for (const piece of plain) {
							body.push(piece, sealed);
							piece.fill(0);
						}
						if (isLast && !body.finish(sealed)) {
							throw new EnvelopeError(
								'truncated',
								`${label}: the message holds fewer bytes than its layout says; the file is unchanged.`,
							);
						}
						for (const piece of sealed) signer?.update(piece);
						if (isLast && signer) sealed.push(signer.footer());
						return sealed;
					},
				});
				throwIfAborted(label, signal);
			},
		});
		// An SDK message has no place for KMS's key material id: what the file holds is the ARN.
		const after = edks.map(({keyArn}) => ({keyArn}));
		return {
			path: file,
			kind: 'esdk',
			before: wrapped.map(({keyArn}) => ({keyArn})),
			after,
			// The frames were sealed again under the new message id (see the module comment).
			payloadUnchanged: false,
			bytes,
		};
	} finally {
		keys.dispose();
	}
}

/** The signed suites carry their verification key in the context; the others must not. */
function verificationKey(header: EsdkHeader, label: string): KeyObject | undefined {
	const has = Object.hasOwn(header.encryptionContext, ESDK_PUBLIC_KEY_CONTEXT_KEY);
	const value = header.encryptionContext[ESDK_PUBLIC_KEY_CONTEXT_KEY];
	const tampered = (why: string) =>
		new EnvelopeError(
			'tampered',
			`${label}: ${why} — the header was modified; the file is unchanged.`,
		);
	if (!header.suite.signature) {
		if (has)
			throw tampered(
				`the unsigned suite comes with a signing key (${ESDK_PUBLIC_KEY_CONTEXT_KEY})`,
			);
		return undefined;
	}
	if (!has || value === undefined)
		throw tampered(`the signed suite has no ${ESDK_PUBLIC_KEY_CONTEXT_KEY}`);
	const key = esdkVerificationKey(header.suite, value);
	if ('invalid' in key) throw tampered(key.invalid);
	return key.key;
}

/**
 * One KMS Decrypt for the data key; from it the old message's key (its commitment and header tag
 * checked) and the new message's key and commitment. The data key is zeroed before this returns.
 */
async function messageKeys(
	header: EsdkHeader,
	headerBytes: Buffer,
	wrapped: Parameters<typeof unwrapDataKey>[1],
	messageId: Buffer,
	options: RewrapOptions,
	label: string,
): Promise<{oldKey: KeyObject; newKey: KeyObject; newCommitKey: Buffer; dispose(): void}> {
	const opened = await unwrapDataKey(
		options.provider,
		wrapped,
		header.encryptionContext,
		label,
		options.signal,
	);
	let old: ReturnType<typeof deriveEsdkKeys>;
	let next: ReturnType<typeof deriveEsdkKeys>;
	try {
		throwIfAborted(label, options.signal);
		old = deriveEsdkKeys(header.suite, opened.plaintext, header.messageId);
		next = deriveEsdkKeys(header.suite, opened.plaintext, messageId);
	} finally {
		opened.plaintext.fill(0);
	}
	try {
		const oldKey = checkedHeaderKey(header, headerBytes, old, label, 'the file is unchanged');
		const newCommitKey = Buffer.from(next.commitKey as Buffer);
		return {
			oldKey,
			newKey: createSecretKey(next.encryptionKey),
			newCommitKey,
			dispose: () => newCommitKey.fill(0),
		};
	} finally {
		old.encryptionKey.fill(0);
		old.commitKey?.fill(0);
		next.encryptionKey.fill(0);
		next.commitKey?.fill(0);
	}
}
