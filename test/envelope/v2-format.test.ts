/**
 * Format v2 (docs/FORMAT.md §2, §4): the frames authenticate every header field but the wrapped
 * keys. So a re-wrap — KMS ReEncrypt of the data key to another key, or another key added — only
 * rewrites the header line and every byte after it stays as it was; and an edit of any other
 * field is refused before a byte is written. Through the real service layer and the sandbox.
 */
import {randomBytes} from 'node:crypto';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {DisableKeyCommand, ReEncryptCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {type EnvelopeHeader, serializeHeader} from '../../source/envelope/format.js';
import {decryptFile, encryptFile, inspectEnvelope} from '../../source/envelope/index.js';
import type {Services} from '../../source/service/index.js';
import {
	createLocalDataKeys,
	listDir,
	rejection,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';
import {createKey, sandboxServices} from '../helpers/render.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let services: Services;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	services = sandboxServices(sandbox);
});
afterAll(async () => {
	services.close();
	await sandbox.close();
});

const dir = tempDirPerTest();
const context = {project: 'apollo', purpose: 'v2 tests'};
const frameSize = 4096;

type Split = {header: EnvelopeHeader; line: string; rest: Buffer};

/** A binary envelope's header (as the JSON it is) and everything after the header line. */
function split(bytes: Buffer): Split {
	const newline = bytes.indexOf(0x0a);
	const line = bytes.subarray(0, newline).toString();
	return {header: JSON.parse(line) as EnvelopeHeader, line, rest: bytes.subarray(newline + 1)};
}

function join(header: EnvelopeHeader, rest: Buffer): Buffer {
	return Buffer.concat([Buffer.from(`${serializeHeader(header)}\n`), rest]);
}

/** What `kms-tui rewrap` will do (issue 13): ReEncrypt a wrapped key to another KMS key. */
async function reEncrypt(
	wrapped: EnvelopeHeader['wrappedKeys'][number],
	destination: string,
): Promise<{keyArn: string; encryptedDataKey: string}> {
	const output = await sandbox.kms().send(
		new ReEncryptCommand({
			CiphertextBlob: Buffer.from(wrapped.encryptedDataKey, 'base64'),
			SourceEncryptionContext: context,
			SourceKeyId: wrapped.keyArn,
			DestinationKeyId: destination,
			DestinationEncryptionContext: context,
		}),
	);
	return {
		keyArn: output.KeyId as string,
		encryptedDataKey: Buffer.from(output.CiphertextBlob as Uint8Array).toString('base64'),
	};
}

async function encrypted(
	keyIds: readonly string[],
	options: {format?: 'binary' | 'json'; size?: number} = {},
): Promise<{file: string; original: Buffer}> {
	const original = randomBytes(options.size ?? 5 * frameSize + 123);
	const input = path.join(dir(), 'data.bin');
	await writeFile(input, original);
	const {outputPath} = await encryptFile({
		input,
		provider: services.keys,
		keyId: keyIds,
		encryptionContext: context,
		format: options.format,
		frameSize: options.format === 'json' ? undefined : frameSize,
	});
	return {file: outputPath, original};
}

async function decryptsTo(file: string, original: Buffer): Promise<string> {
	const output = path.join(dir(), `${path.basename(file)}.out`);
	const result = await decryptFile({input: file, output, provider: services.keys, force: true});
	expect((await readFile(output)).equals(original)).toBe(true);
	return result.keyArn;
}

describe('re-wrapping replaces or adds wrapped keys without touching the frames', () => {
	test('ReEncrypt to another key replaces the wrapped key; the old key disabled, it still opens', async () => {
		const [oldKey, newKey] = [await createKey(sandbox), await createKey(sandbox)];
		const {file, original} = await encrypted([oldKey]);
		const before = split(await readFile(file));
		const [only] = before.header.wrappedKeys;
		if (!only) throw new Error('no wrapped key');
		const rewrapped = join(
			{...before.header, wrappedKeys: [await reEncrypt(only, newKey)]},
			before.rest,
		);
		await writeFile(file, rewrapped);
		// Every byte after the header line is the one encrypt wrote.
		expect(split(rewrapped).rest.equals(before.rest)).toBe(true);

		await sandbox.kms().send(new DisableKeyCommand({KeyId: oldKey}));
		const opener = await decryptsTo(file, original);
		expect(opener).toBe((await services.keys.describeKey(newKey)).arn);
	});

	test('a key added to the list (and the list reordered) opens the same frames', async () => {
		const [first, added] = [await createKey(sandbox), await createKey(sandbox)];
		const {file, original} = await encrypted([first]);
		const before = split(await readFile(file));
		const [only] = before.header.wrappedKeys;
		if (!only) throw new Error('no wrapped key');
		const extra = await reEncrypt(only, added);
		await writeFile(file, join({...before.header, wrappedKeys: [extra, only]}, before.rest));
		expect((await inspectEnvelope(file)).wrappedKeys.map((key) => key.keyArn)).toEqual([
			extra.keyArn,
			only.keyArn,
		]);
		expect(await decryptsTo(file, original)).toBe(extra.keyArn);
		await sandbox.kms().send(new DisableKeyCommand({KeyId: added}));
		expect(await decryptsTo(file, original)).toBe(only.keyArn);
	});

	test('the JSON encoding too: only the header part of the document changes', async () => {
		const [oldKey, newKey] = [await createKey(sandbox), await createKey(sandbox)];
		const {file, original} = await encrypted([oldKey], {format: 'json', size: 3000});
		const document = await readFile(file, 'utf8');
		const parsed = JSON.parse(document) as EnvelopeHeader & Record<string, string>;
		const {iv, ciphertext, authTag, ...header} = parsed;
		const [only] = header.wrappedKeys;
		if (!only) throw new Error('no wrapped key');
		const text = serializeHeader({...header, wrappedKeys: [await reEncrypt(only, newKey)]});
		const body = document.slice(document.indexOf(',"iv":'));
		await writeFile(file, `${text.slice(0, -1)}${body}`);
		expect(body).toBe(`,"iv":"${iv}","ciphertext":"${ciphertext}","authTag":"${authTag}"}\n`);
		await sandbox.kms().send(new DisableKeyCommand({KeyId: oldKey}));
		await decryptsTo(file, original);
	});
});

describe('an edit of any field the frames authenticate is refused, nothing written', () => {
	const edits: [string, (header: EnvelopeHeader) => EnvelopeHeader, readonly string[]][] = [
		['fileName', (header) => ({...header, fileName: 'authorized_keys'}), ['tampered']],
		['createdAt', (header) => ({...header, createdAt: '2020-01-01T00:00:00.000Z'}), ['tampered']],
		[
			'plaintextSize',
			(header) => ({...header, plaintextSize: (header.plaintextSize ?? 0) - 1}),
			['tampered', 'truncated'],
		],
		[
			'frameSize',
			(header) => ({...header, frameSize: header.frameSize * 2}),
			['tampered', 'truncated'],
		],
		[
			'messageId',
			(header) => ({...header, messageId: randomBytes(32).toString('hex')}),
			['wrong-key'],
		],
		[
			'commitment',
			(header) => ({...header, commitment: randomBytes(32).toString('base64')}),
			['wrong-key'],
		],
		// KMS binds the context to the wrapped key as well: Decrypt refuses it.
		[
			'encryptionContext',
			(header) => ({...header, encryptionContext: {project: 'other', purpose: 'v2 tests'}}),
			['kms'],
		],
		[
			'version (a v2 header rewritten as v1: other HKDF labels)',
			(header) => ({...header, version: 1, wrappedKeys: header.wrappedKeys.slice(0, 1)}),
			['wrong-key'],
		],
	];
	test.each(edits)('%s', async (_name, edit, codes) => {
		const key = await createKey(sandbox);
		const {file} = await encrypted([key]);
		const {header, rest} = split(await readFile(file));
		await writeFile(file, join(edit(header), rest));
		const entries = await listDir(dir());
		const error = await rejection(decryptFile({input: file, provider: services.keys}));
		expect(codes).toContain(error.code);
		expect(await listDir(dir())).toEqual(entries);
	});

	test('a wrapped-key list that is empty, too long, or holds an unknown field is not an envelope', async () => {
		const key = await createKey(sandbox);
		const {file} = await encrypted([key]);
		const {header, line, rest} = split(await readFile(file));
		const [only] = header.wrappedKeys;
		if (!only) throw new Error('no wrapped key');
		const broken = [
			join({...header, wrappedKeys: []}, rest),
			join({...header, wrappedKeys: Array.from({length: 11}, () => only)}, rest),
			Buffer.concat([
				Buffer.from(
					`${line.replace('"encryptedDataKey"', '"keyVersion":"x","encryptedDataKey"')}\n`,
				),
				rest,
			]),
		];
		for (const bytes of broken) {
			await writeFile(file, bytes);
			const error = await rejection(decryptFile({input: file, provider: services.keys}));
			expect(error.code).toBe('not-an-envelope');
			expect(error.message).toMatch(/wrappedKeys|wrapped keys|unknown field "keyVersion"/);
		}
	});
});

test('the frames of a v2 envelope are the same whatever keys it is wrapped under', async () => {
	const keys = [await createKey(sandbox), await createKey(sandbox), await createKey(sandbox)];
	const {file, original} = await encrypted(keys);
	const {header, rest} = split(await readFile(file));
	expect(header.version).toBe(2);
	expect(header.wrappedKeys).toHaveLength(3);
	// One wrapped key at a time: each alone opens the untouched frames.
	for (const [index, wrapped] of header.wrappedKeys.entries()) {
		const alone = path.join(dir(), `alone-${index}.kms`);
		await writeFile(alone, join({...header, wrappedKeys: [wrapped]}, rest));
		expect(await decryptsTo(alone, original)).toBe(wrapped.keyArn);
	}
});

test('a header that would not fit in the 64 KiB a reader takes is refused, nothing written', async () => {
	const provider = createLocalDataKeys();
	const input = path.join(dir(), 'big-context.txt');
	await writeFile(input, 'x');
	const error = await rejection(
		encryptFile({
			input,
			provider,
			keyId: provider.keyArn,
			encryptionContext: {note: 'n'.repeat(70 * 1024)},
		}),
	);
	expect(error.code).toBe('invalid-argument');
	expect(error.message).toContain('larger than 65536 bytes');
	expect(await listDir(dir())).toEqual(['big-context.txt']);
	expect(provider.issued.every((key) => key.equals(Buffer.alloc(32)))).toBe(true);
});
