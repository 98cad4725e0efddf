/**
 * Bad input through the built CLI: each prints what happened and what to do, exits 1 (or 2 for a
 * usage error) and changes nothing.
 */
import {
	chmod,
	mkdir,
	mkdtemp,
	readdir,
	readFile,
	rm,
	stat,
	symlink,
	writeFile,
} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';

let work: string;
let env: NodeJS.ProcessEnv;
const stack = 'ErrorsStack';
const kms = (...args: string[]) =>
	runCli(
		['--sandbox', '--sandbox-dir', path.join(work, 'sandbox'), '--stack-name', stack, ...args],
		{env, cwd: work},
	);

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-errors-'));
	env = cleanEnv(work);
	const deployed = await kms('deploy', '--yes', '--param', 'AliasName=alias/errors-test');
	expect(deployed.code, deployed.stderr).toBe(0);
});
afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

describe('usage errors exit 2 before any call', () => {
	it('rejects an invalid alias name', async () => {
		const result = await kms('alias', 'create', 'demo');
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('"demo" is not a valid alias name: it must start with alias/');
	});

	it('rejects the reserved alias/aws/ prefix and bad characters', async () => {
		expect((await kms('alias', 'create', 'alias/aws/mine')).stderr).toContain(
			'reserved for AWS managed keys',
		);
		expect((await kms('alias', 'create', 'alias/has space')).stderr).toContain(
			'characters KMS does not allow',
		);
	});

	it('rejects an out-of-range rotation period and deletion window', async () => {
		const period = await kms('rotation', 'enable', '--period', '30');
		expect(period.code).toBe(2);
		expect(period.stderr).toContain('90 to 2560 days');
		const days = await kms('delete-key', '--days', '3', '--yes');
		expect(days.code).toBe(2);
		expect(days.stderr).toContain('7 to 30 days');
	});

	it('refuses to change anything without a terminal and without --yes', async () => {
		const result = await kms('delete-key', '--days', '7');
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('add --yes');
		expect(JSON.parse((await kms('key', '--json')).stdout).key.state).toBe('Enabled');
	});

	it('refuses changes under --read-only', async () => {
		const result = await kms('--read-only', 'alias', 'create', 'alias/read-only');
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('--read-only');
	});

	it('says the app needs a terminal when started with no command in a pipe', async () => {
		const result = await kms();
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('the terminal app needs a terminal');
		expect(result.stderr).toContain('kms-tui --help');
		expect(result.stderr).not.toContain('Raw mode');
	});

	it('rejects an unknown template parameter and names the real ones', async () => {
		const result = await kms('deploy', '--yes', '--param', 'Nope=1');
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('no parameter Nope');
		expect(result.stderr).toContain('AliasName');
	});

	it('checks a value against the template’s constraints before planning anything', async () => {
		const stacksBefore = (await kms('outputs', '--json')).stdout;
		const result = await kms('deploy', '--yes', '--param', 'PendingWindowInDays=3');
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(
			"Parameter 'PendingWindowInDays' must be a number not less than 7.",
		);
		expect(result.stderr).toContain('Give PendingWindowInDays a value in 7–30');
		expect(result.stdout).not.toContain('Planned changes');
		const pattern = await kms('deploy', '--yes', '--param', 'AliasName=alias/has space');
		expect(pattern.code).toBe(2);
		expect(pattern.stderr).toContain(
			'Parameter AliasName failed to satisfy constraint: must start with alias/',
		);
		// The deployed stack is as it was.
		expect((await kms('outputs', '--json')).stdout).toBe(stacksBefore);
	});
});

describe('operation failures exit 1 with what to do', () => {
	it('explains an unknown alias', async () => {
		const result = await kms('key', '--key', 'alias/does-not-exist');
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/was not found in us-east-1/);
		expect(result.stderr).toContain('kms-tui alias list');
	});

	it('says a key that is not pending deletion has no deletion to cancel', async () => {
		const result = await kms('delete-key', '--cancel', '--yes');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('is not scheduled for deletion');
		// KMS's "… is not pending deletion." once matched /pending deletion/ and said the opposite.
		expect(result.stderr).not.toMatch(/the key \S+ is scheduled for deletion/);
		expect(result.stderr).not.toContain('Cancel the deletion');
		expect(JSON.parse((await kms('key', '--json')).stdout).key.state).toBe('Enabled');
	});

	it('shows the failing resource and the rollback when a stack resource fails', async () => {
		const template = path.join(work, 'failing.yaml');
		await writeFile(
			template,
			[
				'Resources:',
				'  Key:',
				'    Type: AWS::KMS::Key',
				'  Alias:',
				'    Type: AWS::KMS::Alias',
				'    Properties:',
				'      AliasName: alias/aws/not-allowed',
				'      TargetKeyId: !Ref Key',
			].join('\n'),
		);
		const result = await runCli(
			[
				'--sandbox',
				'--sandbox-dir',
				path.join(work, 'sandbox'),
				'--stack-name',
				'Failing',
				'deploy',
				'--yes',
				'--template',
				template,
			],
			{env, cwd: work},
		);
		expect(result.code).toBe(1);
		expect(result.stdout).toContain('CREATE_FAILED');
		expect(result.stderr).toContain('ROLLBACK_COMPLETE');
		expect(result.stderr).toMatch(/Alias \(AWS::KMS::Alias\): .*alias\/aws/);
		expect(result.stderr).toContain('kms-tui destroy');
		const redeploy = await runCli(
			[
				'--sandbox',
				'--sandbox-dir',
				path.join(work, 'sandbox'),
				'--stack-name',
				'Failing',
				'deploy',
				'--yes',
				'--template',
				template,
			],
			{env, cwd: work},
		);
		expect(redeploy.code).toBe(1);
		expect(redeploy.stderr).toContain('Delete it with `kms-tui destroy`');
	});

	it('fails fast and clearly when the endpoint is unreachable', async () => {
		const started = Date.now();
		const result = await runCli(
			['--endpoint-url', 'http://127.0.0.1:9', 'key', '--key', 'alias/x'],
			{env, cwd: work},
		);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('Could not reach the endpoint');
		expect(Date.now() - started).toBeLessThan(20_000);
	});

	it('says how to fix credentials when AWS is configured but credentials do not resolve', async () => {
		const home = path.join(work, 'home-with-config');
		await mkdir(path.join(home, '.aws'), {recursive: true});
		await writeFile(path.join(home, '.aws', 'config'), '[default]\nregion = eu-west-1\n');
		// IMDS would be the last link of the chain; it is not a network this test may touch.
		const result = await runCli(['key', '--key', 'alias/x'], {
			env: {...cleanEnv(home), AWS_EC2_METADATA_DISABLED: 'true'},
			cwd: work,
		});
		expect(result.code).toBe(1);
		expect(result.stderr.split('\n')[0]).toContain('target: AWS eu-west-1');
		expect(result.stderr).toContain('AWS credentials could not be used');
		expect(result.stderr).toMatch(/aws configure|--profile|--sandbox/);
	});

	it('refuses to merge into a file that is not a .env file, through a symlink too', async () => {
		const passwd = path.join(work, 'passwd');
		const text = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/bin/false\n';
		await writeFile(passwd, text);
		const link = path.join(work, 'not-env-link');
		await symlink(passwd, link);
		const result = await kms('outputs', '--write-env', '--env-file', link);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('not a .env file: line 1');
		expect(result.stderr).toContain('root:x:0:0:root:/root:/bin/bash');
		expect(await readFile(passwd, 'utf8')).toBe(text);
		expect(await readdir(work)).not.toContain('passwd.bak');
	});

	it('leaves a read-only .env untouched and says so', async () => {
		const envFile = path.join(work, 'readonly.env');
		await writeFile(envFile, 'KEEP=1\n');
		await chmod(envFile, 0o444);
		const before = await stat(envFile);
		const result = await kms('outputs', '--write-env', '--env-file', envFile);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/read-only/);
		expect(await readFile(envFile, 'utf8')).toBe('KEEP=1\n');
		expect((await stat(envFile)).mtimeMs).toBe(before.mtimeMs);
	});
});
