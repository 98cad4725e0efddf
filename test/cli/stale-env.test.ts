/**
 * `encrypt` with a key that came from a stale .env file: KMS refuses the key (pending deletion,
 * disabled, gone), and the built CLI says the file is stale and how to refresh it. The state is
 * set up straight through KMS on a sandbox directory that the CLI then opens with --sandbox-dir.
 */
import {access, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, DisableKeyCommand, ScheduleKeyDeletionCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let work: string;

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-stale-env-'));
	sandbox = await startTestSandbox({dir: path.join(work, 'sandbox')});
	await writeFile(path.join(work, 'data.txt'), 'twenty bytes of data');
});
afterAll(async () => {
	await sandbox.close();
	await rm(work, {recursive: true, force: true});
});

async function newKey(): Promise<string> {
	const output = await sandbox.kms().send(new CreateKeyCommand({Description: 'stale env test'}));
	return output.KeyMetadata?.KeyId ?? '';
}

function encrypt(extra: string[] = [], env: Record<string, string> = {}) {
	return runCli(['encrypt', 'data.txt', '--sandbox', '--sandbox-dir', sandbox.dir, ...extra], {
		env: cleanEnv(work, env),
		cwd: work,
	});
}

const fix = 'run `kms-tui outputs --write-env`';

async function exists(file: string): Promise<boolean> {
	return access(file).then(
		() => true,
		() => false,
	);
}

describe('encrypt with a key from a stale .env', () => {
	it.each([
		[
			'pending deletion',
			async (keyId: string) => {
				await sandbox
					.kms()
					.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 7}));
			},
			'is pending deletion',
		],
		[
			'disabled',
			async (keyId: string) => {
				await sandbox.kms().send(new DisableKeyCommand({KeyId: keyId}));
			},
			'is disabled',
		],
	])('says the .env is stale when its key is %s', async (_name, spoil, words) => {
		const keyId = await newKey();
		await spoil(keyId);
		await writeFile(path.join(work, '.env'), `KMS_KEY_ID=${keyId}\n`);
		const result = await encrypt();
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`KMS_KEY_ID in .env points at a key that ${words}; ${fix}`);
		expect(await exists(path.join(work, 'data.txt.kms'))).toBe(false);

		// The same key from --key or the environment is not the file's fault: no such note.
		for (const run of [() => encrypt(['--key', keyId]), () => encrypt([], {KMS_KEY_ID: keyId})]) {
			const other = await run();
			expect(other.code).toBe(1);
			expect(other.stderr).not.toContain('points at a key');
		}
	});

	it('says the .env is stale when its key does not exist', async () => {
		const gone = '0b5f3b0e-6a1c-4c3e-9f55-000000000000';
		await writeFile(path.join(work, '.env'), `KMS_KEY_ID=${gone}\n`);
		const result = await encrypt();
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(
			`KMS_KEY_ID in .env points at a key that no longer exists; ${fix}`,
		);
	});

	it('encrypts as before when the key in .env is fine', async () => {
		await writeFile(path.join(work, '.env'), `KMS_KEY_ID=${await newKey()}\n`);
		const result = await encrypt();
		expect(result.stderr).not.toContain('points at a key');
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('data.txt.kms');
	});
});
