/**
 * `kms-tui rewrap` through the built CLI (a real process) against KMS as a separate server:
 * `kms-tui sandbox serve` and moto (which has ReEncrypt), reached with --endpoint-url as AWS
 * would be. The test disables and rotates keys with its own KMS client, the way an operator would.
 */
import {spawn} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {watch} from 'node:fs';
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {
	AlgorithmSuiteIdentifier,
	buildClient,
	CommitmentPolicy,
	KmsKeyringNode,
} from '@aws-crypto/client-node';
import {
	CreateKeyCommand,
	DescribeKeyCommand,
	DisableKeyCommand,
	EnableKeyCommand,
	KMS,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {encryptFile} from '../../source/envelope/encrypt.js';
import {createServices, type Services} from '../../source/service/index.js';
import {cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';
import {type ServedSandbox, serveSandbox} from '../helpers/serve.js';

const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const credentials = {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'};

const moto = await startMoto();
if ('skipped' in moto) console.warn(`[cli rewrap] moto skipped: ${moto.skipped}`);
const motoServer: MotoServer | undefined = 'server' in moto ? moto.server : undefined;

let root: string;
let served: ServedSandbox;
beforeAll(async () => {
	root = await mkdtemp(path.join(tmpdir(), 'kms-tui-cli-rewrap-'));
	served = await serveSandbox(path.join(root, 'sandbox'), root);
});
afterAll(async () => {
	await served?.stop();
	await motoServer?.close();
	await rm(root, {recursive: true, force: true});
});

const flavours = [
	{name: 'sandbox', endpoint: () => served.endpoint, isSandbox: true},
	...(motoServer ? [{name: 'moto', endpoint: () => motoServer.endpoint, isSandbox: false}] : []),
];

/** moto's DisableKey/EnableKey want the key id, not the ARN. */
const idOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Everything after the header line: the frames. */
const afterHeader = (bytes: Buffer) => bytes.subarray(bytes.indexOf(0x0a) + 1);

describe.each(flavours)('kms-tui rewrap on $name', ({name, endpoint, isSandbox}) => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	let kms: KMS;
	let services: Services;
	const cli = (...args: string[]) =>
		runCli(['--endpoint-url', endpoint(), '--region', 'us-east-1', ...args], {env, cwd: work});
	const newKey = async () =>
		(await kms.send(new CreateKeyCommand({Description: `rewrap ${name}`}))).KeyMetadata
			?.Arn as string;
	const material = async (arn: string) =>
		(await kms.send(new DescribeKeyCommand({KeyId: arn}))).KeyMetadata?.CurrentKeyMaterialId;
	let counter = 0;
	const encrypted = async (keys: string[], extra: string[] = [], size = 200_000) => {
		const file = `plain-${++counter}.bin`;
		const plaintext = randomBytes(size);
		await writeFile(path.join(work, file), plaintext);
		const result = await cli('encrypt', file, ...keys.flatMap((key) => ['--key', key]), ...extra);
		expect(result.code, result.stderr).toBe(0);
		return {plaintext, envelope: result.stdout.trim()};
	};
	const decrypts = async (envelope: string, plaintext: Buffer) => {
		const out = `out-${++counter}`;
		const result = await cli('decrypt', envelope, '-o', out);
		expect(result.code, result.stderr).toBe(0);
		expect((await readFile(path.join(work, out))).equals(plaintext)).toBe(true);
	};
	const read = (file: string) => readFile(path.join(work, file));
	const temps = async () => (await readdir(work)).filter((entry) => entry.endsWith('.tmp'));

	beforeAll(async () => {
		work = await mkdtemp(path.join(root, `${name}-`));
		env = cleanEnv(work);
		kms = new KMS({endpoint: endpoint(), region: 'us-east-1', credentials});
		services = createServices({
			region: 'us-east-1',
			endpoint: endpoint(),
			staticCredentials: credentials,
			isLocal: true,
		});
	});
	afterAll(() => {
		kms.destroy();
		services.close();
	});

	it('--to another key: the frames are byte-identical, and it decrypts with the old key disabled', async () => {
		const [oldKey, newKeyArn] = [await newKey(), await newKey()];
		const {plaintext, envelope} = await encrypted([oldKey]);
		const frames = sha256(afterHeader(await read(envelope)));
		const result = await cli('rewrap', envelope, '--to', newKeyArn);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain(`${envelope}: ${oldKey}`);
		expect(result.stdout).toContain(`→ ${newKeyArn}`);
		expect(sha256(afterHeader(await read(envelope)))).toBe(frames);
		await kms.send(new DisableKeyCommand({KeyId: idOf(oldKey)}));
		await decrypts(envelope, plaintext);
		expect(await temps()).toEqual([]);
	});

	it('a missing key or a wrong --context leaves the file byte-identical, exit 1, no temp', async () => {
		const key = await newKey();
		const {envelope} = await encrypted([key], ['--context', 'app=one']);
		const before = sha256(await read(envelope));
		const missing = await cli('rewrap', envelope, '--to', 'alias/not-there');
		expect(missing.code).toBe(1);
		expect(missing.stderr).toContain('alias/not-there');
		const gone = await newKey();
		await kms.send(new DisableKeyCommand({KeyId: idOf(gone)}));
		const disabled = await cli('rewrap', envelope, '--add-key', gone);
		expect(disabled.code).toBe(1);
		expect(disabled.stderr).toContain('Disabled');
		const wrong = await cli('rewrap', envelope, '--context', 'app=two');
		expect(wrong.code).toBe(1);
		expect(wrong.stderr).toContain('does not contain app=two');
		const readOnly = await cli('--read-only', 'rewrap', envelope, '--to', key);
		expect(readOnly.code).toBe(2);
		expect(readOnly.stderr).toContain('--read-only');
		expect(sha256(await read(envelope))).toBe(before);
		expect(await temps()).toEqual([]);
	});

	it('--json prints the run document with each file’s keys before and after', async () => {
		const [a, b] = [await newKey(), await newKey()];
		const {plaintext, envelope} = await encrypted([a]);
		const result = await cli('rewrap', envelope, '--add-key', b, '--json');
		expect(result.code, result.stderr).toBe(0);
		const document = JSON.parse(result.stdout);
		expect(document.summary).toMatchObject({done: 1, failed: 0});
		const [file] = document.files;
		expect(file).toMatchObject({path: envelope, status: 'done', kind: 'kms-v2'});
		expect(file.after.map((key: {keyArn: string}) => key.keyArn)).toEqual([a, b]);
		expect(file.payloadUnchanged).toBe(true);
		await kms.send(new DisableKeyCommand({KeyId: idOf(a)}));
		await decrypts(envelope, plaintext);
		await kms.send(new EnableKeyCommand({KeyId: idOf(a)}));
	});

	it('a v1 envelope is converted to v2 and decrypts to the same bytes', async () => {
		const [a, b] = [await newKey(), await newKey()];
		const plaintext = randomBytes(3 * 1024 * 1024 + 5);
		await writeFile(path.join(work, 'old.bin'), plaintext);
		await encryptFile({
			input: path.join(work, 'old.bin'),
			output: path.join(work, 'old.bin.kms'),
			provider: services.keys,
			keyId: a,
			formatVersion: 1,
		});
		const result = await cli('rewrap', 'old.bin.kms', '--to', b);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toContain('converted to version 2');
		expect(
			JSON.parse((await read('old.bin.kms')).toString('utf8').split('\n')[0] ?? '').version,
		).toBe(2);
		await kms.send(new DisableKeyCommand({KeyId: idOf(a)}));
		await decrypts('old.bin.kms', plaintext);
	});

	it('AWS Encryption SDK messages, signed and unsigned: re-wrapped, then decrypted by the real SDK', async () => {
		for (const suiteId of [
			AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
			AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
		]) {
			const [a, b] = [await newKey(), await newKey()];
			const keyring = (arn: string) =>
				new KmsKeyringNode({generatorKeyId: arn, clientProvider: () => kms});
			const plaintext = randomBytes(50_000);
			const {result} = await sdk.encrypt(keyring(a), plaintext, {
				suiteId,
				frameLength: 4096,
				encryptionContext: {purpose: 'cli rewrap'},
			});
			const file = `sdk-${suiteId}.encrypted`;
			await writeFile(path.join(work, file), result);
			const rewrapped = await cli('rewrap', file, '--to', b, '--context', 'purpose=cli rewrap');
			expect(rewrapped.code, rewrapped.stderr).toBe(0);
			await kms.send(new DisableKeyCommand({KeyId: idOf(a)}));
			const opened = await sdk.decrypt(keyring(b), await read(file));
			expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
			expect(opened.messageHeader.suiteId).toBe(suiteId);
		}
	});

	it('a directory with --recursive: a bad file in the middle is named, the others are done, exit 1', async () => {
		const [a, b] = [await newKey(), await newKey()];
		const dir = path.join(work, 'tree');
		await mkdir(path.join(dir, 'sub'), {recursive: true});
		const plaintexts = new Map<string, Buffer>();
		for (const name of ['one', 'sub/three']) {
			const {plaintext, envelope} = await encrypted([a]);
			await writeFile(path.join(dir, `${name}.kms`), await read(envelope));
			plaintexts.set(`${name}.kms`, plaintext);
		}
		const {envelope: bad} = await encrypted([a]);
		const broken = Buffer.from(await read(bad));
		broken[broken.length - 1] = (broken.at(-1) as number) ^ 1;
		// Cut short: its length no longer fits its header.
		await writeFile(path.join(dir, 'sub', 'two.kms'), broken.subarray(0, broken.length - 3));
		await writeFile(path.join(dir, 'notes.txt'), 'not an envelope');
		const badBefore = sha256(await readFile(path.join(dir, 'sub', 'two.kms')));
		const result = await cli('rewrap', 'tree', '--recursive', '--to', b);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/two\.kms: .*(cut off|length)/);
		expect(result.stderr).toContain('2 re-wrapped');
		expect(sha256(await readFile(path.join(dir, 'sub', 'two.kms')))).toBe(badBefore);
		await kms.send(new DisableKeyCommand({KeyId: idOf(a)}));
		for (const [name, plaintext] of plaintexts) await decrypts(path.join('tree', name), plaintext);
		expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('not an envelope');
	});

	it.runIf(isSandbox)(
		'--add-key of another region: wrapped there (Decrypt + Encrypt, said so), and it opens the file alone',
		async () => {
			const home = await newKey();
			const elsewhere = new KMS({endpoint: endpoint(), region: 'eu-west-1', credentials});
			const drKey = (await elsewhere.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
			elsewhere.destroy();
			const {plaintext, envelope} = await encrypted([home]);
			const frames = sha256(afterHeader(await read(envelope)));
			const result = await cli('rewrap', envelope, '--add-key', drKey);
			expect(result.code, result.stderr).toBe(0);
			expect(result.stderr).toContain('KMS ReEncrypt stays within one region');
			expect(sha256(afterHeader(await read(envelope)))).toBe(frames);
			await kms.send(new DisableKeyCommand({KeyId: idOf(home)}));
			await decrypts(envelope, plaintext);
		},
	);

	it.runIf(isSandbox)(
		'after rotation rotate-now: the new key material is recorded, and an old copy still decrypts',
		async () => {
			const key = await newKey();
			const {plaintext, envelope} = await encrypted([key]);
			await writeFile(path.join(work, 'copy.kms'), await read(envelope));
			const oldMaterial = await material(key);
			expect((await read(envelope)).toString()).toContain(`"keyMaterialId":"${oldMaterial}"`);
			const rotated = await cli('rotation', 'rotate-now', '--key', key, '--yes');
			expect(rotated.code, rotated.stderr).toBe(0);
			const newMaterial = await material(key);
			expect(newMaterial).not.toBe(oldMaterial);
			const result = await cli('rewrap', envelope, '--json');
			expect(result.code, result.stderr).toBe(0);
			const [file] = JSON.parse(result.stdout).files;
			expect(file.before).toEqual([{keyArn: key, keyMaterialId: oldMaterial}]);
			expect(file.after).toEqual([{keyArn: key, keyMaterialId: newMaterial}]);
			const inspected = await cli('inspect', envelope);
			expect(inspected.stdout).toContain(`material ${newMaterial}`);
			await decrypts(envelope, plaintext);
			await decrypts('copy.kms', plaintext);
		},
	);

	it.runIf(isSandbox)(
		'SIGINT while a large v1 envelope is converted leaves it untouched',
		async () => {
			const key = await newKey();
			const dir = path.join(work, 'sigint');
			await mkdir(dir);
			await writeFile(path.join(dir, 'big.bin'), randomBytes(96 * 1024 * 1024));
			await encryptFile({
				input: path.join(dir, 'big.bin'),
				output: path.join(dir, 'big.kms'),
				provider: services.keys,
				keyId: key,
				formatVersion: 1,
			});
			await rm(path.join(dir, 'big.bin'));
			const before = sha256(await readFile(path.join(dir, 'big.kms')));
			const watcher = watch(dir);
			const started = new Promise<void>((resolve) =>
				watcher.on('change', (_event, entry) => {
					if (String(entry).endsWith('.tmp')) resolve();
				}),
			);
			const child = spawn(
				cliNode,
				[cliPath, '--endpoint-url', endpoint(), '--region', 'us-east-1', 'rewrap', 'big.kms'],
				{cwd: dir, env},
			);
			let stderr = '';
			child.stderr.on('data', (chunk: Buffer) => {
				stderr += chunk.toString();
			});
			const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
			// The temp file is there: the conversion is under way. (A child that ended first fails here.)
			const first = await Promise.race([
				started.then(() => 'started'),
				exited.then(() => 'exited'),
			]);
			watcher.close();
			expect(first, stderr).toBe('started');
			child.kill('SIGINT');
			expect(await exited, stderr).toBe(130);
			expect(await readdir(dir)).toEqual(['big.kms']);
			expect(sha256(await readFile(path.join(dir, 'big.kms')))).toBe(before);
		},
		120_000,
	);
});
