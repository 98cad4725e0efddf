/**
 * `kms-tui scan` through the built CLI: kms-tui envelopes (v1, v2, JSON, several keys), SDK
 * messages made by the real @aws-crypto/client-node (a KMS keyring on a real sandbox, and a raw
 * AES keyring beside it), broken headers, and files that are no envelope at all. The envelopes
 * are found by content, whatever their names.
 */
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {
	buildClient,
	CommitmentPolicy,
	KmsKeyringNode,
	MultiKeyringNode,
	RawAesKeyringNode,
	RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import {CreateAliasCommand, CreateKeyCommand, KMS} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {encryptFile} from '../../source/envelope/index.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {combineLocalDataKeys, createLocalDataKeys} from '../helpers/local-data-keys.js';
import {dummyCredentials, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

const {encrypt} = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const material = 'material-one';
const keyA = createLocalDataKeys({
	keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/aaaaaaaa-0000-4000-8000-000000000001',
	keyMaterialId: material,
});
const keyB = createLocalDataKeys({
	keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/bbbbbbbb-0000-4000-8000-000000000002',
});
const both = combineLocalDataKeys([keyA, keyB]);

let work: string;
let tree: string;
let sandbox: TestSandbox;
/** The aggregated client: the SDK's KMS keyring calls kms.generateDataKey(…). */
let kms: KMS;
let sdkKeyArn: string;

type ScanDocument = {
	filesSeen: number;
	envelopes: number;
	bytes: number;
	keys: {
		keyArn: string;
		provider: string;
		files: number;
		onlyThisKey: number;
		keyMaterials: {keyMaterialId?: string; files: number}[];
		examples: string[];
	}[];
	files: {path: string; relativePath: string; kind: string; keys: {keyArn: string}[]}[];
	problems: {path: string; reason: string}[];
};

async function write(relative: string, contents: string | Uint8Array): Promise<string> {
	const file = path.join(tree, relative);
	await mkdir(path.dirname(file), {recursive: true});
	await writeFile(file, contents);
	return file;
}

async function envelope(
	relative: string,
	options: Omit<Parameters<typeof encryptFile>[0], 'input' | 'output'>,
): Promise<void> {
	const input = await write(`${relative}.plain`, `contents of ${relative}`);
	await encryptFile({...options, input, output: path.join(tree, relative)});
	await rm(input);
}

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-scan-cli-'));
	tree = path.join(work, 'tree');
	sandbox = await startTestSandbox();
	kms = new KMS({
		endpoint: sandbox.endpoint,
		region: sandbox.region,
		credentials: dummyCredentials,
	});
	sdkKeyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
	await kms.send(new CreateAliasCommand({AliasName: 'alias/sdk', TargetKeyId: sdkKeyArn}));

	await envelope('v2.kms', {provider: keyA, keyId: keyA.keyArn});
	await envelope('deep/er/v1-named-anything.dat', {
		provider: keyA,
		keyId: keyA.keyArn,
		formatVersion: 1,
	});
	await envelope('doc.kms.json', {provider: keyB, keyId: keyB.keyArn, format: 'json'});
	await envelope('two-keys.kms', {provider: both, keyId: [keyB.keyArn, keyA.keyArn]});

	const kmsKeyring = new KmsKeyringNode({generatorKeyId: sdkKeyArn, clientProvider: () => kms});
	const signed = await encrypt(kmsKeyring, Buffer.from('sdk, signed'));
	await write('sdk/message-without-suffix', signed.result);
	const raw = new RawAesKeyringNode({
		keyName: 'break-glass',
		keyNamespace: 'vault',
		unencryptedMasterKey: new Uint8Array(32).fill(7),
		wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
	});
	const multi = new MultiKeyringNode({generator: kmsKeyring, children: [raw]});
	const withRaw = await encrypt(multi, Buffer.from('sdk, two keyrings'), {
		suiteId: 0x0478,
	});
	await write('sdk/with-raw.encrypted', withRaw.result);

	await write(
		'broken/bad-header.kms',
		'{"format":"kms-tui-envelope","version":2,"algorithm":"AES-256-GCM-HKDF-SHA512-COMMIT"}\nrest',
	);
	await write('broken/cut.encrypted', Buffer.from(signed.result).subarray(0, 40));
	await write('notes.txt', 'just text');
	await write('data.json', '{"format":"something-else"}\n');
	// Starts like an SDK message (0x02) but with no suite the SDK defines: not one.
	await write('random.bin', Buffer.from([0x02, 0x00, 0x07, 0x01, 0x02]));
	await write('node_modules/pkg/ignored.kms', await readFile(path.join(tree, 'v2.kms')));
});

afterAll(async () => {
	kms?.destroy();
	await sandbox?.close();
	await rm(work, {recursive: true, force: true});
});

const scan = (args: string[], target: string[] = []) =>
	runCli([...target, 'scan', ...args], {env: cleanEnv(work), cwd: tree});

describe('kms-tui scan', () => {
	it('counts every kind of envelope by key and material, lists bad headers, ignores the rest', async () => {
		const result = await scan(['--json']);
		expect(result.code, result.stderr).toBe(0);
		const document = JSON.parse(result.stdout) as ScanDocument;
		expect(document.filesSeen).toBe(11);
		expect(document.envelopes).toBe(6);
		const kinds = Object.fromEntries(document.files.map((file) => [file.relativePath, file.kind]));
		expect(kinds).toEqual({
			'deep/er/v1-named-anything.dat': 'kms-v1',
			'doc.kms.json': 'kms-json',
			'sdk/message-without-suffix': 'esdk',
			'sdk/with-raw.encrypted': 'esdk',
			'two-keys.kms': 'kms-v2',
			'v2.kms': 'kms-v2',
		});
		const byKey = Object.fromEntries(document.keys.map((key) => [key.keyArn, key]));
		expect(byKey[keyA.keyArn]).toMatchObject({provider: 'aws-kms', files: 3, onlyThisKey: 2});
		expect(byKey[keyA.keyArn]?.keyMaterials).toEqual(
			expect.arrayContaining([
				// v2.kms only: v1 has no place for it, and KMS Encrypt (the second key of
				// two-keys.kms) reports no material.
				expect.objectContaining({keyMaterialId: material, files: 1}),
				{files: 2, bytes: expect.any(Number)},
			]),
		);
		expect(byKey[keyB.keyArn]).toMatchObject({files: 2, onlyThisKey: 1});
		expect(byKey[sdkKeyArn]).toMatchObject({provider: 'aws-kms', files: 2, onlyThisKey: 1});
		const rawKey = document.keys.find((key) => key.provider === 'vault');
		expect(rawKey).toMatchObject({files: 1, onlyThisKey: 0});
		expect(rawKey?.keyArn).toContain('break-glass');
		expect(document.problems.map((problem) => problem.path).sort()).toEqual([
			'broken/bad-header.kms',
			'broken/cut.encrypted',
		]);
		expect(document.problems.map((problem) => problem.reason)).toEqual([
			expect.stringMatching(/^not a valid kms-tui envelope \(/),
			'the AWS Encryption SDK message ends inside its header',
		]);
	});

	it('escapes what file names say on the terminal', async () => {
		const escapes = path.join(work, 'escapes');
		await mkdir(escapes);
		await writeFile(
			path.join(escapes, 'x\u001b[2Jy.kms'),
			await readFile(path.join(tree, 'v2.kms')),
		);
		const result = await scan(['../escapes']);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain('1 envelope');
		expect(result.stdout).not.toContain('\u001b');
	});

	it('prints a report by key, with paths and problems', async () => {
		const result = await scan([]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain('Scanned 11 files under .: 6 envelopes');
		expect(result.stdout).toContain(keyA.keyArn);
		expect(result.stdout).toContain(`key material ${material}: 1 file`);
		expect(result.stdout).toContain('    deep/er/v1-named-anything.dat');
		expect(result.stdout).toContain('not a KMS key: kms-tui cannot use it');
		expect(result.stdout).toMatch(/2 problems:\n {2}broken\/bad-header\.kms: /);
	});

	it('--key with an ARN filters without reaching KMS (the endpoint is unreachable)', async () => {
		const result = await scan(
			['--key', keyA.keyArn, '--json'],
			['--endpoint-url', 'http://127.0.0.1:9', '--region', 'eu-west-1'],
		);
		expect(result.code, result.stderr).toBe(0);
		const document = JSON.parse(result.stdout) as ScanDocument;
		expect(document.files.map((file) => file.relativePath).sort()).toEqual([
			'deep/er/v1-named-anything.dat',
			'two-keys.kms',
			'v2.kms',
		]);
		expect(document.keys.map((key) => key.keyArn)).toEqual([keyA.keyArn]);
	});

	it('--key with an alias is resolved to the ARN headers record (DescribeKey)', async () => {
		const result = await scan(
			['--key', 'alias/sdk', '--json'],
			['--endpoint-url', sandbox.endpoint, '--region', sandbox.region],
		);
		expect(result.code, result.stderr).toBe(0);
		const document = JSON.parse(result.stdout) as ScanDocument;
		expect(document.files.map((file) => file.relativePath)).toEqual([
			'sdk/message-without-suffix',
			'sdk/with-raw.encrypted',
		]);
	});

	it('a missing directory: the others are scanned and reported, then exit 1 naming it', async () => {
		const result = await scan(['no-such-dir', 'sdk']);
		expect(result.code).toBe(1);
		expect(result.stdout).toContain('2 envelopes');
		expect(result.stderr).toContain('no-such-dir: no such file or directory');
	});
});
