/**
 * Key material and the ciphertext blob format.
 *
 * Blob layout, version 1 (offset/length in bytes):
 *   0/1 version 0x01 · 1/36 key ID, ASCII lowercase UUID · 37/32 key material ID (its 64 hex as raw bytes)
 *   69/12 AES-GCM IV (random) · 81/16 AES-GCM auth tag · 97/n AES-256-GCM ciphertext of the plaintext
 * AAD = bytes 0–68 (the whole header) ‖ the canonical encryption context (see below).
 *
 * The header names the key and the material version, so Decrypt needs no KeyId and keeps working
 * after rotation; authenticating the header as AAD means a flipped bit anywhere in the blob fails
 * the GCM check. Every failure is reported as "not decryptable" (null) so that the caller answers
 * InvalidCiphertextException with an empty message, as KMS does, without saying which part failed.
 */
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto';
import type {KmsKeyMaterial} from './state.js';

const version = 0x01;
const keyIdLength = 36;
const materialIdLength = 32;
const ivLength = 12;
const tagLength = 16;
const headerLength = 1 + keyIdLength + materialIdLength;
const overhead = headerLength + ivLength + tagLength;
const keyIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newKeyMaterial(now: number): KmsKeyMaterial {
	return {
		id: randomBytes(materialIdLength).toString('hex'),
		material: randomBytes(32).toString('base64'),
		createdAt: now,
	};
}

/**
 * The encryption context as AAD: a JSON array of [key, value] pairs sorted by key (code-unit
 * order). JSON keeps the encoding unambiguous, and sorting makes member order irrelevant while
 * keys and values stay case-sensitive — the matching rule KMS documents.
 */
export function canonicalContext(context: Record<string, string>): Buffer {
	const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return Buffer.from(JSON.stringify(pairs), 'utf8');
}

export function sealBlob(
	keyId: string,
	material: KmsKeyMaterial,
	plaintext: Buffer,
	context: Record<string, string>,
): Buffer {
	const header = Buffer.concat([
		Buffer.of(version),
		Buffer.from(keyId, 'ascii'),
		Buffer.from(material.id, 'hex'),
	]);
	if (header.length !== headerLength) {
		throw new Error(`Key id ${keyId} does not fit the ciphertext blob format`);
	}
	const iv = randomBytes(ivLength);
	const cipher = createCipheriv('aes-256-gcm', Buffer.from(material.material, 'base64'), iv);
	cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
	const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
	return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
}

export type ParsedBlob = {keyId: string; keyMaterialId: string; blob: Buffer};

/** Reads the header without authenticating it; null when the blob cannot be one of ours. */
export function parseBlob(blob: Buffer): ParsedBlob | null {
	if (blob.length < overhead || blob[0] !== version) {
		return null;
	}
	const keyId = blob.subarray(1, 1 + keyIdLength).toString('latin1');
	if (!keyIdPattern.test(keyId)) {
		return null;
	}
	const keyMaterialId = blob.subarray(1 + keyIdLength, headerLength).toString('hex');
	return {keyId, keyMaterialId, blob};
}

/** Authenticates and decrypts; null on any mismatch (tampering, wrong context, wrong material). */
export function openBlob(
	parsed: ParsedBlob,
	material: KmsKeyMaterial,
	context: Record<string, string>,
): Buffer | null {
	const {blob} = parsed;
	const header = blob.subarray(0, headerLength);
	const iv = blob.subarray(headerLength, headerLength + ivLength);
	const tag = blob.subarray(headerLength + ivLength, overhead);
	const ciphertext = blob.subarray(overhead);
	try {
		const decipher = createDecipheriv('aes-256-gcm', Buffer.from(material.material, 'base64'), iv);
		decipher.setAuthTag(tag);
		decipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
		return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
	} catch {
		return null;
	}
}
