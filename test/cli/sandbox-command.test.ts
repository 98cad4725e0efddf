/** `kms-tui sandbox serve|status|advance|reset` as a user runs them. */
import {spawn} from 'node:child_process';
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {
	CreateKeyCommand,
	DescribeKeyCommand,
	KMSClient,
	RotateKeyOnDemandCommand,
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

	it('advance refuses more than 100 years, says the maximum, and saves nothing', async () => {
		const dir = path.join(work, 'far');
		const far = await runCli(['sandbox', 'advance', '99999999999d', '--sandbox-dir', dir], {
			env,
			cwd: work,
		});
		expect(far.code).toBe(2);
		expect(far.stderr).toContain('Cannot advance by 99999999999d');
		expect(far.stderr).toContain('at most 100 years (36525d)');
		expect(far.stderr).not.toContain('unexpected failure');
		const status = await runCli(['sandbox', 'status', '--json', '--sandbox-dir', dir], {
			env,
			cwd: work,
		});
		expect(JSON.parse(status.stdout).clockOffsetMs).toBe(0);
	});

	it('a clock an older build saved out of range is refused at once, with what to do', async () => {
		const dir = path.join(work, 'broken-clock');
		await mkdir(dir, {recursive: true});
		await writeFile(
			path.join(dir, 'state.json'),
			JSON.stringify({format: 'kms-tui-sandbox', version: 1, clockOffsetMs: 8.64e18, regions: {}}),
		);
		// Before: every command hung, growing state.json.
		const key = await runCli(['--sandbox', '--sandbox-dir', dir, 'key', '--key', 'alias/x'], {
			env,
			cwd: work,
			timeoutMs: 20_000,
		});
		expect(key.code).toBe(1);
		expect(key.stderr).toContain('beyond the 100-year maximum');
		expect(key.stderr).toContain('Set "clockOffsetMs" to 0');
	});

	it('--read-only refuses advance and reset (exit 2) and changes nothing', async () => {
		const dir = path.join(work, 'read-only');
		const server = await serveSandbox(dir, work);
		const kms = new KMSClient({
			endpoint: server.endpoint,
			region: 'us-east-1',
			credentials: dummyCredentials,
		});
		try {
			const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
			await kms.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 7}));
			for (const args of [
				['advance', '30d'],
				['reset', '--yes'],
			]) {
				const refused = await runCli(['sandbox', ...args, '--read-only', '--sandbox-dir', dir], {
					env,
					cwd: work,
				});
				expect(refused.code).toBe(2);
				expect(refused.stderr).toContain('--read-only forbids changes');
			}
			const {KeyMetadata} = await kms.send(new DescribeKeyCommand({KeyId: keyId}));
			expect(KeyMetadata?.KeyState).toBe('PendingDeletion');
		} finally {
			kms.destroy();
			await server.stop();
		}
	});

	it('a bad --port is a usage error, not a stack trace', async () => {
		for (const port of ['99999', 'abc', '-1']) {
			const result = await sandbox('serve', '--port', port);
			expect(result.code, result.stderr).toBe(2);
			expect(result.stderr).toContain('--port');
			expect(result.stderr).not.toContain('unexpected failure');
		}
	});

	it('a made-up --region is a usage error for serve and for the embedded sandbox', async () => {
		const result = await sandbox('serve', '--region', 'xx-fake-1');
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('"xx-fake-1" is not an AWS region name');
		const dir = path.join(work, 'regions');
		for (const region of ['xx-fake-1', 'constructor']) {
			const key = await runCli(
				['--sandbox', '--sandbox-dir', dir, '--region', region, 'key', '--key', 'alias/x'],
				{env, cwd: work},
			);
			expect(key.code, key.stderr).toBe(2);
			expect(key.stderr).toContain(`"${region}" is not an AWS region name`);
		}
		// Nothing was stored for them.
		const status = await runCli(['sandbox', 'status', '--json', '--sandbox-dir', dir], {
			env,
			cwd: work,
		});
		expect(JSON.parse(status.stdout).regions).toEqual([]);
	});

	it('a sandbox dir that is a file, or cannot be created, fails at once with what to do', async () => {
		const file = path.join(work, 'a-file');
		await writeFile(file, 'not a directory');
		// Before: /proc/x spun for ever inside mkdir(…, {recursive: true}).
		for (const dir of [file, path.join(file, 'below'), '/proc/kms-tui-cannot-exist']) {
			for (const args of [
				['sandbox', 'advance', '1d', '--sandbox-dir', dir],
				['sandbox', 'serve', '--port', '0', '--sandbox-dir', dir],
				['--sandbox', '--sandbox-dir', dir, 'key', '--key', 'alias/x'],
			]) {
				const result = await runCli(args, {env, cwd: work, timeoutMs: 20_000});
				expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
				expect(result.stderr).toContain(`The sandbox directory ${dir}`);
				expect(result.stderr).toContain(
					'Point --sandbox-dir (or KMS_TUI_SANDBOX_DIR) at a directory you can write',
				);
				expect(result.stderr).not.toContain('unexpected failure');
			}
		}
	});

	it('takes over the lock of a process killed with SIGKILL at once, and says so', async () => {
		const dir = path.join(work, 'stale-lock');
		const holder = spawn(cliNode, [path.resolve('test/fixtures/hold-store-lock.mjs'), dir], {env});
		await new Promise<void>((resolve, reject) => {
			holder.stdout.on('data', (chunk: Buffer) => {
				if (chunk.toString().includes('locked')) resolve();
			});
			holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
		});
		const killed = new Promise((resolve) => holder.once('exit', resolve));
		holder.kill('SIGKILL');
		await killed;
		// Before: ~10 s of silence while proper-lockfile waited for the lock to look old.
		const result = await runCli(['sandbox', 'advance', '1d', '--sandbox-dir', dir], {
			env,
			cwd: work,
		});
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toMatch(
			new RegExp(
				`took over the sandbox lock of process ${holder.pid} .*: that process is no longer running`,
			),
		);
		expect((await readdir(dir)).sort()).toEqual(['state.journal', 'state.snapshot']);
	});

	it('shows sandbox dates relative to the sandbox clock after advance', async () => {
		const dir = path.join(work, 'clock');
		const server = await serveSandbox(dir, work);
		const kms = new KMSClient({
			endpoint: server.endpoint,
			region: 'us-east-1',
			credentials: dummyCredentials,
		});
		let pending: string;
		let rotated: string;
		try {
			pending = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
			await kms.send(new ScheduleKeyDeletionCommand({KeyId: pending, PendingWindowInDays: 7}));
			rotated = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
			await kms.send(new RotateKeyOnDemandCommand({KeyId: rotated}));
		} finally {
			kms.destroy();
			await server.stop();
		}
		expect(
			(await runCli(['sandbox', 'advance', '5d', '--sandbox-dir', dir], {env, cwd: work})).code,
		).toBe(0);
		const onSandbox = (...args: string[]) =>
			runCli(['--sandbox', '--sandbox-dir', dir, ...args], {env, cwd: work});
		// Before: counted from the real clock, "(in 7 days)" and "(today)".
		const key = await onSandbox('key', '--key', pending);
		expect(key.code, key.stderr).toBe(0);
		expect(key.stdout).toMatch(/will be deleted \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 2 days\)/);
		expect(key.stdout).toMatch(/created +\S+ \S+ UTC \(5 days ago\)/);
		const history = await onSandbox('rotation', 'history', '--key', rotated);
		expect(history.code, history.stderr).toBe(0);
		expect(history.stdout).toMatch(/UTC \(5 days ago\) +on demand/);
	});
});
