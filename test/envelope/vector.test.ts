/**
 * The test vectors printed in docs/FORMAT.md, checked two ways: the engine must produce exactly
 * these bytes, and an independent re-implementation of the document (plain node:crypto, below)
 * must too — so the document, not just the code, is what is tested.
 */
import {createCipheriv, createHash, hkdfSync} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {beforeEach, expect, test} from 'vitest';
import type {DataKeyProvider} from '../../source/envelope/data-key-provider.js';
import {decryptFile, encryptFile} from '../../source/envelope/index.js';
import {tempDirPerTest} from '../helpers/local-data-keys.js';

const dataKey = Buffer.from(Array.from({length: 32}, (_, i) => i));
const messageId = Buffer.from(Array.from({length: 32}, (_, i) => 0x20 + i));
const ciphertextBlob = Buffer.from('kms-tui test vector: encrypted data key');
const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const plaintext = 'Hello, kms-tui! This is the envelope format test vector: two frames.\n';
const context = {purpose: 'test-vector', app: 'kms-tui'};
const createdAt = '2026-01-01T00:00:00.000Z';

const expectedHeader =
	'{"format":"kms-tui-envelope","version":1,"algorithm":"AES-256-GCM-HKDF-SHA512-COMMIT","keyArn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","encryptedDataKey":"a21zLXR1aSB0ZXN0IHZlY3RvcjogZW5jcnlwdGVkIGRhdGEga2V5","encryptionContext":{"app":"kms-tui","purpose":"test-vector"},"messageId":"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f","frameSize":64,"commitment":"dhwKciC49bBXPc1jhJoGy8Jp4OUHuJ9mGfD+C7mk4FY=","fileName":"vector.txt","plaintextSize":69,"createdAt":"2026-01-01T00:00:00.000Z"}';
const expectedBody =
	'333f96757d25ae23fbfadbf39e0854327ffb3bcac93091ad3849d62a42c6c6791b9144208fc218a97b241a876897a3fc3d4b04128716cf57aeaf8f28fc651b2c68c6bfc640441e4b5f79d30d0854f497d7cdedcd061a5bd0284041fadc43fa70dd3af8b597';
const expectedBinarySha256 = '597cab7d8373a71ec39cfc5b39fa6f9ff0b6d2b05b9a18241ae716290dc498ce';
const expectedJsonSha256 = '873956730b6756bdc8045aa9b6067149d1876198fbf74bb878870e9b295be0fa';

/** Returns the fixed data key (a fresh copy each call, which the engine then zeroes). */
const fixedProvider: DataKeyProvider = {
	async generateDataKey() {
		return {plaintext: Buffer.from(dataKey), ciphertextBlob, keyArn};
	},
	async decryptDataKey(request) {
		expect(Buffer.from(request.ciphertextBlob).equals(ciphertextBlob)).toBe(true);
		expect(request.encryptionContext).toEqual(context);
		return {plaintext: Buffer.from(dataKey), keyArn};
	},
};

const dir = tempDirPerTest();
beforeEach(async () => {
	await writeFile(path.join(dir(), 'vector.txt'), plaintext);
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function vector(format: 'binary' | 'json'): Promise<Buffer> {
	const {outputPath} = await encryptFile({
		input: path.join(dir(), 'vector.txt'),
		provider: fixedProvider,
		keyId: 'alias/vector',
		format,
		frameSize: 64,
		messageId,
		now: () => new Date(createdAt),
		encryptionContext: context,
	});
	return readFile(outputPath);
}

/** docs/FORMAT.md §3–§5, written out independently of source/envelope. */
function reference(): {header: string; body: Buffer; derived: Record<string, string>} {
	const expand = (label: string, length: number) =>
		Buffer.from(hkdfSync('sha512', dataKey, messageId, `kms-tui-envelope/v1 ${label}`, length));
	const key = expand('data key', 32);
	const commitment = expand('key commitment', 32);
	const nonceBase = expand('nonce base', 12);
	const header = JSON.stringify({
		format: 'kms-tui-envelope',
		version: 1,
		algorithm: 'AES-256-GCM-HKDF-SHA512-COMMIT',
		keyArn,
		encryptedDataKey: ciphertextBlob.toString('base64'),
		encryptionContext: {app: 'kms-tui', purpose: 'test-vector'},
		messageId: messageId.toString('hex'),
		frameSize: 64,
		commitment: commitment.toString('base64'),
		fileName: 'vector.txt',
		plaintextSize: 69,
		createdAt,
	});
	const digest = createHash('sha256').update(header).digest();
	const frames = [Buffer.from(plaintext).subarray(0, 64), Buffer.from(plaintext).subarray(64)];
	const sealed = frames.map((frame, n) => {
		const nonce = Buffer.from(nonceBase);
		nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ n) >>> 0, 8);
		const aad = Buffer.alloc(41);
		digest.copy(aad);
		aad.writeBigUInt64BE(BigInt(n), 32);
		aad[40] = n === frames.length - 1 ? 1 : 0;
		const cipher = createCipheriv('aes-256-gcm', key, nonce);
		cipher.setAAD(aad);
		return Buffer.concat([cipher.update(frame), cipher.final(), cipher.getAuthTag()]);
	});
	const derived = {
		key: key.toString('hex'),
		commitment: commitment.toString('hex'),
		nonceBase: nonceBase.toString('hex'),
	};
	return {header, body: Buffer.concat(sealed), derived};
}

test('binary vector: exact header line, frame bytes and SHA-256', async () => {
	const bytes = await vector('binary');
	const newline = bytes.indexOf(0x0a);
	expect(bytes.subarray(0, newline).toString()).toBe(expectedHeader);
	expect(bytes.subarray(newline + 1).toString('hex')).toBe(expectedBody);
	expect(sha256(bytes)).toBe(expectedBinarySha256);
});

test('the document alone (independent implementation) gives the same bytes', () => {
	const {header, body, derived} = reference();
	expect(header).toBe(expectedHeader);
	expect(body.toString('hex')).toBe(expectedBody);
	expect(derived).toEqual({
		key: 'a588d5aaad8930b185addbcb9a5a9de07d3fc59b76d5c04239374f1e4afe4bd6',
		commitment: '761c0a7220b8f5b0573dcd63849a06cbc269e0e507b89f6619f0fe0bb9a4e056',
		nonceBase: '84fc8daaa0292ca11aa1b589',
	});
});

test('JSON vector: the same single frame in the classic envelope shape', async () => {
	const bytes = await vector('json');
	expect(sha256(bytes)).toBe(expectedJsonSha256);
	const document = JSON.parse(bytes.toString()) as Record<string, string>;
	expect(document.iv).toBe('hPyNqqApLKEaobWJ');
	expect(document.authTag).toBe('YTlQUKY56P58DspR7X3zzw==');
	expect(bytes.at(-1)).toBe(0x0a);
});

test('both vectors decrypt back to the plaintext', async () => {
	for (const format of ['binary', 'json'] as const) {
		await vector(format);
		const name = format === 'json' ? 'vector.txt.kms.json' : 'vector.txt.kms';
		const output = path.join(dir(), `out-${format}.txt`);
		await decryptFile({input: path.join(dir(), name), output, provider: fixedProvider});
		expect(await readFile(output, 'utf8')).toBe(plaintext);
	}
});
