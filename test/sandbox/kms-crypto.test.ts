/**
 * Ciphertext blobs through the real SDK: encryption context binding, tampering, IncorrectKey,
 * ReEncrypt and data keys. Every failure must be InvalidCiphertextException with an empty message.
 */
import {
	CreateKeyCommand,
	DecryptCommand,
	EncryptCommand,
	GenerateDataKeyCommand,
	GenerateDataKeyWithoutPlaintextCommand,
	type KMSClient,
	ReEncryptCommand,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let kms: KMSClient;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	kms = sandbox.kms();
});
afterAll(async () => {
	await sandbox.close();
});

async function newKey() {
	const {KeyMetadata} = await kms.send(new CreateKeyCommand({}));
	return {
		keyId: KeyMetadata?.KeyId as string,
		arn: KeyMetadata?.Arn as string,
		materialId: KeyMetadata?.CurrentKeyMaterialId as string,
	};
}

/**
 * KMS sends InvalidCiphertextException with an empty message; the JS SDK replaces an empty
 * message with "UnknownError" (smithy `decorateServiceException`), so that is what a client sees.
 * The raw-HTTP test below checks that the wire message really is empty.
 */
const invalidCiphertext = {name: 'InvalidCiphertextException', message: 'UnknownError'};
const context = {purpose: 'test', Tenant: 'Acme'};

async function encrypted(keyId: string, encryptionContext: Record<string, string> = context) {
	const {CiphertextBlob} = await kms.send(
		new EncryptCommand({
			KeyId: keyId,
			Plaintext: Buffer.from('attack at dawn'),
			EncryptionContext: encryptionContext,
		}),
	);
	return CiphertextBlob as Uint8Array;
}

describe('Encrypt / Decrypt', () => {
	test('round trip without a KeyId; the context may be given in any order', async () => {
		const {keyId, arn, materialId} = await newKey();
		const blob = await encrypted(keyId);
		const result = await kms.send(
			new DecryptCommand({
				CiphertextBlob: blob,
				EncryptionContext: {Tenant: 'Acme', purpose: 'test'},
			}),
		);
		expect(Buffer.from(result.Plaintext as Uint8Array).toString()).toBe('attack at dawn');
		expect(result).toMatchObject({
			KeyId: arn,
			EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
			KeyMaterialId: materialId,
		});
	});

	test('a wrong, partial, case-changed or missing context → InvalidCiphertextException with an empty message', async () => {
		const {keyId} = await newKey();
		const blob = await encrypted(keyId);
		const wrong: Array<Record<string, string> | undefined> = [
			{purpose: 'test', Tenant: 'Other'},
			{purpose: 'test'},
			{purpose: 'test', tenant: 'Acme'},
			{...context, extra: 'x'},
			undefined,
		];
		for (const encryptionContext of wrong) {
			await expect(
				kms.send(new DecryptCommand({CiphertextBlob: blob, EncryptionContext: encryptionContext})),
			).rejects.toMatchObject(invalidCiphertext);
		}
	});

	test('a blob made without a context does not decrypt with one', async () => {
		const {keyId} = await newKey();
		const blob = await encrypted(keyId, {});
		await expect(kms.send(new DecryptCommand({CiphertextBlob: blob}))).resolves.toHaveProperty(
			'Plaintext',
		);
		await expect(
			kms.send(new DecryptCommand({CiphertextBlob: blob, EncryptionContext: {a: 'b'}})),
		).rejects.toMatchObject(invalidCiphertext);
	});

	test('flipping one bit anywhere (header, IV, tag, body) → InvalidCiphertextException', async () => {
		const {keyId} = await newKey();
		const blob = await encrypted(keyId);
		// Version, key ID, material ID, IV, tag, ciphertext, last byte.
		for (const offset of [0, 1, 20, 36, 40, 68, 70, 85, 97, blob.length - 1]) {
			const tampered = Uint8Array.from(blob);
			tampered[offset] = (tampered[offset] as number) ^ 0x01;
			await expect(
				kms.send(new DecryptCommand({CiphertextBlob: tampered, EncryptionContext: context})),
			).rejects.toMatchObject(invalidCiphertext);
		}
		await expect(
			kms.send(
				new DecryptCommand({CiphertextBlob: blob.subarray(0, 50), EncryptionContext: context}),
			),
		).rejects.toMatchObject(invalidCiphertext);
		await expect(
			kms.send(
				new DecryptCommand({
					CiphertextBlob: Buffer.from('not a kms blob at all'),
					EncryptionContext: context,
				}),
			),
		).rejects.toMatchObject(invalidCiphertext);
	});

	test('a KeyId that does not match the blob → IncorrectKeyException', async () => {
		const first = await newKey();
		const second = await newKey();
		const blob = await encrypted(first.keyId);
		await expect(
			kms.send(
				new DecryptCommand({CiphertextBlob: blob, EncryptionContext: context, KeyId: second.keyId}),
			),
		).rejects.toMatchObject({
			name: 'IncorrectKeyException',
			message: 'The key ID in the request does not identify a CMK that can perform this operation.',
		});
		await expect(
			kms.send(
				new DecryptCommand({CiphertextBlob: blob, EncryptionContext: context, KeyId: first.arn}),
			),
		).resolves.toMatchObject({KeyId: first.arn});
	});
});

test('on the wire, InvalidCiphertextException has an empty message', async () => {
	const {keyId} = await newKey();
	const blob = Buffer.from(await encrypted(keyId));
	const response = await fetch(sandbox.endpoint, {
		method: 'POST',
		headers: {
			'content-type': 'application/x-amz-json-1.1',
			'x-amz-target': 'TrentService.Decrypt',
			authorization: `AWS4-HMAC-SHA256 Credential=sandbox/20240101/${sandbox.region}/kms/aws4_request, SignedHeaders=host, Signature=0`,
		},
		body: JSON.stringify({
			CiphertextBlob: blob.toString('base64'),
			EncryptionContext: {wrong: 'context'},
		}),
	});
	expect(response.status).toBe(400);
	expect(await response.json()).toEqual({__type: 'InvalidCiphertextException', message: ''});
});

describe('ReEncrypt', () => {
	test('moves a blob to another key and context; the source context is checked', async () => {
		const source = await newKey();
		const destination = await newKey();
		const blob = await encrypted(source.keyId);
		await expect(
			kms.send(new ReEncryptCommand({CiphertextBlob: blob, DestinationKeyId: destination.keyId})),
		).rejects.toMatchObject(invalidCiphertext);
		const result = await kms.send(
			new ReEncryptCommand({
				CiphertextBlob: blob,
				SourceEncryptionContext: context,
				DestinationKeyId: destination.arn,
				DestinationEncryptionContext: {stage: 'two'},
			}),
		);
		expect(result).toMatchObject({
			SourceKeyId: source.arn,
			KeyId: destination.arn,
			SourceKeyMaterialId: source.materialId,
			DestinationKeyMaterialId: destination.materialId,
		});
		const decrypted = await kms.send(
			new DecryptCommand({
				CiphertextBlob: result.CiphertextBlob,
				EncryptionContext: {stage: 'two'},
			}),
		);
		expect(decrypted.KeyId).toBe(destination.arn);
		expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe('attack at dawn');
	});
});

describe('data keys', () => {
	test('GenerateDataKey returns a plaintext key whose blob decrypts to it', async () => {
		const {keyId, arn, materialId} = await newKey();
		const dataKey = await kms.send(
			new GenerateDataKeyCommand({KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context}),
		);
		expect(dataKey).toMatchObject({KeyId: arn, KeyMaterialId: materialId});
		expect(dataKey.Plaintext).toHaveLength(32);
		const decrypted = await kms.send(
			new DecryptCommand({CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: context}),
		);
		expect(Buffer.from(decrypted.Plaintext as Uint8Array)).toEqual(
			Buffer.from(dataKey.Plaintext as Uint8Array),
		);
	});

	test('GenerateDataKeyWithoutPlaintext returns no plaintext; its blob decrypts to NumberOfBytes bytes', async () => {
		const {keyId} = await newKey();
		const dataKey = await kms.send(
			new GenerateDataKeyWithoutPlaintextCommand({KeyId: keyId, NumberOfBytes: 1024}),
		);
		expect(dataKey).not.toHaveProperty('Plaintext');
		expect(dataKey.CiphertextBlob?.length).toBeLessThanOrEqual(6144);
		const decrypted = await kms.send(new DecryptCommand({CiphertextBlob: dataKey.CiphertextBlob}));
		expect(decrypted.Plaintext).toHaveLength(1024);
	});
});
