/** `kms-tui sandbox serve|status|advance|reset` as a user runs them. */
import {spawn} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {
	CreateKeyCommand,
	DescribeKeyCommand,
	KMSClient,
	ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';
import {dummyCredentials} from '../helpers/sandbox.js';
import {serveSandbox} from '../helpers/serve.js';

let work: string;
let env: NodeJS.ProcessEnv;
const sandbox = (...args: string[]) =>
	runCli(['sandbox', ...args, '--sandbox-dir', path.join(work, 'state')], {env, cwd: work});

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-sandbox-cmd-'));
	env = cleanEnv(work);
});
afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

describe('kms-tui sandbox', () => {
	it('serve prints the endpoint, region and credentials, and stops cleanly on SIGINT', async () => {
		const child = spawn(
			cliNode,
			[cliPath, 'sandbox', 'serve', '--sandbox-dir', path.join(work, 'state')],
			{env},
		);
		let output = '';
		await new Promise<void>((resolve) => {
			child.stdout.on('data', (chunk: Buffer) => {
				output += chunk.toString();
				if (output.includes('Press Ctrl-C to stop.')) resolve();
			});
		});
		expect(output).toMatch(/local KMS and CloudFormation on http:\/\/127\.0\.0\.1:\d+/);
		expect(output).toContain('region       us-east-1');
		expect(output).toContain('AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox');
		const status = await sandbox('status', '--json');
		expect(JSON.parse(status.stdout).serving).toMatch(/^http:\/\/127\.0\.0\.1:/);
		const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
		child.kill('SIGINT');
		expect(await exited).toBe(0);
		expect(JSON.parse((await sandbox('status', '--json')).stdout).serving).toBeNull();
	});

	it('advance makes a key pending deletion really disappear once its date passes', async () => {
		const server = await serveSandbox(path.join(work, 'state'), work);
		const kms = new KMSClient({
			endpoint: server.endpoint,
			region: 'us-east-1',
			credentials: dummyCredentials,
		});
		try {
			const created = await kms.send(new CreateKeyCommand({}));
			const keyId = created.KeyMetadata?.KeyId as string;
			await kms.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 7}));

			const early = await sandbox('advance', '6d');
			expect(early.code, early.stderr).toBe(0);
			expect(early.stdout).toContain('0 key(s) reached their deletion date');
			expect((await kms.send(new DescribeKeyCommand({KeyId: keyId}))).KeyMetadata?.KeyState).toBe(
				'PendingDeletion',
			);

			const late = await sandbox('advance', '1d1h');
			expect(late.stdout).toContain('1 key(s) reached their deletion date and are gone');
			await expect(kms.send(new DescribeKeyCommand({KeyId: keyId}))).rejects.toMatchObject({
				name: 'NotFoundException',
			});
			expect((await sandbox('status')).stdout).toMatch(/real time \+ 7d1h/);
		} finally {
			kms.destroy();
			await server.stop();
		}
	});

	it('rejects a duration without a unit as a usage error', async () => {
		const result = await sandbox('advance', '7');
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('Use a number with a unit');
	});

	it('reports corrupt state clearly, exits 1 and leaves the file alone', async () => {
		const dir = path.join(work, 'corrupt');
		await rm(dir, {recursive: true, force: true});
		await (await import('node:fs/promises')).mkdir(dir, {recursive: true});
		await writeFile(path.join(dir, 'state.json'), '{"format": "kms-tui-sandbox", trunc');
		const status = await runCli(['sandbox', 'status', '--sandbox-dir', dir], {env, cwd: work});
		expect(status.code).toBe(1);
		expect(status.stderr).toContain('is not valid JSON');
		expect(status.stderr).toContain('kms-tui sandbox reset');
		const key = await runCli(['--sandbox', '--sandbox-dir', dir, 'key', '--key', 'alias/x'], {
			env,
			cwd: work,
		});
		expect(key.code).toBe(1);
		expect(key.stderr).toContain('is not valid JSON');
		expect(await readFile(path.join(dir, 'state.json'), 'utf8')).toBe(
			'{"format": "kms-tui-sandbox", trunc',
		);
	});

	it('reset asks for --yes without a terminal, then empties the sandbox keeping a backup', async () => {
		const refused = await sandbox('reset');
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain('--yes');
		const reset = await sandbox('reset', '--yes');
		expect(reset.code).toBe(0);
		expect(reset.stdout).toContain('state.json.bak');
		expect((await sandbox('status')).stdout).toContain('empty: no keys, no stacks');
	});

	it('says so when the port is taken', async () => {
		const server = await serveSandbox(path.join(work, 'state'), work);
		try {
			const port = new URL(server.endpoint).port;
			const second = await sandbox('serve', '--port', port);
			expect(second.code).toBe(1);
			expect(second.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
		} finally {
			await server.stop();
		}
	});
});
