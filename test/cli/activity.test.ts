/**
 * `kms-tui activity` and the "last used" of `kms-tui key`, through the built CLI: after an
 * encrypt and a decrypt on the sandbox, activity lists both (newest first, who, outcome) with a
 * cost estimate that shows its arithmetic; --json is one document without key material; a bad
 * --since is a usage error; moto, which lacks CloudTrail and GetKeyLastUsage, says so.
 */
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, DecryptCommand, KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {type MotoResult, startMoto} from '../helpers/moto.js';
import {startTestSandbox} from '../helpers/sandbox.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let keyArn: string;
const plaintext = 'activity test: nobody may read this in a log 0a1b2c';

const kmsTui = (...args: string[]) =>
	runCli(['--sandbox', '--sandbox-dir', path.join(dir, 'state'), ...args], {
		env: {...env, KMS_KEY_ID: keyArn},
		cwd: dir,
	});

type ActivityJson = {
	keyArn: string;
	isTruncated: boolean;
	events: Array<{
		name: string;
		time: string;
		principal: string;
		errorCode?: string;
		requestSummary: string;
	}>;
	estimate: {
		isEstimate: true;
		requestsSeen: number;
		keyCost: number;
		totalPerMonth: number;
		pricing: {label: string; url: string};
		lines: string[];
	};
};

beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-activity-'));
	env = cleanEnv(dir, {XDG_CACHE_HOME: path.join(dir, 'cache')});
	// The key is made in the state directory the CLI then opens (the store is shared safely).
	const sandbox = await startTestSandbox({dir: path.join(dir, 'state')});
	try {
		const created = await sandbox.kms().send(new CreateKeyCommand({Description: 'activity'}));
		keyArn = created.KeyMetadata?.Arn as string;
	} finally {
		await sandbox.close();
	}
});
afterAll(async () => {
	await rm(dir, {recursive: true, force: true});
});

describe('kms-tui key: last used', () => {
	it('says never before the first use, then names the Decrypt after encrypt + decrypt', async () => {
		const before = await kmsTui('key');
		expect(before.code, before.stderr).toBe(0);
		expect(before.stdout).toMatch(/^ {2}last used {4}never \(tracking since \d{4}-\d\d-\d\d\)$/m);

		await writeFile(path.join(dir, 'secret.txt'), plaintext);
		const encrypted = await kmsTui(
			'encrypt',
			'secret.txt',
			'--format',
			'json',
			'-o',
			'secret.txt.kms',
		);
		expect(encrypted.code, encrypted.stderr).toBe(0);
		const decrypted = await kmsTui('decrypt', 'secret.txt.kms', '-o', 'secret.out');
		expect(decrypted.code, decrypted.stderr).toBe(0);

		const after = await kmsTui('key');
		expect(after.code, after.stderr).toBe(0);
		expect(after.stdout).toMatch(/^ {2}last used {4}Decrypt, \d+ seconds? ago$/m);
		const json = await kmsTui('key', '--json');
		expect(JSON.parse(json.stdout).lastUsage).toMatchObject({
			isReported: true,
			operation: 'Decrypt',
			cloudTrailEventId: expect.any(String),
		});
	});
});

describe('kms-tui activity', () => {
	it('lists the decrypt and the encrypt newest first, with an estimate and its arithmetic', async () => {
		const result = await kmsTui('activity');
		expect(result.code, result.stderr).toBe(0);
		const lines = result.stdout.split('\n');
		expect(lines[0]).toBe(
			`Activity of key ${keyArn.split('/').at(-1)} (from KMS_KEY_ID in the environment) in the last 24h, newest first:`,
		);
		expect(lines[1]).toMatch(/^ {2}TIME +EVENT +WHO +OUTCOME$/);
		const row = (name: string) =>
			lines.findIndex((line) =>
				new RegExp(`^ {2}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +${name} +root +ok$`).test(
					line,
				),
			);
		expect(row('Decrypt')).toBeGreaterThan(1);
		expect(row('GenerateDataKey')).toBeGreaterThan(row('Decrypt'));
		expect(row('CreateKey')).toBeGreaterThan(row('GenerateDataKey'));
		expect(result.stdout).toContain('Monthly cost, estimated:');
		expect(result.stdout).toMatch(/^ {2}key {8}1 × \$1\.00\/month = \$1\.00$/m);
		expect(result.stdout).toMatch(/^ {2}requests {3}\d+ in \d+ min \(counted as 1 h\) → /m);
		expect(result.stdout).toContain(
			'an estimate: AWS KMS pricing, us-east-1, as of 2026, https://aws.amazon.com/kms/pricing/',
		);
	});

	it('--json: one document with the events, the estimate, and no key material', async () => {
		const result = await kmsTui('activity', '--since', '1h', '--json');
		expect(result.code, result.stderr).toBe(0);
		const document = JSON.parse(result.stdout) as ActivityJson;
		expect(document.keyArn).toBe(keyArn);
		expect(document.isTruncated).toBe(false);
		const names = document.events.map((event) => event.name);
		expect(names.indexOf('Decrypt')).toBeLessThan(names.indexOf('GenerateDataKey'));
		const times = document.events.map((event) => Date.parse(event.time));
		expect([...times].sort((a, b) => b - a)).toEqual(times);
		expect(document.estimate).toMatchObject({
			isEstimate: true,
			requestsSeen: document.events.length,
			keyCost: 1,
			pricing: {label: 'AWS KMS pricing, us-east-1, as of 2026'},
		});
		expect(document.estimate.lines).toHaveLength(4);

		const envelope = JSON.parse(await readFile(path.join(dir, 'secret.txt.kms'), 'utf8')) as {
			ciphertext: string;
			wrappedKeys: Array<{encryptedDataKey: string}>;
		};
		for (const secret of [
			plaintext,
			Buffer.from(plaintext).toString('base64'),
			envelope.ciphertext,
			envelope.wrappedKeys[0]?.encryptedDataKey as string,
		]) {
			expect(result.stdout).not.toContain(secret);
		}
	});

	it('shows a refused decrypt with its error code as the outcome', async () => {
		// kms-tui checks an expected context itself before calling KMS: the refused call is made
		// with the SDK, in the same state directory, as another program would.
		const envelope = JSON.parse(await readFile(path.join(dir, 'secret.txt.kms'), 'utf8')) as {
			wrappedKeys: Array<{encryptedDataKey: string}>;
		};
		const sandbox = await startTestSandbox({dir: path.join(dir, 'state')});
		try {
			await expect(
				sandbox.kms().send(
					new DecryptCommand({
						KeyId: keyArn,
						CiphertextBlob: Buffer.from(
							envelope.wrappedKeys[0]?.encryptedDataKey as string,
							'base64',
						),
						EncryptionContext: {wrong: 'context'},
					}),
				),
			).rejects.toMatchObject({name: 'InvalidCiphertextException'});
		} finally {
			await sandbox.close();
		}
		const result = await kmsTui('activity', '--since', '10m');
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toMatch(/ Decrypt +root +InvalidCiphertextException$/m);
	});

	it('refuses a --since that is not a duration, or older than CloudTrail keeps (exit 2)', async () => {
		const bad = await kmsTui('activity', '--since', 'yesterday');
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('"yesterday" is not a duration');
		const old = await kmsTui('activity', '--since', '91d');
		expect(old.code).toBe(2);
		expect(old.stderr).toContain(
			'--since 91d reaches further back than the 90 days of events CloudTrail keeps.',
		);
		expect(old.stdout).toBe('');
	});
});

describe('start-up', () => {
	it('key and encrypt never load the CloudTrail client; activity does', async () => {
		const cacheHome = path.join(dir, 'startup-cache');
		const run = (...args: string[]) =>
			runCli(['--sandbox', '--sandbox-dir', path.join(dir, 'state'), ...args], {
				env: {...env, KMS_KEY_ID: keyArn, XDG_CACHE_HOME: cacheHome},
				cwd: dir,
			});
		// Each bundle loaded through the code cache leaves its cache file (source/code-cache.ts).
		const clients = async () =>
			(await readdir(path.join(cacheHome, 'kms-tui')))
				.map((name) => /^(client-[a-z]+)-/.exec(name)?.[1])
				.filter(Boolean)
				.sort();
		await writeFile(path.join(dir, 'startup.txt'), 'start-up');
		for (const args of [['key'], ['encrypt', 'startup.txt', '-o', 'startup.kms']]) {
			const result = await run(...args);
			expect(result.code, result.stderr).toBe(0);
		}
		expect(await clients()).toEqual(['client-kms']);
		const activity = await run('activity');
		expect(activity.code, activity.stderr).toBe(0);
		expect(await clients()).toEqual(['client-cloudtrail', 'client-kms']);
	});
});

describe('on moto', () => {
	let moto: MotoResult;
	let motoKey: string;
	beforeAll(async () => {
		moto = await startMoto();
		if ('skipped' in moto) {
			console.warn(`[cli activity] moto skipped: ${moto.skipped}`);
			return;
		}
		const kms = new KMSClient({
			endpoint: moto.server.endpoint,
			region: 'us-east-1',
			credentials: {accessKeyId: 'moto', secretAccessKey: 'moto'},
		});
		motoKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
		kms.destroy();
	}, 40_000);
	afterAll(async () => {
		if (moto && 'server' in moto) await moto.server.close();
	});

	const onMoto = (...args: string[]) =>
		'server' in moto
			? runCli(['--endpoint-url', moto.server.endpoint, '--key', motoKey, ...args], {
					env: {...env, AWS_MAX_ATTEMPTS: '1'},
					cwd: dir,
				})
			: Promise.reject(new Error('no moto'));

	it('activity says the endpoint does not serve CloudTrail LookupEvents (exit 1)', async (context) => {
		if (!('server' in moto)) return context.skip();
		const result = await onMoto('activity');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(
			'This endpoint does not serve CloudTrail LookupEvents, so kms-tui cannot list the key’s activity here.',
		);
		expect(result.stderr).not.toMatch(/doctype|Deserialization|at .*\.cjs/i);
	});

	it('key says last use is not reported', async (context) => {
		if (!('server' in moto)) return context.skip();
		const result = await onMoto('key');
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toMatch(
			/^ {2}last used {4}not reported \(this endpoint does not implement GetKeyLastUsage\)$/m,
		);
	});
});
