/**
 * The data key is taken from the response bytes before the SDK parses them (no JS string of it):
 * through the real SDK against the embedded sandbox, and the byte-level parsing on its own.
 */
import {DecryptCommand, GenerateDataKeyCommand} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	captureDataKey,
	decodeBase64,
	extractPlaintext,
} from '../../source/service/data-key-capture.js';
import type {Services} from '../../source/service/index.js';
import {createKey, sandboxServices} from '../helpers/render.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let services: Services;
let keyId: string;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	services = sandboxServices(sandbox);
	keyId = await createKey(sandbox);
});
afterAll(async () => {
	services.close();
	await sandbox.close();
});

const isZero = (bytes: Uint8Array) => bytes.every((byte) => byte === 0);

describe('through the SDK', () => {
	it('GenerateDataKey and Decrypt give the same key; the SDK only ever sees zeros', async () => {
		const kms = sandbox.kms();
		const generate = new GenerateDataKeyCommand({KeyId: keyId, KeySpec: 'AES_256'});
		const generated = captureDataKey(generate);
		const output = await kms.send(generate);
		const key = generated.take();
		expect(key?.length).toBe(32);
		expect(isZero(key as Buffer)).toBe(false);
		expect(output.Plaintext?.length).toBe(32);
		expect(isZero(output.Plaintext as Uint8Array)).toBe(true);
		expect(generated.take()).toBeUndefined();

		// Without the capture, the SDK's own decoding of the same key.
		const plain = await kms.send(new DecryptCommand({CiphertextBlob: output.CiphertextBlob}));
		expect(Buffer.from(plain.Plaintext as Uint8Array).equals(key as Buffer)).toBe(true);

		const decrypt = new DecryptCommand({CiphertextBlob: output.CiphertextBlob});
		const decrypted = captureDataKey(decrypt);
		const again = await kms.send(decrypt);
		expect(isZero(again.Plaintext as Uint8Array)).toBe(true);
		expect(decrypted.take()?.equals(key as Buffer)).toBe(true);
	});

	it('the service hands out the key and decrypts it back', async () => {
		const dataKey = await services.keys.generateDataKey({keyId, encryptionContext: {a: 'b'}});
		const back = await services.keys.decryptDataKey({
			ciphertextBlob: dataKey.ciphertextBlob,
			encryptionContext: {a: 'b'},
			keyArn: dataKey.keyArn,
		});
		expect(back.plaintext.equals(dataKey.plaintext)).toBe(true);
		expect(isZero(back.plaintext)).toBe(false);
		// The captured keys, each in memory of its own: not a slice of Node's shared Buffer pool
		// (as a copy of the SDK's array would be) and not inside the JS heap.
		expect(dataKey.plaintext.buffer.byteLength).toBe(32);
		expect(back.plaintext.buffer.byteLength).toBe(32);
	});

	it('leaves error responses to the SDK', async () => {
		const dataKey = await services.keys.generateDataKey({keyId, encryptionContext: {a: 'b'}});
		const failure = await services.keys
			.decryptDataKey({
				ciphertextBlob: dataKey.ciphertextBlob,
				encryptionContext: {a: 'other'},
				keyArn: dataKey.keyArn,
			})
			.then(
				() => undefined,
				(error: unknown) => error,
			);
		expect(failure).toMatchObject({name: 'ServiceError', kind: 'invalid-ciphertext'});
	});
});

describe('extractPlaintext', () => {
	const key = Buffer.from(
		'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
		'hex',
	);
	const b64 = key.toString('base64');

	it('takes the top-level member wherever it is, and blanks it in the body', () => {
		for (const text of [
			`{"KeyId":"arn","Plaintext":"${b64}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}`,
			`{ "Plaintext" : "${b64}" }`,
			`{"Nested":{"Plaintext":"AAAA"},"List":["Plaintext",{"Plaintext":"AAAA"}],"Plaintext":"${b64}"}`,
			`{"Note":"a \\"Plaintext\\": \\"x\\"","Plaintext":"${b64}"}`,
		]) {
			const body = Buffer.from(text);
			expect(extractPlaintext(body)?.equals(key)).toBe(true);
			expect(body.toString()).not.toContain(b64);
			expect(JSON.parse(body.toString()).Plaintext).toBe(b64.replace(/[^=]/g, 'A'));
		}
	});

	it('leaves the body alone when it cannot be sure', () => {
		for (const text of [
			`{"Plaintext":"${b64}","Plaintext":"${b64}"}`,
			`{"Plaintext":"\\u0041${b64.slice(1)}"}`,
			`{"Plaintext":"${b64.slice(1)}"}`,
			`{"Plaintext":12}`,
			`{"Other":"${b64}"}`,
			`{"Plaintext":"${b64}`,
		]) {
			const body = Buffer.from(text);
			expect(extractPlaintext(body)).toBeUndefined();
			expect(body.toString()).toBe(text);
		}
	});
});

describe('decodeBase64', () => {
	it('matches Buffer.from(…, "base64") on every valid input', () => {
		fc.assert(
			fc.property(fc.uint8Array({maxLength: 100}), (bytes) => {
				const text = Buffer.from(bytes).toString('base64');
				expect(decodeBase64(Buffer.from(text))?.equals(Buffer.from(bytes))).toBe(true);
			}),
			{numRuns: 500},
		);
	});

	it('refuses what is not standard padded base64', () => {
		for (const text of ['A', 'AB=C', 'A===', '-_AA', 'AA AA', 'AAA=AAAA']) {
			expect(decodeBase64(Buffer.from(text))).toBeUndefined();
		}
	});
});
