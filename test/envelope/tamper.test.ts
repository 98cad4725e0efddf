/**
 * Every way of damaging an envelope is rejected with an EnvelopeError, before any output exists:
 * the directory holds only the envelope afterwards (no output, no temp file).
 */
import {randomBytes} from 'node:crypto';
import {readFile, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {serializeHeader} from '../../source/envelope/format.js';
import type {EnvelopeHeader} from '../../source/envelope/index.js';
import {decryptFile, EnvelopeError, encryptFile} from '../../source/envelope/index.js';
import {
	createLocalDataKeys,
	type LocalDataKeys,
	listDir,
	makeTempDir,
} from '../helpers/local-data-keys.js';

const frameSize = 64;
const plaintext = randomBytes(4 * frameSize + 21);
let dir: string;
let remove: () => Promise<void>;
let provider: LocalDataKeys;
const envelopes: Record<'binary' | 'json', Buffer> = {
	binary: Buffer.alloc(0),
	json: Buffer.alloc(0),
};
/** A second binary envelope of the same plaintext: same key, other message id. */
let otherBinary: Buffer;

beforeAll(async () => {
	const source = await makeTempDir();
	provider = createLocalDataKeys();
	const input = path.join(source.dir, 'plain.txt');
	await writeFile(input, plaintext);
	for (const format of ['binary', 'json'] as const) {
		const {outputPath} = await encryptFile({
			input,
			provider,
			keyId: provider.keyArn,
			format,
			frameSize,
			encryptionContext: {team: 'blue', purpose: 'tests'},
		});
		envelopes[format] = await readFile(outputPath);
	}
	const {outputPath} = await encryptFile({
		input,
		output: path.join(source.dir, 'other.kms'),
		provider,
		keyId: provider.keyArn,
		frameSize,
	});
	otherBinary = await readFile(outputPath);
	await source.remove();
	// The directory the tests decrypt in holds nothing but the envelope under test.
	({dir, remove} = await makeTempDir());
});
afterAll(async () => {
	await remove();
});

const envelopeName = 'envelope.kms';

/** Decrypts `bytes` and expects a rejection with one of `codes`, leaving no file behind. */
async function expectRejected(
	bytes: Buffer,
	codes: readonly string[],
	options: {keys?: LocalDataKeys; expectedContext?: Record<string, string>} = {},
): Promise<EnvelopeError> {
	const keys = options.keys ?? provider;
	const input = path.join(dir, envelopeName);
	await writeFile(input, bytes);
	const issuedBefore = keys.issued.length;
	let caught: unknown;
	try {
		await decryptFile({
			input,
			provider: keys,
			outputDir: dir,
			expectedContext: options.expectedContext,
		});
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(EnvelopeError);
	const error = caught as EnvelopeError;
	expect(codes).toContain(error.code);
	expect(error.message).toMatch(/^.+: .+/);
	expect(await listDir(dir)).toEqual([envelopeName]);
	// Any data key KMS returned for the failed attempt was zeroed.
	for (const key of keys.issued.slice(issuedBefore))
		expect(key.equals(Buffer.alloc(32))).toBe(true);
	return error;
}

const integrity = [
	'tampered',
	'truncated',
	'not-an-envelope',
	'unsupported-version',
	'wrong-key',
	'kms',
	'unsafe-name',
];

function headerEnd(bytes: Buffer): number {
	return bytes.indexOf(0x0a) + 1;
}

function frames(bytes: Buffer): {head: Buffer; frames: Buffer[]} {
	const start = headerEnd(bytes);
	const list: Buffer[] = [];
	for (let at = start; at < bytes.length; at += frameSize + 16)
		list.push(bytes.subarray(at, at + frameSize + 16));
	return {head: bytes.subarray(0, start), frames: list};
}

describe.each(['binary', 'json'] as const)('%s envelope', (format) => {
	test('the untouched envelope decrypts (sanity)', async () => {
		const input = path.join(dir, envelopeName);
		await writeFile(input, envelopes[format]);
		const {outputPath} = await decryptFile({input, provider, output: path.join(dir, 'ok')});
		expect((await readFile(outputPath)).equals(plaintext)).toBe(true);
		await Promise.all([rm(outputPath), rm(input)]);
	});

	test('any single-bit flip anywhere is rejected', async () => {
		const bytes = envelopes[format];
		await fc.assert(
			fc.asyncProperty(fc.nat({max: bytes.length * 8 - 1}), async (bit) => {
				const copy = Buffer.from(bytes);
				copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
				await expectRejected(copy, integrity);
			}),
			{numRuns: 300},
		);
	});

	test('every header byte flipped (exhaustive, lowest bit and highest bit)', async () => {
		const bytes = envelopes[format];
		const end = format === 'binary' ? headerEnd(bytes) : bytes.length;
		for (let at = 0; at < Math.min(end, 700); at++) {
			for (const mask of [1, 0x20]) {
				const copy = Buffer.from(bytes);
				copy[at] = (copy[at] as number) ^ mask;
				await expectRejected(copy, integrity);
			}
		}
	});

	test('truncation at any offset is rejected', async () => {
		const bytes = envelopes[format];
		await fc.assert(
			fc.asyncProperty(fc.nat({max: bytes.length - 1}), async (cut) => {
				await expectRejected(bytes.subarray(0, cut), integrity);
			}),
			{numRuns: 200},
		);
	});

	test('appended bytes are rejected', async () => {
		const bytes = envelopes[format];
		await fc.assert(
			fc.asyncProperty(fc.uint8Array({minLength: 1, maxLength: 200}), async (extra) => {
				await expectRejected(Buffer.concat([bytes, extra]), integrity);
			}),
			{numRuns: 100},
		);
	});

	test('a context edited in the header is refused by KMS (nothing decrypted)', async () => {
		const bytes = envelopes[format];
		const newline = bytes.indexOf(0x0a);
		await fc.assert(
			fc.asyncProperty(
				fc.dictionary(fc.string({minLength: 1, maxLength: 8}), fc.string({maxLength: 8}), {
					maxKeys: 3,
				}),
				async (context) => {
					fc.pre(JSON.stringify(context) !== JSON.stringify({purpose: 'tests', team: 'blue'}));
					let edited: Buffer;
					if (format === 'binary') {
						const header = JSON.parse(bytes.subarray(0, newline).toString()) as EnvelopeHeader;
						const text = serializeHeader({...header, encryptionContext: context});
						edited = Buffer.concat([Buffer.from(`${text}\n`), bytes.subarray(newline + 1)]);
					} else {
						const document = JSON.parse(bytes.toString()) as Record<string, unknown>;
						const {iv, ciphertext, authTag, ...header} = document;
						const text = serializeHeader({
							...(header as EnvelopeHeader),
							encryptionContext: context,
						});
						edited = Buffer.from(
							`${text.slice(0, -1)},"iv":"${iv}","ciphertext":"${ciphertext}","authTag":"${authTag}"}\n`,
						);
					}
					await expectRejected(edited, ['kms']);
				},
			),
			{numRuns: 50},
		);
	});

	test('an expected context that is not stored fails before KMS is called', async () => {
		const before = provider.calls.decrypt;
		const error = await expectRejected(envelopes[format], ['context-mismatch'], {
			expectedContext: {team: 'red'},
		});
		expect(error.message).toContain('team=red');
		await expectRejected(envelopes[format], ['context-mismatch'], {expectedContext: {absent: 'x'}});
		expect(provider.calls.decrypt).toBe(before);
	});

	test('an envelope made under another master key is refused', async () => {
		const other = createLocalDataKeys({keyArn: provider.keyArn});
		await expectRejected(envelopes[format], ['kms'], {keys: other});
	});

	test('a data key that does not match the commitment is refused before any frame is opened', async () => {
		const liar = createLocalDataKeys({keyArn: provider.keyArn});
		const lying: LocalDataKeys = {
			...liar,
			async decryptDataKey(request) {
				liar.calls.decrypt++;
				const plaintext = randomBytes(32);
				liar.issued.push(plaintext);
				return {plaintext, keyArn: request.keyArn};
			},
		};
		const error = await expectRejected(envelopes[format], ['wrong-key'], {keys: lying});
		expect(error.message).toContain('key commitment');
	});
});

describe('binary frames', () => {
	test('swapped, duplicated and dropped frames are rejected', async () => {
		const {head, frames: list} = frames(envelopes.binary);
		await fc.assert(
			fc.asyncProperty(
				fc.nat({max: list.length - 1}),
				fc.nat({max: list.length - 1}),
				fc.constantFrom('swap', 'duplicate', 'drop'),
				async (i, j, operation) => {
					const copy = [...list];
					if (operation === 'swap') {
						fc.pre(i !== j);
						[copy[i], copy[j]] = [copy[j] as Buffer, copy[i] as Buffer];
					} else if (operation === 'duplicate') {
						copy.splice(j, 0, list[i] as Buffer);
					} else {
						copy.splice(i, 1);
					}
					await expectRejected(Buffer.concat([head, ...copy]), integrity);
				},
			),
			{numRuns: 100},
		);
	});

	test('a frame spliced in from another envelope (same KMS key) is rejected', async () => {
		const ours = frames(envelopes.binary);
		const theirs = frames(otherBinary);
		for (let i = 0; i < ours.frames.length; i++) {
			const copy = [...ours.frames];
			copy[i] = theirs.frames[i] as Buffer;
			await expectRejected(Buffer.concat([ours.head, ...copy]), ['tampered']);
		}
		// Their header with our frames: the key commitment no longer matches our frames' key.
		await expectRejected(Buffer.concat([theirs.head, ...ours.frames]), ['tampered']);
	});
});

describe('malformed input', () => {
	test('arbitrary JSON header lines and random bytes are rejected as not an envelope', async () => {
		await fc.assert(
			fc.asyncProperty(fc.json(), fc.uint8Array({maxLength: 200}), async (line, body) => {
				await expectRejected(Buffer.concat([Buffer.from(`${line}\n`), body]), ['not-an-envelope']);
			}),
			{numRuns: 100},
		);
		await fc.assert(
			fc.asyncProperty(fc.uint8Array({maxLength: 300}), async (bytes) => {
				// A first byte of 0x01 or 0x02 is an AWS Encryption SDK message's version: its reader
				// judges the rest (source/esdk), with the same "nothing written" rule.
				const esdk = bytes[0] === 0x01 || bytes[0] === 0x02;
				await expectRejected(Buffer.from(bytes), esdk ? integrity : ['not-an-envelope']);
			}),
			{numRuns: 100},
		);
	});

	test('a newer version is reported as unsupported', async () => {
		const bytes = envelopes.binary;
		const newline = bytes.indexOf(0x0a);
		const header = JSON.parse(bytes.subarray(0, newline).toString());
		const line = JSON.stringify({...header, version: 3});
		const error = await expectRejected(
			Buffer.concat([Buffer.from(`${line}\n`), bytes.subarray(newline + 1)]),
			['unsupported-version'],
		);
		expect(error.message).toContain('version 3');
		expect(error.message).toContain('reads versions 1 and 2');
	});

	test('a stored file name that could leave the output directory is refused', async () => {
		const bytes = envelopes.binary;
		const newline = bytes.indexOf(0x0a);
		const header = JSON.parse(bytes.subarray(0, newline).toString());
		for (const fileName of [
			'../escape',
			'/etc/passwd',
			'a/b',
			'..',
			'.',
			'',
			'nul\u0000',
			'x\\y',
			'bell\u0007',
			// Names that would drive or fool a terminal (FORMAT.md §8).
			'csi\u009b2J',
			'invoice\u202etxt.exe',
			'line\u2028break',
			'\ufeffbom',
			'iso\u2066late',
		]) {
			const line = serializeHeader({...header, fileName});
			await expectRejected(Buffer.concat([Buffer.from(`${line}\n`), bytes.subarray(newline + 1)]), [
				'unsafe-name',
			]);
		}
	});
});
