/**
 * The seed flow through the built CLI: `encrypt data-file.txt` prints the envelope's path and
 * `decrypt <that path>` gives back identical bytes — on the sandbox and on moto. Plus what a
 * user meets when something is wrong: tampering, a wrong context, an existing output. And
 * envelopes under several keys (`--key` repeated).
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, DisableKeyCommand, KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';
import {dummyCredentials, startTestSandbox, testRegion} from '../helpers/sandbox.js';

const moto = await startMoto();
if ('skipped' in moto) console.warn(`[cli envelope] moto skipped: ${moto.skipped}`);
const motoServer: MotoServer | undefined = 'server' in moto ? moto.server : undefined;
afterAll(async () => {
	await motoServer?.close();
});

const flavours = [
	{
		name: 'sandbox',
		target: (work: string) => ['--sandbox', '--sandbox-dir', path.join(work, 'sandbox')],
	},
	...(motoServer ? [{name: 'moto', target: () => ['--endpoint-url', motoServer.endpoint]}] : []),
];

describe.each(flavours)('envelope commands on $name', ({name, target}) => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	const kms = (...args: string[]) => runCli([...target(work), ...args], {env, cwd: work});

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), `kms-tui-envelope-${name}-`));
		env = cleanEnv(work);
		const deployed = await kms('deploy', '--yes', '--param', `AliasName=alias/envelope-${name}`);
		expect(deployed.code, deployed.stderr).toBe(0);
		expect((await kms('outputs', '--write-env')).code).toBe(0);
	});
	afterAll(async () => {
		await rm(work, {recursive: true, force: true});
	});

	it('encrypt prints the envelope path and decrypt of that path gives identical bytes', async () => {
		const original = Buffer.concat([
			Buffer.from('line one\nline two\n'),
			randomBytes(3 * 1024 * 1024 + 7),
		]);
		await writeFile(path.join(work, 'data-file.txt'), original);
		const encrypted = await kms('encrypt', 'data-file.txt');
		expect(encrypted.code, encrypted.stderr).toBe(0);
		const envelope = encrypted.stdout.trim();
		expect(envelope).toBe('data-file.txt.kms');

		const decrypted = await kms('decrypt', envelope, '-o', 'roundtrip.txt');
		expect(decrypted.code, decrypted.stderr).toBe(0);
		expect(decrypted.stdout.trim()).toBe('roundtrip.txt');
		expect((await readFile(path.join(work, 'roundtrip.txt'))).equals(original)).toBe(true);
	});

	it('round-trips the JSON encoding with an encryption context', async () => {
		await writeFile(path.join(work, 'small.txt'), 'small secret');
		const encrypted = await kms(
			'encrypt',
			'small.txt',
			'--format',
			'json',
			'--context',
			'purpose=test',
		);
		expect(encrypted.code, encrypted.stderr).toBe(0);
		const envelope = JSON.parse(await readFile(path.join(work, encrypted.stdout.trim()), 'utf8'));
		expect(envelope.encryptionContext).toEqual({purpose: 'test'});
		const decrypted = await kms('decrypt', encrypted.stdout.trim(), '-o', 'small.out');
		expect(decrypted.code, decrypted.stderr).toBe(0);
		expect(await readFile(path.join(work, 'small.out'), 'utf8')).toBe('small secret');
	});

	it('refuses a tampered envelope and writes nothing', async () => {
		await writeFile(path.join(work, 'tamper.txt'), randomBytes(200_000));
		const encrypted = await kms('encrypt', 'tamper.txt');
		const file = path.join(work, encrypted.stdout.trim());
		const bytes = await readFile(file);
		bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0x01;
		await writeFile(file, bytes);
		const before = await readdir(work);
		const result = await kms('decrypt', encrypted.stdout.trim(), '-o', 'tampered.out');
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/failed authentication.*modified.*corrupt.*Nothing was written/);
		expect(await readdir(work)).toEqual(before);
	});

	it('refuses a decrypt whose --context does not match, before calling KMS', async () => {
		await writeFile(path.join(work, 'ctx.txt'), 'x');
		const encrypted = await kms('encrypt', 'ctx.txt', '--context', 'team=blue');
		const result = await kms('decrypt', encrypted.stdout.trim(), '--context', 'team=red');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('team');
	});

	it('never overwrites an existing file: default names step aside, -o needs --force', async () => {
		await writeFile(path.join(work, 'keep.txt'), 'keep me');
		await writeFile(path.join(work, 'keep.txt.kms'), 'precious');
		const stepAside = await kms('encrypt', 'keep.txt');
		expect(stepAside.code, stepAside.stderr).toBe(0);
		expect(stepAside.stdout.trim()).toBe('keep.txt (1).kms');
		const explicit = await kms('encrypt', 'keep.txt', '-o', 'keep.txt.kms');
		expect(explicit.code).toBe(1);
		expect(explicit.stderr).toMatch(/exists/);
		expect(await readFile(path.join(work, 'keep.txt.kms'), 'utf8')).toBe('precious');
		const forced = await kms('encrypt', 'keep.txt', '-o', 'keep.txt.kms', '--force');
		expect(forced.code, forced.stderr).toBe(0);
	});

	it('streams stdin to stdout both ways', async () => {
		const data = randomBytes(2 * 1024 * 1024 + 3);
		const pipe = async (args: string[], input: Buffer): Promise<Buffer> =>
			new Promise((resolve, reject) => {
				const child = spawn(cliNode, [cliPath, ...target(work), ...args], {
					cwd: work,
					env,
				});
				const chunks: Buffer[] = [];
				child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
				child.once('error', reject);
				child.once('close', (code) =>
					code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`exit ${code}`)),
				);
				child.stdin.end(input);
			});
		const envelope = await pipe(['encrypt', '-'], data);
		expect(envelope.subarray(0, 30).toString()).toContain('kms-tui-envelope');
		const back = await pipe(['decrypt', '-'], envelope);
		expect(back.equals(data)).toBe(true);
	});
});

/**
 * Several keys (`--key` repeated) through the built CLI, against an endpoint the test also drives
 * with the SDK (to make and disable keys): the embedded sandbox served over HTTP, and moto. Moto
 * (5.2) still decrypts under a disabled or pending-deletion key, so there the round trip runs
 * with every key enabled, and the "disabled" cases are the sandbox's alone.
 */
const endpoints = [
	{name: 'sandbox', enforcesKeyState: true, start: async () => startTestSandbox()},
	...(motoServer
		? [
				{
					name: 'moto',
					enforcesKeyState: false,
					start: async () => ({
						endpoint: motoServer.endpoint,
						kms: () =>
							new KMSClient({
								endpoint: motoServer.endpoint,
								region: testRegion,
								credentials: dummyCredentials,
							}),
						close: async () => {},
					}),
				},
			]
		: []),
];

describe.each(endpoints)('several keys on $name', ({start, enforcesKeyState}) => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	let server: {endpoint: string; kms(): KMSClient; close(): Promise<void>};
	let client: KMSClient;
	const kms = (...args: string[]) =>
		runCli(['--endpoint-url', server.endpoint, '--region', testRegion, ...args], {env, cwd: work});
	const newKey = async () => {
		const output = await client.send(new CreateKeyCommand({Description: 'several keys test'}));
		return output.KeyMetadata?.Arn as string;
	};
	// By key id: moto's DisableKey does not take an ARN.
	const disable = (arn: string) =>
		client.send(new DisableKeyCommand({KeyId: arn.split('/').at(-1)}));

	beforeAll(async () => {
		server = await start();
		client = server.kms();
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-several-keys-'));
		env = cleanEnv(work, {
			AWS_ACCESS_KEY_ID: dummyCredentials.accessKeyId,
			AWS_SECRET_ACCESS_KEY: dummyCredentials.secretAccessKey,
		});
	});
	afterAll(async () => {
		client.destroy();
		await server.close();
		await rm(work, {recursive: true, force: true});
	});

	it('encrypt under three keys; with the first disabled, decrypt opens with the second', async () => {
		const keys = [await newKey(), await newKey(), await newKey()];
		const original = randomBytes(300_000);
		await writeFile(path.join(work, 'multi.bin'), original);
		const encrypted = await kms(
			'encrypt',
			'multi.bin',
			...keys.flatMap((key) => ['--key', key]),
			'--context',
			'purpose=dr',
		);
		expect(encrypted.code, encrypted.stderr).toBe(0);
		expect(encrypted.stdout.trim()).toBe('multi.bin.kms');

		const inspected = await kms('inspect', 'multi.bin.kms', '--json');
		expect(inspected.code, inspected.stderr).toBe(0);
		const summary = JSON.parse(inspected.stdout);
		expect(summary.version).toBe(2);
		expect(summary.wrappedKeys.map((key: {keyArn: string}) => key.keyArn)).toEqual(keys);

		if (enforcesKeyState) await disable(keys[0] as string);
		const decrypted = await kms('decrypt', 'multi.bin.kms', '-o', 'multi.out', '--json');
		expect(decrypted.code, decrypted.stderr).toBe(0);
		expect(JSON.parse(decrypted.stdout).keyArn).toBe(enforcesKeyState ? keys[1] : keys[0]);
		expect((await readFile(path.join(work, 'multi.out'))).equals(original)).toBe(true);
	});

	it.skipIf(!enforcesKeyState)(
		'when no key opens, each is named with why; exit 1 and nothing written',
		async () => {
			const keys = [await newKey(), await newKey()];
			await writeFile(path.join(work, 'locked.txt'), 'locked away');
			const encrypted = await kms(
				'encrypt',
				'locked.txt',
				'--key',
				keys[0] as string,
				'--key',
				keys[1] as string,
			);
			expect(encrypted.code, encrypted.stderr).toBe(0);
			for (const key of keys) await disable(key);
			const before = await readdir(work);
			const result = await kms('decrypt', 'locked.txt.kms', '-o', 'locked.out');
			expect(result.code).toBe(1);
			expect(result.stderr).toContain(
				'none of the 2 KMS keys of the envelope could decrypt the data key',
			);
			expect(result.stderr).toContain(`1. ${keys[0]}: the key is disabled`);
			expect(result.stderr).toContain(`2. ${keys[1]}: the key is disabled`);
			expect(result.stderr).toContain('Nothing was written.');
			expect(await readdir(work)).toEqual(before);
		},
	);

	it('a key of another region is reached in its region, on encrypt and on decrypt', async () => {
		const elsewhere = new KMSClient({
			endpoint: server.endpoint,
			region: 'eu-west-1',
			credentials: dummyCredentials,
		});
		const created = await elsewhere.send(new CreateKeyCommand({Description: 'dr key'}));
		elsewhere.destroy();
		const drKey = created.KeyMetadata?.Arn as string;
		expect(drKey).toMatch(/^arn:aws:kms:eu-west-1:/);
		const home = await newKey();
		await writeFile(path.join(work, 'regions.txt'), 'two regions');
		// The other region's key first: GenerateDataKey itself goes to eu-west-1.
		const encrypted = await kms('encrypt', 'regions.txt', '--key', drKey, '--key', home);
		expect(encrypted.code, encrypted.stderr).toBe(0);
		const decrypted = await kms('decrypt', 'regions.txt.kms', '-o', 'regions.out', '--json');
		expect(decrypted.code, decrypted.stderr).toBe(0);
		expect(JSON.parse(decrypted.stdout).keyArn).toBe(drKey);
		expect(await readFile(path.join(work, 'regions.out'), 'utf8')).toBe('two regions');
	});

	it('a failing extra key fails the encrypt, naming it; nothing is written', async () => {
		const good = await newKey();
		await writeFile(path.join(work, 'extra.txt'), 'extra');
		const before = await readdir(work);
		const result = await kms(
			'encrypt',
			'extra.txt',
			'-o',
			'never.kms',
			'--key',
			good,
			'--key',
			'alias/does-not-exist',
		);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('extra key alias/does-not-exist');
		expect(await readdir(work)).toEqual(before);
	});

	it('the same key twice is a usage error (exit 2) before KMS is asked', async () => {
		const key = await newKey();
		const result = await kms('encrypt', 'extra.txt', '--key', key, '--key', key);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('is given twice');
	});
});
