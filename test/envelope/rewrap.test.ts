/**
 * rewrapFile (source/envelope/rewrap.ts) through the real service layer against the embedded
 * sandbox: KMS ReEncrypt re-wraps the data key, only the header changes, and every failure leaves
 * the file byte-identical with no temp file behind.
 */
import {appendFile, readFile, stat, symlink, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {CreateKeyCommand, DisableKeyCommand, RotateKeyOnDemandCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {decryptFile} from '../../source/envelope/decrypt.js';
import {encryptFile} from '../../source/envelope/encrypt.js';
import {inspectEnvelope} from '../../source/envelope/inspect.js';
import {rewrapFile} from '../../source/envelope/rewrap.js';
import type {Services} from '../../source/service/index.js';
import {createServices} from '../../source/service/index.js';
import {
	combineLocalDataKeys,
	createLocalDataKeys,
	listDir,
	rejection,
	sha256File,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';
import {dummyCredentials, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let services: Services;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	services = createServices({
		region: sandbox.region,
		endpoint: sandbox.endpoint,
		staticCredentials: dummyCredentials,
		isLocal: true,
	});
});
afterAll(async () => {
	services.close();
	await sandbox.close();
});

const dir = tempDirPerTest();

/** A fresh key, straight through KMS (helpers/render.tsx would load the whole TUI). */
async function createKey(target: TestSandbox): Promise<string> {
	const output = await target.kms().send(new CreateKeyCommand({}));
	return output.KeyMetadata?.KeyId ?? '';
}
const context = {purpose: 'rewrap test'};
const plaintext = Buffer.from(`${'rewrap me, not my data. '.repeat(300)}\n`);

async function arnOf(keyId: string): Promise<string> {
	return (await services.keys.describeKey(keyId)).arn;
}

async function envelope(
	keyIds: string | string[],
	options: {format?: 'binary' | 'json'; formatVersion?: 1 | 2; frameSize?: number} = {},
): Promise<string> {
	const input = path.join(dir(), 'data.txt');
	await writeFile(input, plaintext);
	const {outputPath} = await encryptFile({
		input,
		provider: services.keys,
		keyId: keyIds,
		encryptionContext: context,
		...options,
	});
	return outputPath;
}

/** Everything after the first newline: the frames of a binary envelope. */
async function body(file: string): Promise<Buffer> {
	const bytes = await readFile(file);
	return bytes.subarray(bytes.indexOf(0x0a) + 1);
}

async function decrypted(file: string): Promise<Buffer> {
	const output = path.join(dir(), `out-${Math.random().toString(16).slice(2)}`);
	await decryptFile({input: file, output, provider: services.keys});
	return readFile(output);
}

describe('version 2', () => {
	test('--to another key: only the header changes, and it decrypts with the old key disabled', async () => {
		const oldKey = await createKey(sandbox);
		const newKey = await createKey(sandbox);
		const file = await envelope(oldKey);
		const before = await body(file);
		const result = await rewrapFile(file, {provider: services.keys, to: [newKey]});
		expect(result.kind).toBe('kms-v2');
		expect(result.payloadUnchanged).toBe(true);
		expect(result.before.map((key) => key.keyArn)).toEqual([await arnOf(oldKey)]);
		expect(result.after.map((key) => key.keyArn)).toEqual([await arnOf(newKey)]);
		expect((await body(file)).equals(before)).toBe(true);
		expect(result.bytes).toBe((await stat(file)).size);
		await sandbox.kms().send(new DisableKeyCommand({KeyId: oldKey}));
		expect((await decrypted(file)).equals(plaintext)).toBe(true);
		expect(await listDir(dir())).toEqual(['data.txt', 'data.txt.kms', expect.any(String)]);
	});

	test('no plan after a rotation: the newest key material is recorded, the old file still decrypts', async () => {
		const key = await createKey(sandbox);
		const file = await envelope(key);
		const copy = path.join(dir(), 'copy.kms');
		await writeFile(copy, await readFile(file));
		const [first] = (await inspectEnvelope(file)).header.wrappedKeys;
		const oldMaterial = (await services.keys.describeKey(key)).currentKeyMaterialId;
		expect(first?.keyMaterialId).toBe(oldMaterial);
		await sandbox.kms().send(new RotateKeyOnDemandCommand({KeyId: key}));
		const newMaterial = (await services.keys.describeKey(key)).currentKeyMaterialId;
		expect(newMaterial).not.toBe(oldMaterial);
		const result = await rewrapFile(file, {provider: services.keys});
		expect(result.before).toEqual([{keyArn: await arnOf(key), keyMaterialId: oldMaterial}]);
		expect(result.after).toEqual([{keyArn: await arnOf(key), keyMaterialId: newMaterial}]);
		expect((await inspectEnvelope(file)).header.wrappedKeys[0]?.keyMaterialId).toBe(newMaterial);
		expect((await decrypted(file)).equals(plaintext)).toBe(true);
		expect((await decrypted(copy)).equals(plaintext)).toBe(true);
	});

	test('--add-key and --remove-key edit the list; the kept entry stays as it was', async () => {
		const [a, b, c] = [
			await createKey(sandbox),
			await createKey(sandbox),
			await createKey(sandbox),
		];
		const file = await envelope([a, b]);
		const original = (await inspectEnvelope(file)).header.wrappedKeys;
		const notices: string[] = [];
		const result = await rewrapFile(file, {
			provider: services.keys,
			addKeys: [c, a],
			removeKeys: [await arnOf(b)],
			onNotice: (message) => notices.push(message),
		});
		expect(result.after.map((key) => key.keyArn)).toEqual([await arnOf(a), await arnOf(c)]);
		const after = (await inspectEnvelope(file)).header.wrappedKeys;
		expect(after[0]).toEqual(original[0]);
		expect(notices.join('\n')).toContain(`already wrapped under ${await arnOf(a)}`);
		await sandbox.kms().send(new DisableKeyCommand({KeyId: a}));
		expect((await decrypted(file)).equals(plaintext)).toBe(true);
	});

	test('removing the last key, or one the file does not have, is refused and changes nothing', async () => {
		const [a, b] = [await createKey(sandbox), await createKey(sandbox)];
		const file = await envelope(a);
		const hash = await sha256File(file);
		const entries = await listDir(dir());
		const last = await rejection(rewrapFile(file, {provider: services.keys, removeKeys: [a]}));
		expect(last.code).toBe('invalid-argument');
		expect(last.message).toContain('would leave no key');
		const missing = await rejection(rewrapFile(file, {provider: services.keys, removeKeys: [b]}));
		expect(missing.message).toContain(`not wrapped under ${b}`);
		expect(await sha256File(file)).toBe(hash);
		expect(await listDir(dir())).toEqual(entries);
	});

	test('the JSON encoding: the document from "iv" on is unchanged', async () => {
		const [a, b] = [await createKey(sandbox), await createKey(sandbox)];
		const file = await envelope(a, {format: 'json'});
		const tail = (bytes: Buffer) => bytes.subarray(bytes.indexOf(',"iv":'));
		const before = tail(await readFile(file));
		const result = await rewrapFile(file, {provider: services.keys, to: [b]});
		expect(result.kind).toBe('kms-json');
		expect(tail(await readFile(file)).equals(before)).toBe(true);
		await sandbox.kms().send(new DisableKeyCommand({KeyId: a}));
		expect((await decrypted(file)).equals(plaintext)).toBe(true);
	});

	test('a missing key, a wrong --context or a cancel leave the file byte-identical and no temp', async () => {
		const key = await createKey(sandbox);
		const file = await envelope(key);
		const hash = await sha256File(file);
		const entries = await listDir(dir());
		const missing = await rejection(
			rewrapFile(file, {provider: services.keys, to: ['alias/does-not-exist']}),
		);
		expect(missing.code).toBe('kms');
		expect(missing.message).toContain('alias/does-not-exist');
		expect(missing.message).toContain('The file is unchanged.');
		const wrong = await rejection(
			rewrapFile(file, {provider: services.keys, expectedContext: {purpose: 'other'}}),
		);
		expect(wrong.code).toBe('context-mismatch');
		const controller = new AbortController();
		controller.abort(new Error('test cancel'));
		const cancelled = await rejection(
			rewrapFile(file, {provider: services.keys, signal: controller.signal}),
		);
		expect(cancelled.code).toBe('aborted');
		expect(await sha256File(file)).toBe(hash);
		expect(await listDir(dir())).toEqual(entries);
	});

	test('keeps the file mode, and through a symlink replaces the file it points at', async () => {
		const [a, b] = [await createKey(sandbox), await createKey(sandbox)];
		const file = await envelope(a);
		const {chmod, lstat} = await import('node:fs/promises');
		await chmod(file, 0o640);
		const link = path.join(dir(), 'link.kms');
		await symlink(file, link);
		await rewrapFile(link, {provider: services.keys, to: [b]});
		expect((await lstat(link)).isSymbolicLink()).toBe(true);
		expect((await stat(file)).mode & 0o777).toBe(0o640);
		expect((await inspectEnvelope(file)).keyArn).toBe(await arnOf(b));
	});
});

describe('the file changing or the header', () => {
	test('a file that changes while it is re-wrapped is left as it now is, with no temp', async () => {
		const [a, b] = [await createKey(sandbox), await createKey(sandbox)];
		const file = await envelope(a);
		// Someone appends to the file while KMS is asked (a real write, at that very moment).
		const provider = {
			...services.keys,
			generateDataKey: services.keys.generateDataKey.bind(services.keys),
			encryptDataKey: services.keys.encryptDataKey.bind(services.keys),
			decryptDataKey: services.keys.decryptDataKey.bind(services.keys),
			reEncryptDataKey: async (request: Parameters<Services['keys']['reEncryptDataKey']>[0]) => {
				await appendFile(file, 'x');
				return services.keys.reEncryptDataKey(request);
			},
		};
		const changed = Buffer.concat([await readFile(file), Buffer.from('x')]);
		const error = await rejection(rewrapFile(file, {provider, to: [b]}));
		expect(error.code).toBe('io');
		expect(error.message).toContain('changed while it was being re-wrapped');
		expect((await readFile(file)).equals(changed)).toBe(true);
		expect(await listDir(dir())).toEqual(['data.txt', 'data.txt.kms']);
	});

	test('keyMaterialId: read where it belongs, refused when invalid or out of place', async () => {
		const key = await createKey(sandbox);
		const file = await envelope(key);
		const bytes = await readFile(file);
		const newline = bytes.indexOf(0x0a);
		const line = bytes.subarray(0, newline).toString('utf8');
		const rest = bytes.subarray(newline);
		expect(line).toMatch(/"encryptedDataKey":"[^"]+","keyMaterialId":"[\da-f]{64}"\}\]\}$/);
		expect((await decrypted(file)).equals(plaintext)).toBe(true);
		const cases = [
			[
				line.replace(/"keyMaterialId":"[\da-f]{64}"/, '"keyMaterialId":"has space"'),
				'not-an-envelope',
			],
			[line.replace(/"keyMaterialId":"[\da-f]{64}"/, '"keyMaterialId":7'), 'not-an-envelope'],
			[
				line.replace(
					/\{"keyArn":("[^"]+"),"encryptedDataKey":("[^"]+"),"keyMaterialId":("[^"]+")\}/,
					'{"keyArn":$1,"keyMaterialId":$3,"encryptedDataKey":$2}',
				),
				'tampered',
			],
		] as const;
		for (const [edited, code] of cases) {
			expect(edited).not.toBe(line);
			await writeFile(file, Buffer.concat([Buffer.from(edited), rest]));
			const error = await rejection(decryptFile({input: file, provider: services.keys}));
			expect(error.code).toBe(code);
		}
	});
});

describe('the in-memory provider (test/helpers/local-data-keys.ts)', () => {
	test('re-wraps across two local keys, with their material ids, as KMS would', async () => {
		const first = createLocalDataKeys({keyMaterialId: 'a'.repeat(64)});
		const second = createLocalDataKeys({
			keyArn: 'arn:aws:kms:eu-west-1:000000000000:key/22222222-2222-3333-4444-555555555555',
			keyMaterialId: 'b'.repeat(64),
		});
		const provider = combineLocalDataKeys([first, second]);
		const input = path.join(dir(), 'local.txt');
		await writeFile(input, plaintext);
		const {outputPath} = await encryptFile({input, provider, keyId: first.keyArn});
		const result = await rewrapFile(outputPath, {provider, to: [second.keyArn]});
		expect(result.before).toEqual([{keyArn: first.keyArn, keyMaterialId: 'a'.repeat(64)}]);
		expect(result.after).toEqual([{keyArn: second.keyArn, keyMaterialId: 'b'.repeat(64)}]);
		provider.disabled.add(first.keyArn);
		const output = path.join(dir(), 'local.out');
		await decryptFile({input: outputPath, output, provider});
		expect((await readFile(output)).equals(plaintext)).toBe(true);
		for (const key of [...first.issued, ...second.issued])
			expect(key.every((b) => b === 0)).toBe(true);
	});
});

describe('version 1', () => {
	test('is converted to version 2, frames re-sealed, and decrypts to the same bytes', async () => {
		const [a, b] = [await createKey(sandbox), await createKey(sandbox)];
		for (const format of ['binary', 'json'] as const) {
			const file = await envelope(a, {formatVersion: 1, format, frameSize: 64});
			const notices: string[] = [];
			const result = await rewrapFile(file, {
				provider: services.keys,
				to: [b],
				onNotice: (message) => notices.push(message),
			});
			expect(result.kind).toBe('kms-v1-converted');
			expect(result.payloadUnchanged).toBe(false);
			expect(notices.join('\n')).toContain('converted to version 2');
			const summary = await inspectEnvelope(file);
			expect(summary.version).toBe(2);
			expect(summary.encoding).toBe(format);
			expect(summary.keyArn).toBe(await arnOf(b));
			expect((await decrypted(file)).equals(plaintext)).toBe(true);
		}
	});
});
