/**
 * An in-memory DataKeyProvider with real crypto: data keys are random, wrapped with AES-256-GCM
 * under a local master key, with the key ARN and the encryption context as AAD — so a wrong
 * context, a modified blob or another master key fails like KMS Decrypt does. Counts calls and
 * keeps every plaintext Buffer it handed out, so tests can check the engine zeroed them.
 */
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto';
import type {DataKeyProvider} from '../../source/envelope/data-key-provider.js';

export type LocalDataKeys = DataKeyProvider & {
	readonly keyArn: string;
	readonly keyMaterialId?: string;
	/** `encrypt` appears with the first Encrypt call (tests written before it compare `calls` whole). */
	readonly calls: {generate: number; decrypt: number; encrypt?: number; reEncrypt?: number};
	/** Every plaintext data-key Buffer returned, in order. */
	readonly issued: Buffer[];
};

const magic = Buffer.from('LDK1');

function aad(keyArn: string, context: Readonly<Record<string, string>>): Buffer {
	const sorted = Object.keys(context)
		.sort()
		.map((key) => [key, context[key]]);
	return Buffer.from(JSON.stringify([keyArn, sorted]));
}

function kmsError(name: string, message: string): Error {
	return Object.assign(new Error(message), {name});
}

export function createLocalDataKeys(
	options: {
		masterKey?: Buffer;
		keyArn?: string;
		/** Reported as KMS's KeyMaterialId on generate, decrypt and re-encrypt (none: left out). */
		keyMaterialId?: string;
	} = {},
): LocalDataKeys {
	const masterKey = options.masterKey ?? randomBytes(32);
	const keyArn =
		options.keyArn ?? 'arn:aws:kms:eu-west-1:000000000000:key/11111111-2222-3333-4444-555555555555';
	const calls: LocalDataKeys['calls'] = {generate: 0, decrypt: 0};
	const material = options.keyMaterialId ? {keyMaterialId: options.keyMaterialId} : {};
	const issued: Buffer[] = [];
	const checkSignal = (signal: AbortSignal | undefined) => {
		if (signal?.aborted) throw kmsError('AbortError', 'The operation was aborted');
	};
	const checkKeyId = (keyId: string) => {
		if (keyId !== keyArn && keyId !== 'alias/local') {
			throw kmsError('NotFoundException', `Key '${keyId}' does not exist`);
		}
	};
	const wrap = (plaintext: Buffer, context: Readonly<Record<string, string>>): Buffer => {
		const iv = randomBytes(12);
		const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
		cipher.setAAD(aad(keyArn, context));
		const wrapped = Buffer.concat([cipher.update(plaintext), cipher.final()]);
		return Buffer.concat([magic, iv, wrapped, cipher.getAuthTag()]);
	};
	return {
		keyArn,
		...material,
		calls,
		issued,
		async generateDataKey({keyId, encryptionContext, signal}) {
			calls.generate++;
			checkSignal(signal);
			checkKeyId(keyId);
			const plaintext = randomBytes(32);
			issued.push(plaintext);
			return {plaintext, ciphertextBlob: wrap(plaintext, encryptionContext), keyArn, ...material};
		},
		async encryptDataKey({plaintext, keyId, encryptionContext, signal}) {
			calls.encrypt = (calls.encrypt ?? 0) + 1;
			checkSignal(signal);
			checkKeyId(keyId);
			return {ciphertextBlob: wrap(plaintext, encryptionContext), keyArn};
		},
		async decryptDataKey({ciphertextBlob, encryptionContext, keyArn: requested, signal}) {
			calls.decrypt++;
			checkSignal(signal);
			const plaintext = unwrap(ciphertextBlob, encryptionContext, requested);
			issued.push(plaintext);
			return {plaintext, keyArn, ...material};
		},
		async reEncryptDataKey(request) {
			calls.reEncrypt = (calls.reEncrypt ?? 0) + 1;
			checkSignal(request.signal);
			checkKeyId(request.destinationKeyId);
			// As KMS: the plaintext stays inside (here: is zeroed before returning).
			const plaintext = unwrap(
				request.ciphertextBlob,
				request.sourceEncryptionContext,
				request.sourceKeyArn,
			);
			try {
				const context = request.destinationEncryptionContext ?? request.sourceEncryptionContext;
				return {
					ciphertextBlob: wrap(plaintext, context),
					keyArn,
					sourceKeyArn: keyArn,
					...material,
					...(options.keyMaterialId ? {sourceKeyMaterialId: options.keyMaterialId} : {}),
				};
			} finally {
				plaintext.fill(0);
			}
		},
	};
	function unwrap(
		ciphertextBlob: Uint8Array,
		encryptionContext: Readonly<Record<string, string>>,
		requested: string,
	): Buffer {
		if (requested !== keyArn) {
			throw kmsError(
				'IncorrectKeyException',
				'The key ID in the request does not identify the key that encrypted the ciphertext',
			);
		}
		const blob = Buffer.from(ciphertextBlob);
		if (blob.length !== 4 + 12 + 32 + 16 || !blob.subarray(0, 4).equals(magic)) {
			throw kmsError('InvalidCiphertextException', 'The ciphertext is invalid');
		}
		try {
			const decipher = createDecipheriv('aes-256-gcm', masterKey, blob.subarray(4, 16));
			decipher.setAAD(aad(keyArn, encryptionContext));
			decipher.setAuthTag(blob.subarray(48));
			return Buffer.concat([decipher.update(blob.subarray(16, 48)), decipher.final()]);
		} catch {
			throw kmsError('InvalidCiphertextException', 'The ciphertext is invalid');
		}
	}
}

/**
 * One provider over several local keys, as KMS is over the keys of an account: each call goes to
 * the key it names (generate/encrypt by keyId, decrypt by keyArn). A key in `disabled` refuses
 * every call with DisabledException, as a disabled KMS key does.
 */
export function combineLocalDataKeys(
	keys: readonly LocalDataKeys[],
	options: {disabled?: ReadonlySet<string>} = {},
): DataKeyProvider & {readonly disabled: Set<string>} {
	const disabled = new Set(options.disabled ?? []);
	const named = (keyId: string) => {
		const key = keys.find((candidate) => candidate.keyArn === keyId);
		if (!key) throw kmsError('NotFoundException', `Key '${keyId}' does not exist`);
		if (disabled.has(key.keyArn)) throw kmsError('DisabledException', `${key.keyArn} is disabled.`);
		return key;
	};
	return {
		disabled,
		generateDataKey: (request) => named(request.keyId).generateDataKey(request),
		encryptDataKey: (request) => named(request.keyId).encryptDataKey(request),
		decryptDataKey: (request) => named(request.keyArn).decryptDataKey(request),
		// Across keys, as KMS does inside: open under the source key, wrap under the destination.
		async reEncryptDataKey(request) {
			const source = named(request.sourceKeyArn);
			const destination = named(request.destinationKeyId);
			if (source === destination) return source.reEncryptDataKey(request);
			const opened = await source.decryptDataKey({
				ciphertextBlob: request.ciphertextBlob,
				encryptionContext: request.sourceEncryptionContext,
				keyArn: request.sourceKeyArn,
				signal: request.signal,
			});
			try {
				const encrypted = await destination.encryptDataKey({
					plaintext: opened.plaintext,
					keyId: destination.keyArn,
					encryptionContext:
						request.destinationEncryptionContext ?? request.sourceEncryptionContext,
					signal: request.signal,
				});
				return {
					...encrypted,
					sourceKeyArn: source.keyArn,
					...(destination.keyMaterialId ? {keyMaterialId: destination.keyMaterialId} : {}),
					...(source.keyMaterialId ? {sourceKeyMaterialId: source.keyMaterialId} : {}),
				};
			} finally {
				opened.plaintext.fill(0);
			}
		},
	};
}

// --- Small fixtures shared by the envelope tests (real files in fresh temp directories). ---

import {createHash} from 'node:crypto';
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {PassThrough, Readable} from 'node:stream';
import {afterEach, beforeEach, expect} from 'vitest';
import {EnvelopeError} from '../../source/envelope/errors.js';

/** A fresh directory under the OS temp dir and a function that removes it. */
export async function makeTempDir(): Promise<{dir: string; remove: () => Promise<void>}> {
	const dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-envelope-'));
	return {dir, remove: () => rm(dir, {recursive: true, force: true})};
}

/**
 * A fresh temp directory for every test of the file, removed after it: call once at the top
 * level, and `dir()` inside tests and hooks registered after it.
 */
export function tempDirPerTest(): () => string {
	let current: {dir: string; remove: () => Promise<void>} | undefined;
	beforeEach(async () => {
		current = await makeTempDir();
	});
	afterEach(async () => {
		await current?.remove();
		current = undefined;
	});
	return () => {
		if (!current) throw new Error('tempDirPerTest: dir() is only there during a test');
		return current.dir;
	};
}

/** Expects `promise` to reject with an EnvelopeError, and returns it. */
export async function rejection(promise: Promise<unknown>): Promise<EnvelopeError> {
	const error = await promise.then(
		() => undefined,
		(caught: unknown) => caught,
	);
	expect(error).toBeInstanceOf(EnvelopeError);
	return error as EnvelopeError;
}

/** Directory entries, sorted, including hidden temp files. */
export async function listDir(dir: string): Promise<string[]> {
	return (await readdir(dir)).sort();
}

export async function sha256File(file: string): Promise<string> {
	return createHash('sha256')
		.update(await readFile(file))
		.digest('hex');
}

export function readableOf(bytes: Buffer, chunkSize = 7919): Readable {
	const chunks: Buffer[] = [];
	for (let at = 0; at < bytes.length; at += chunkSize)
		chunks.push(bytes.subarray(at, at + chunkSize));
	return Readable.from(chunks);
}

/** A writable that keeps everything written; `bytes()` returns it. */
export function collector(): {stream: PassThrough; bytes: () => Buffer} {
	const stream = new PassThrough();
	const chunks: Buffer[] = [];
	stream.on('data', (chunk: Buffer) => chunks.push(chunk));
	return {stream, bytes: () => Buffer.concat(chunks)};
}
