/**
 * encryptEsdk (source/esdk/encrypt.ts) against the real AWS Encryption SDK: the engine writes a
 * message through the real KMS client on the sandbox, and @aws-crypto/client-node with a KMS
 * keyring on the same sandbox decrypts it. Sizes around the frame length, both committing suites,
 * 4 KiB and 64 KiB frames, contexts, several keys with the first one disabled, streams, and what
 * is refused before KMS is called.
 */
import {randomBytes} from 'node:crypto';
import {truncateSync} from 'node:fs';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {
	buildClient,
	CommitmentPolicy,
	KmsKeyringNode,
	type MessageHeader,
} from '@aws-crypto/client-node';
import {CreateKeyCommand, DisableKeyCommand, KMS} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {EnvelopeError} from '../../source/envelope/errors.js';
import {esdkBodyLength} from '../../source/esdk/body-write.js';
import {encryptEsdk} from '../../source/esdk/encrypt.js';
import {serializeEncryptionContext} from '../../source/esdk/header-write.js';
import {KeyService} from '../../source/service/key-service.js';
import {combineLocalDataKeys, createLocalDataKeys} from '../helpers/local-data-keys.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

const {decrypt} = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

let sandbox: TestSandbox;
let work: string;
let provider: KeyService;
let keyArn: string;
let secondArn: string;
let sdkKms: KMS;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-esdk-encrypt-'));
	const kms = sandbox.kms();
	provider = new KeyService(kms, {region: sandbox.region});
	sdkKms = new KMS({
		endpoint: sandbox.endpoint,
		region: sandbox.region,
		credentials: {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'},
	});
	keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
	secondArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
});
afterAll(async () => {
	sdkKms?.destroy();
	await sandbox?.close();
	await rm(work, {recursive: true, force: true});
});

/** The SDK's KMS keyring, its KMS client on the sandbox. */
function keyring(keyIds: string[]) {
	const [generatorKeyId, ...others] = keyIds;
	return new KmsKeyringNode({
		generatorKeyId,
		keyIds: others,
		// The keyring calls the aggregated client's methods (kms.decrypt), not send().
		clientProvider: () => sdkKms,
	});
}

async function sdkDecrypt(
	message: Buffer,
	keyIds = [keyArn],
): Promise<{plaintext: Buffer; messageHeader: MessageHeader}> {
	const result = await decrypt(keyring(keyIds), message);
	return {plaintext: Buffer.from(result.plaintext), messageHeader: result.messageHeader};
}

let counter = 0;
async function encryptBytes(
	plaintext: Buffer,
	options: Partial<Parameters<typeof encryptEsdk>[0]> = {},
): Promise<{message: Buffer; result: Awaited<ReturnType<typeof encryptEsdk>>}> {
	const name = `in-${++counter}.bin`;
	await writeFile(path.join(work, name), plaintext);
	const result = await encryptEsdk({
		input: path.join(work, name),
		provider,
		keyIds: [keyArn],
		...options,
	});
	return {message: await readFile(result.outputPath), result};
}

/**
 * The length of a signed message's footer: a uint16 length, then an ECDSA P-384 signature in DER
 * (SEQUENCE of two INTEGERs, at most 104 bytes, so its length fits in one byte).
 */
function footerBytes(message: Buffer): number {
	for (let length = 8; length <= 104; length++) {
		const at = message.length - length;
		if (
			message.readUInt16BE(at - 2) === length &&
			message[at] === 0x30 &&
			message[at + 1] === length - 2 &&
			message[at + 2] === 0x02
		)
			return length + 2;
	}
	throw new Error('no ECDSA P-384 signature footer at the end of the message');
}

describe('encryptEsdk → the AWS Encryption SDK decrypts', () => {
	for (const suite of ['signed', 'unsigned'] as const) {
		for (const frameLength of [4096, 65536]) {
			it(`${suite}, ${frameLength}-byte frames: sizes 0, 1, F−1, F, F+1 and 3 MiB + 5`, async () => {
				const rest: number[] = [];
				for (const size of [
					0,
					1,
					frameLength - 1,
					frameLength,
					frameLength + 1,
					3 * 1024 * 1024 + 5,
				]) {
					const plaintext = randomBytes(size);
					const {message, result} = await encryptBytes(plaintext, {suite, frameLength});
					const {plaintext: opened, messageHeader} = await sdkDecrypt(message);
					expect(opened.equals(plaintext), `size ${size}`).toBe(true);
					expect(messageHeader.suiteId).toBe(suite === 'signed' ? 0x0578 : 0x0478);
					expect(messageHeader.frameLength).toBe(frameLength);
					expect(messageHeader.version).toBe(2);
					expect(result.bytes).toBe(size);
					// Exactly the spec's layout (⌈N/F⌉ frames, a full final frame for N = k·F): what is
					// not body is the header (and the footer), the same for every size.
					const footer = suite === 'signed' ? footerBytes(message) : 0;
					rest.push(message.length - esdkBodyLength(size, frameLength) - footer);
				}
				// Without the footer (its DER signature is shorter when r or s has leading zeros:
				// 104 bytes at most, 101 for about one signature in 128), the header is the same size.
				expect(Math.max(...rest) - Math.min(...rest)).toBe(0);
			});
		}
	}

	it('names the file NAME.encrypted next to the input by default and writes it in place', async () => {
		const {result} = await encryptBytes(Buffer.from('hello'));
		expect(path.basename(result.outputPath)).toMatch(/^in-\d+\.bin\.encrypted$/);
		expect(path.dirname(result.outputPath)).toBe(work);
		const leftovers = (await readdir(work)).filter((entry) => entry.endsWith('.tmp'));
		expect(leftovers).toEqual([]);
	});

	it('stores the context, sorted by UTF-8 bytes, and the SDK returns it (public key included)', async () => {
		// U+FF5E sorts after U+1F600 by UTF-16 code units but before it by UTF-8 bytes.
		const context = {
			zeta: '1',
			alpha: 'two',
			'\u{1F600}': 'emoji',
			'\uFF5E': 'tilde',
			'a=b': 'c d',
		};
		const {message, result} = await encryptBytes(Buffer.from('context'), {
			encryptionContext: context,
		});
		const {messageHeader, plaintext} = await sdkDecrypt(message);
		expect(plaintext.toString()).toBe('context');
		const {'aws-crypto-public-key': publicKey, ...rest} = messageHeader.encryptionContext;
		expect(rest).toEqual(context);
		// A compressed P-384 point: 0x02 or 0x03, then 48 bytes of x.
		expect(Buffer.from(publicKey as string, 'base64')).toHaveLength(49);
		expect([2, 3]).toContain(Buffer.from(publicKey as string, 'base64')[0]);
		expect(result.encryptionContext['aws-crypto-public-key']).toBe(publicKey);
		// The serialization in the header is byte for byte the spec's (sorted by UTF-8 key bytes).
		const serialized = serializeEncryptionContext(result.encryptionContext);
		expect(message.includes(serialized)).toBe(true);
		const keys: string[] = [];
		for (let at = 2, n = 0; n < serialized.readUInt16BE(0); n++) {
			const keyLength = serialized.readUInt16BE(at);
			keys.push(serialized.subarray(at + 2, at + 2 + keyLength).toString());
			at += 2 + keyLength;
			at += 2 + serialized.readUInt16BE(at);
		}
		expect(keys).toEqual(['a=b', 'alpha', 'aws-crypto-public-key', 'zeta', '\uFF5E', '\u{1F600}']);
	});

	it('the unsigned suite stores exactly the given context (no public key)', async () => {
		const {message} = await encryptBytes(Buffer.from('x'), {
			suite: 'unsigned',
			encryptionContext: {purpose: 'test'},
		});
		const {messageHeader} = await sdkDecrypt(message);
		expect(messageHeader.encryptionContext).toEqual({purpose: 'test'});
	});

	it('several keys: one data key under each; with the first disabled the SDK opens it with the second', async () => {
		const kms = sandbox.kms();
		const first = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
		const plaintext = randomBytes(100_000);
		const {message, result} = await encryptBytes(plaintext, {keyIds: [first, secondArn]});
		expect(result.keyArns).toEqual([first, secondArn]);
		const {messageHeader} = await sdkDecrypt(message, [first, secondArn]);
		expect(messageHeader.encryptedDataKeys.map((key) => key.providerInfo)).toEqual([
			first,
			secondArn,
		]);
		expect(messageHeader.encryptedDataKeys.every((key) => key.providerId === 'aws-kms')).toBe(true);
		await kms.send(new DisableKeyCommand({KeyId: first}));
		const opened = await sdkDecrypt(message, [first, secondArn]);
		expect(opened.plaintext.equals(plaintext)).toBe(true);
		// Only the second key: the SDK's strict keyring uses the EDK made by KMS Encrypt.
		expect((await sdkDecrypt(message, [secondArn])).plaintext.equals(plaintext)).toBe(true);
	});

	it('a stream (stdin) to a stream (stdout): sizes around the frame length, both suites', async () => {
		const frameLength = 4096;
		for (const suite of ['signed', 'unsigned'] as const) {
			for (const size of [
				0,
				1,
				frameLength - 1,
				frameLength,
				frameLength + 1,
				1024 * 1024,
				1024 * 1024 + 1,
			]) {
				const plaintext = randomBytes(size);
				const stdin = new PassThrough();
				const stdout = new PassThrough();
				const chunks: Buffer[] = [];
				stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
				// Odd-sized writes: frame boundaries fall inside chunks.
				for (let at = 0; at < size; at += 1000) stdin.write(plaintext.subarray(at, at + 1000));
				stdin.end();
				const result = await encryptEsdk({
					input: '-',
					provider,
					keyIds: [keyArn],
					suite,
					frameLength,
					stdin,
					stdout,
				});
				expect(result.outputPath).toBe('-');
				const message = Buffer.concat(chunks);
				const {plaintext: opened} = await sdkDecrypt(message);
				expect(opened.equals(plaintext), `${suite} size ${size}`).toBe(true);
			}
		}
	});

	it('a stream uses the same frames as a file: body length ⌈N/F⌉ frames', async () => {
		const size = 3 * 4096;
		const plaintext = randomBytes(size);
		const stdin = new PassThrough();
		const stdout = new PassThrough();
		const chunks: Buffer[] = [];
		stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
		stdin.end(plaintext);
		await encryptEsdk({
			input: '-',
			provider,
			keyIds: [keyArn],
			suite: 'unsigned',
			frameLength: 4096,
			stdin,
			stdout,
		});
		const fromStream = Buffer.concat(chunks);
		const {message: fromFile} = await encryptBytes(plaintext, {
			suite: 'unsigned',
			frameLength: 4096,
		});
		expect(fromStream.length).toBe(fromFile.length);
	});

	it('on several threads (as for files from 16 MiB): both suites, frames from 1 B to 3 MiB', async () => {
		const cases = [
			{size: 5 * 1024 * 1024 + 3, frameLength: 4096, threads: [2, 4]},
			{size: 4 * 1024 * 1024, frameLength: 1024 * 1024, threads: [2]},
			{size: 7 * 1024 * 1024 + 1, frameLength: 3 * 1024 * 1024, threads: [2]},
			{size: 3 * 65536, frameLength: 65536, threads: [2]},
			{size: 1, frameLength: 4096, threads: [2]},
			{size: 0, frameLength: 4096, threads: [2]},
			{size: 2_001, frameLength: 1, threads: [2]},
		];
		for (const suite of ['signed', 'unsigned'] as const) {
			for (const {size, frameLength, threads: counts} of cases) {
				for (const threads of counts) {
					const plaintext = randomBytes(size);
					const {message} = await encryptBytes(plaintext, {suite, frameLength, threads});
					const {plaintext: opened} = await sdkDecrypt(message);
					expect(opened.equals(plaintext), `${suite} ${size}/${frameLength} on ${threads}`).toBe(
						true,
					);
				}
			}
		}
	}, 120_000);

	it('the largest frame length the format allows (2^32 − 1): one final frame', async () => {
		const plaintext = randomBytes(100_000);
		const {message} = await encryptBytes(plaintext, {frameLength: 2 ** 32 - 1});
		const {plaintext: opened, messageHeader} = await sdkDecrypt(message);
		expect(opened.equals(plaintext)).toBe(true);
		expect(messageHeader.frameLength).toBe(2 ** 32 - 1);
	});

	it('frames larger than the 1 MiB read batch (3 MiB frames) from a file', async () => {
		const plaintext = randomBytes(7 * 1024 * 1024 + 3);
		const {message} = await encryptBytes(plaintext, {frameLength: 3 * 1024 * 1024});
		expect((await sdkDecrypt(message)).plaintext.equals(plaintext)).toBe(true);
	});
});

describe('keys and cancels', () => {
	it('zeroes the plaintext data key once the message keys are derived', async () => {
		const local = createLocalDataKeys();
		const other = createLocalDataKeys({
			keyArn: 'arn:aws:kms:eu-west-1:000000000000:key/99999999-2222-3333-4444-555555555555',
		});
		await writeFile(path.join(work, 'zero.bin'), randomBytes(1000));
		await encryptEsdk({
			input: path.join(work, 'zero.bin'),
			output: path.join(work, 'zero.bin.out'),
			provider: combineLocalDataKeys([local, other]),
			keyIds: [local.keyArn, other.keyArn],
		});
		expect(local.issued).toHaveLength(1);
		expect(local.issued[0]?.equals(Buffer.alloc(32))).toBe(true);
	});

	for (const threads of [1, 2]) {
		it(`a cancel mid-file (${threads} thread${threads > 1 ? 's' : ''}) leaves nothing behind`, async () => {
			const dir = await mkdtemp(path.join(work, 'cancel-'));
			await writeFile(path.join(dir, 'big.bin'), randomBytes(64 * 1024 * 1024));
			const controller = new AbortController();
			const error = await encryptEsdk({
				input: path.join(dir, 'big.bin'),
				provider,
				keyIds: [keyArn],
				frameLength: 4096,
				threads,
				signal: controller.signal,
				// The first progress report: the body is being written.
				onProgress: (done, total) => {
					if (done < (total ?? 0)) controller.abort(new Error('test cancel'));
				},
			}).catch((failure: unknown) => failure);
			expect((error as EnvelopeError).code).toBe('aborted');
			expect(await readdir(dir)).toEqual(['big.bin']);
		});
	}
});

describe('a file that shrinks while it is encrypted', () => {
	for (const threads of [1, 2]) {
		it(`fails with "changed size" and leaves nothing (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
			const dir = await mkdtemp(path.join(work, 'shrink-'));
			const input = path.join(dir, 'big.bin');
			await writeFile(input, randomBytes(48 * 1024 * 1024));
			let cut = false;
			const error = await encryptEsdk({
				input,
				provider,
				keyIds: [keyArn],
				suite: 'unsigned',
				threads,
				onProgress: () => {
					if (!cut) truncateSync(input, 1024 * 1024);
					cut = true;
				},
			}).catch((failure: unknown) => failure);
			expect((error as EnvelopeError).code).toBe('io');
			expect((error as EnvelopeError).message).toMatch(/changed size/);
			expect(await readdir(dir)).toEqual(['big.bin']);
		});
	}
});

describe('encryptEsdk refuses, before KMS, with nothing written', () => {
	it('a context name the SDK reserves (aws-crypto-…)', async () => {
		const error = await encryptBytes(Buffer.from('x'), {
			encryptionContext: {'aws-crypto-public-key': 'forged'},
		}).catch((failure: unknown) => failure);
		expect(error).toBeInstanceOf(EnvelopeError);
		expect((error as EnvelopeError).code).toBe('invalid-argument');
		expect((error as EnvelopeError).message).toMatch(/reserved.*aws-crypto-/);
	});

	it('a frame size of 0 or 2^32', async () => {
		for (const frameLength of [0, 2 ** 32]) {
			const error = await encryptBytes(Buffer.from('x'), {frameLength}).catch(
				(failure: unknown) => failure,
			);
			expect((error as EnvelopeError).code).toBe('invalid-argument');
			expect((error as EnvelopeError).message).toMatch(
				/frame size must be an integer from 1 to 4294967295/,
			);
		}
	});

	it('a context value too long for the header (over 65535 bytes)', async () => {
		const error = await encryptBytes(Buffer.from('x'), {
			encryptionContext: {big: 'v'.repeat(70_000)},
		}).catch((failure: unknown) => failure);
		expect((error as EnvelopeError).code).toBe('invalid-argument');
		const leftovers = (await readdir(work)).filter((entry) => entry.endsWith('.tmp'));
		expect(leftovers).toEqual([]);
	});

	it('an unknown key: a KMS error naming it, and no output', async () => {
		const before = await readdir(work);
		const error = await encryptBytes(Buffer.from('x'), {
			keyIds: ['arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000'],
		}).catch((failure: unknown) => failure);
		expect((error as EnvelopeError).code).toBe('kms');
		expect((error as EnvelopeError).message).toMatch(/00000000-0000-0000-0000-000000000000/);
		const after = await readdir(work);
		// Only the new input file appeared.
		expect(
			after
				.filter((entry) => !before.includes(entry))
				.every((entry) => entry.startsWith('in-') && entry.endsWith('.bin')),
		).toBe(true);
	});
});
