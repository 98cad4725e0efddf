/**
 * The test vectors printed in docs/FORMAT.md §10, checked two ways: the engine must produce exactly
 * these bytes, and an independent re-implementation of the document (plain node:crypto, below)
 * must too — so the document, not just the code, is what is tested. Version 2 is what encrypt
 * writes; the version 1 vectors are kept and still decrypt (§12).
 */
import {createCipheriv, createHash, hkdfSync} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {beforeEach, describe, expect, test} from 'vitest';
import type {DataKeyProvider} from '../../source/envelope/data-key-provider.js';
import {decryptFile, encryptFile, inspectEnvelope} from '../../source/envelope/index.js';
import {tempDirPerTest} from '../helpers/local-data-keys.js';

const dataKey = Buffer.from(Array.from({length: 32}, (_, i) => i));
const messageId = Buffer.from(Array.from({length: 32}, (_, i) => 0x20 + i));
const ciphertextBlob = Buffer.from('kms-tui test vector: encrypted data key');
const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** v2's second wrapped key: the same data key under another key (KMS Encrypt). */
const secondBlob = Buffer.from('kms-tui test vector: data key under a second key');
const secondArn = 'arn:aws:kms:eu-west-1:111122223333:key/5678efab-56ef-78ab-90cd-5678901234ef';
const plaintext = 'Hello, kms-tui! This is the envelope format test vector: two frames.\n';
const context = {purpose: 'test-vector', app: 'kms-tui'};
const createdAt = '2026-01-01T00:00:00.000Z';

const v1 = {
	header:
		'{"format":"kms-tui-envelope","version":1,"algorithm":"AES-256-GCM-HKDF-SHA512-COMMIT","keyArn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","encryptedDataKey":"a21zLXR1aSB0ZXN0IHZlY3RvcjogZW5jcnlwdGVkIGRhdGEga2V5","encryptionContext":{"app":"kms-tui","purpose":"test-vector"},"messageId":"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f","frameSize":64,"commitment":"dhwKciC49bBXPc1jhJoGy8Jp4OUHuJ9mGfD+C7mk4FY=","fileName":"vector.txt","plaintextSize":69,"createdAt":"2026-01-01T00:00:00.000Z"}',
	body: '333f96757d25ae23fbfadbf39e0854327ffb3bcac93091ad3849d62a42c6c6791b9144208fc218a97b241a876897a3fc3d4b04128716cf57aeaf8f28fc651b2c68c6bfc640441e4b5f79d30d0854f497d7cdedcd061a5bd0284041fadc43fa70dd3af8b597',
	binarySha256: '597cab7d8373a71ec39cfc5b39fa6f9ff0b6d2b05b9a18241ae716290dc498ce',
	jsonSha256: '873956730b6756bdc8045aa9b6067149d1876198fbf74bb878870e9b295be0fa',
	derived: {
		key: 'a588d5aaad8930b185addbcb9a5a9de07d3fc59b76d5c04239374f1e4afe4bd6',
		commitment: '761c0a7220b8f5b0573dcd63849a06cbc269e0e507b89f6619f0fe0bb9a4e056',
		nonceBase: '84fc8daaa0292ca11aa1b589',
	},
};

const v2 = {
	header:
		'{"format":"kms-tui-envelope","version":2,"algorithm":"AES-256-GCM-HKDF-SHA512-COMMIT","encryptionContext":{"app":"kms-tui","purpose":"test-vector"},"messageId":"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f","frameSize":64,"commitment":"F9xtQObk4xit2VwARzKs186KPwrDDC/q8Ehzqgq24Wc=","fileName":"vector.txt","plaintextSize":69,"createdAt":"2026-01-01T00:00:00.000Z","wrappedKeys":[{"keyArn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","encryptedDataKey":"a21zLXR1aSB0ZXN0IHZlY3RvcjogZW5jcnlwdGVkIGRhdGEga2V5"},{"keyArn":"arn:aws:kms:eu-west-1:111122223333:key/5678efab-56ef-78ab-90cd-5678901234ef","encryptedDataKey":"a21zLXR1aSB0ZXN0IHZlY3RvcjogZGF0YSBrZXkgdW5kZXIgYSBzZWNvbmQga2V5"}]}',
	/** The header without `wrappedKeys`: what the frames authenticate (D = its SHA-256). */
	authenticated:
		'{"format":"kms-tui-envelope","version":2,"algorithm":"AES-256-GCM-HKDF-SHA512-COMMIT","encryptionContext":{"app":"kms-tui","purpose":"test-vector"},"messageId":"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f","frameSize":64,"commitment":"F9xtQObk4xit2VwARzKs186KPwrDDC/q8Ehzqgq24Wc=","fileName":"vector.txt","plaintextSize":69,"createdAt":"2026-01-01T00:00:00.000Z"}',
	digest: '6e7514254c3b8782434b26fa98b2f1f2d24a4df6ee5ae98fdc33a19fd4f5e5ff',
	body: '169c3132fb895d057f7e0d46356e9786b8e4395d844324ee228cd4414802c1b3457bd76cebc0107ff1d3adf6ed1c149e08a6afcf0a12e23de62e7e152d37367a12942b2221cca400093b25c470776041f8d80f35d7ef420f55938e9c37ef21dc132323bc5f',
	binarySha256: 'fba202cd08de803dac32684454a5b7c67a9b796d45eaecad5b3ac256ee71d07b',
	jsonSha256: 'd80bc8adf30ce815ac8eb46f58c70848bd66bb4ed9f5656d4c94c9b8a5110d44',
	derived: {
		key: 'ea7b0566e5543981bb3a221300ed3567f7b15e190c45c9c928ec3892c8a39a52',
		commitment: '17dc6d40e6e4e318add95c004732acd7ce8a3f0ac30c2feaf04873aa0ab6e167',
		nonceBase: 'd604c72dbf55bb156e0f5d84',
	},
};

/** The fixed data key under the vector's two keys (a fresh copy each call; the engine zeroes it). */
const fixedProvider: DataKeyProvider = {
	async generateDataKey() {
		return {plaintext: Buffer.from(dataKey), ciphertextBlob, keyArn};
	},
	async encryptDataKey(request) {
		expect(request.plaintext.equals(dataKey)).toBe(true);
		expect(request.keyId).toBe('alias/vector-second');
		return {ciphertextBlob: secondBlob, keyArn: secondArn};
	},
	async decryptDataKey(request) {
		const blob = request.keyArn === keyArn ? ciphertextBlob : secondBlob;
		expect(Buffer.from(request.ciphertextBlob).equals(blob)).toBe(true);
		expect(request.encryptionContext).toEqual(context);
		return {plaintext: Buffer.from(dataKey), keyArn: request.keyArn};
	},
	async reEncryptDataKey() {
		throw new Error('the vectors are not re-wrapped through this provider');
	},
};

const dir = tempDirPerTest();
beforeEach(async () => {
	await writeFile(path.join(dir(), 'vector.txt'), plaintext);
});

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function vector(version: 1 | 2, format: 'binary' | 'json'): Promise<Buffer> {
	const {outputPath} = await encryptFile({
		input: path.join(dir(), 'vector.txt'),
		provider: fixedProvider,
		keyId: version === 1 ? 'alias/vector' : ['alias/vector', 'alias/vector-second'],
		formatVersion: version,
		format,
		frameSize: 64,
		messageId,
		now: () => new Date(createdAt),
		encryptionContext: context,
	});
	return readFile(outputPath);
}

/**
 * docs/FORMAT.md §2–§6, written out independently of source/envelope: the header of each version,
 * what its frames authenticate, the key derivation and the frames.
 */
function reference(version: 1 | 2, frameSize: number) {
	const expand = (label: string, length: number) =>
		Buffer.from(
			hkdfSync('sha512', dataKey, messageId, `kms-tui-envelope/v${version} ${label}`, length),
		);
	const key = expand('data key', 32);
	const commitment = expand('key commitment', 32);
	const nonceBase = expand('nonce base', 12);
	const tail = {
		encryptionContext: {app: 'kms-tui', purpose: 'test-vector'},
		messageId: messageId.toString('hex'),
		frameSize,
		commitment: commitment.toString('base64'),
		fileName: 'vector.txt',
		plaintextSize: 69,
		createdAt,
	};
	const start = {format: 'kms-tui-envelope', version, algorithm: 'AES-256-GCM-HKDF-SHA512-COMMIT'};
	let header: string;
	let authenticated: string;
	if (version === 1) {
		header = JSON.stringify({
			...start,
			keyArn,
			encryptedDataKey: ciphertextBlob.toString('base64'),
			...tail,
		});
		authenticated = header;
	} else {
		authenticated = JSON.stringify({...start, ...tail});
		header = JSON.stringify({
			...start,
			...tail,
			wrappedKeys: [
				{keyArn, encryptedDataKey: ciphertextBlob.toString('base64')},
				{keyArn: secondArn, encryptedDataKey: secondBlob.toString('base64')},
			],
		});
	}
	const digest = createHash('sha256').update(authenticated).digest();
	const bytes = Buffer.from(plaintext);
	const frames: Buffer[] = [];
	for (let at = 0; ; at += frameSize) {
		frames.push(bytes.subarray(at, at + frameSize));
		if (bytes.length - at < frameSize) break;
	}
	const sealed = frames.map((frame, n) => {
		const nonce = Buffer.from(nonceBase);
		nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ n) >>> 0, 8);
		const aad = Buffer.alloc(41);
		digest.copy(aad);
		aad.writeBigUInt64BE(BigInt(n), 32);
		aad[40] = n === frames.length - 1 ? 1 : 0;
		const cipher = createCipheriv('aes-256-gcm', key, nonce);
		cipher.setAAD(aad);
		return {
			nonce,
			ciphertext: Buffer.concat([cipher.update(frame), cipher.final()]),
			tag: cipher.getAuthTag(),
		};
	});
	const body = Buffer.concat(sealed.flatMap((frame) => [frame.ciphertext, frame.tag]));
	const [only] = sealed;
	const json =
		only === undefined
			? ''
			: `${header.slice(0, -1)},"iv":"${only.nonce.toString('base64')}","ciphertext":"${only.ciphertext.toString('base64')}","authTag":"${only.tag.toString('base64')}"}\n`;
	return {
		header,
		authenticated,
		digest: digest.toString('hex'),
		body,
		binary: Buffer.concat([Buffer.from(`${header}\n`), body]),
		json,
		derived: {
			key: key.toString('hex'),
			commitment: commitment.toString('hex'),
			nonceBase: nonceBase.toString('hex'),
		},
	};
}

describe('version 2 (what encrypt writes)', () => {
	test('binary vector: exact header line, frame bytes and SHA-256', async () => {
		const bytes = await vector(2, 'binary');
		const newline = bytes.indexOf(0x0a);
		expect(bytes.subarray(0, newline).toString()).toBe(v2.header);
		expect(bytes.subarray(newline + 1).toString('hex')).toBe(v2.body);
		expect(sha256(bytes)).toBe(v2.binarySha256);
	});

	test('the document alone (independent implementation) gives the same bytes', () => {
		const binary = reference(2, 64);
		expect(binary.header).toBe(v2.header);
		expect(binary.authenticated).toBe(v2.authenticated);
		expect(binary.digest).toBe(v2.digest);
		expect(binary.body.toString('hex')).toBe(v2.body);
		expect(sha256(binary.binary)).toBe(v2.binarySha256);
		expect(binary.derived).toEqual(v2.derived);
		expect(sha256(reference(2, 64 * 1024 * 1024).json)).toBe(v2.jsonSha256);
	});

	test('JSON vector: the same single frame in the classic envelope shape', async () => {
		const bytes = await vector(2, 'json');
		expect(bytes.toString()).toBe(reference(2, 64 * 1024 * 1024).json);
		expect(sha256(bytes)).toBe(v2.jsonSha256);
	});

	test('the body does not depend on the wrapped keys: one key or two, the same frames', async () => {
		const two = await vector(2, 'binary');
		const {outputPath} = await encryptFile({
			input: path.join(dir(), 'vector.txt'),
			output: path.join(dir(), 'one-key.kms'),
			provider: fixedProvider,
			keyId: 'alias/vector',
			frameSize: 64,
			messageId,
			now: () => new Date(createdAt),
			encryptionContext: context,
		});
		const one = await readFile(outputPath);
		const body = (bytes: Buffer) => bytes.subarray(bytes.indexOf(0x0a) + 1).toString('hex');
		expect(body(one)).toBe(v2.body);
		expect(body(two)).toBe(v2.body);
		expect(one.subarray(0, one.indexOf(0x0a)).toString()).not.toBe(v2.header);
	});

	test('inspect lists both wrapped keys, in order', async () => {
		await vector(2, 'binary');
		const summary = await inspectEnvelope(path.join(dir(), 'vector.txt.kms'));
		expect(summary.version).toBe(2);
		expect(summary.wrappedKeys).toEqual([
			{keyArn, encryptedDataKeyBytes: ciphertextBlob.length},
			{keyArn: secondArn, encryptedDataKeyBytes: secondBlob.length},
		]);
	});
});

describe('version 1 (still read)', () => {
	test('binary vector: the engine still writes it on request, byte for byte', async () => {
		const bytes = await vector(1, 'binary');
		const newline = bytes.indexOf(0x0a);
		expect(bytes.subarray(0, newline).toString()).toBe(v1.header);
		expect(bytes.subarray(newline + 1).toString('hex')).toBe(v1.body);
		expect(sha256(bytes)).toBe(v1.binarySha256);
		expect(sha256(await vector(1, 'json'))).toBe(v1.jsonSha256);
	});

	test('the document alone (independent implementation) gives the same bytes', () => {
		const binary = reference(1, 64);
		expect(binary.header).toBe(v1.header);
		expect(binary.body.toString('hex')).toBe(v1.body);
		expect(sha256(binary.binary)).toBe(v1.binarySha256);
		expect(sha256(reference(1, 64 * 1024 * 1024).json)).toBe(v1.jsonSha256);
		expect(binary.derived).toEqual(v1.derived);
	});
});

test('every vector decrypts back to the plaintext: v2 and v1, binary and JSON', async () => {
	const vectors = {
		'v2.kms': reference(2, 64).binary,
		'v2.kms.json': reference(2, 64 * 1024 * 1024).json,
		'v1.kms': reference(1, 64).binary,
		'v1.kms.json': reference(1, 64 * 1024 * 1024).json,
	};
	for (const [name, bytes] of Object.entries(vectors)) {
		await writeFile(path.join(dir(), name), bytes);
		const output = path.join(dir(), `${name}.out`);
		await decryptFile({input: path.join(dir(), name), output, provider: fixedProvider});
		expect(await readFile(output, 'utf8')).toBe(plaintext);
	}
});
