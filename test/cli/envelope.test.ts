/**
 * The seed flow through the built CLI: `encrypt data-file.txt` prints the envelope's path and
 * `decrypt <that path>` gives back identical bytes — on the sandbox and on moto. Plus what a
 * user meets when something is wrong: tampering, a wrong context, an existing output.
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';

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
