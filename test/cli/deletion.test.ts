/**
 * Deletion that knows what it breaks, through the built CLI: before `delete-key` and `destroy`
 * confirm, the envelopes only this key opens (and those another key opens too), the aliases —
 * one made by hand with `kms-tui alias create`, outside the stack — and the key's last use;
 * `--disable` first; after `destroy`, the .env variables that named the key commented out, byte
 * for byte. On a served sandbox and on moto (where GetKeyLastUsage is "not reported").
 */
import {spawn, spawnSync} from 'node:child_process';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';
import {dummyCredentials} from '../helpers/sandbox.js';
import {type ServedSandbox, serveSandbox} from '../helpers/serve.js';

const moto = await startMoto();
if ('skipped' in moto) console.warn(`[cli deletion] moto skipped: ${moto.skipped}`);
const motoServer: MotoServer | undefined = 'server' in moto ? moto.server : undefined;

type Flavour = {readonly name: 'sandbox' | 'moto'};

/** util-linux `script`: the built CLI with a pseudo-terminal as stdin, typing `input`. */
const hasScript = spawnSync('script', ['--version']).status === 0;
function inTerminal(
	args: readonly string[],
	input: string,
	options: {env: NodeJS.ProcessEnv; cwd: string},
) {
	const quoted = [cliNode, cliPath, ...args]
		.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`)
		.join(' ');
	return new Promise<{code: number | null; output: string}>((resolve, reject) => {
		const child = spawn('script', ['-qec', quoted, '/dev/null'], options);
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		child.once('error', reject);
		child.once('close', (code) => resolve({code, output}));
		// The terminal holds what is typed until the prompt reads it.
		child.stdin.end(input);
	});
}
const flavours: Flavour[] = [{name: 'sandbox'}, ...(motoServer ? [{name: 'moto' as const}] : [])];

afterAll(async () => {
	await motoServer?.close();
});

type Impact = {
	unreadable: string[];
	alsoOpenElsewhere: string[];
	aliases: string[];
	danglingAliases: string[];
	lastUsage: {isReported: boolean; operation?: string; reason?: string};
};

describe.each(flavours)('deletion warnings on $name', ({name}) => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	let served: ServedSandbox | undefined;
	let endpoint: string;
	let otherKeyArn: string;
	const stack = `Deletion${name === 'moto' ? 'Moto' : ''}${Date.now()}`;
	const stackAlias = `alias/${stack.toLowerCase()}`;
	const handMade = `alias/${stack.toLowerCase()}-by-hand`;
	const kms = (args: string[], cwd = work) =>
		runCli(['--endpoint-url', endpoint, '--region', 'us-east-1', '--stack-name', stack, ...args], {
			env,
			cwd,
		});

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-deletion-'));
		env = cleanEnv(work);
		if (name === 'sandbox') {
			served = await serveSandbox(path.join(work, 'sandbox'), work);
			endpoint = served.endpoint;
		} else endpoint = motoServer?.endpoint ?? '';
		const client = new KMSClient({endpoint, region: 'us-east-1', credentials: dummyCredentials});
		otherKeyArn = (await client.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
		client.destroy();

		const deploy = await kms(['deploy', '--yes', '--param', `AliasName=${stackAlias}`]);
		expect(deploy.code, deploy.stderr).toBe(0);
		const alias = await kms(['alias', 'create', handMade, '--key', stackAlias]);
		expect(alias.code, alias.stderr).toBe(0);

		await mkdir(path.join(work, 'data', 'deep'), {recursive: true});
		for (const [file, keys] of [
			['data/only-mine.txt', [stackAlias]],
			['data/deep/also-only-mine.txt', [stackAlias]],
			['data/two-keys.txt', [stackAlias, otherKeyArn]],
			['data/not-mine.txt', [otherKeyArn]],
		] as const) {
			await writeFile(path.join(work, file), `contents of ${file}`);
			const encrypted = await kms(['encrypt', file, ...keys.flatMap((key) => ['--key', key])]);
			expect(encrypted.code, encrypted.stderr).toBe(0);
		}
		const sdk = await kms([
			'encrypt',
			'data/only-mine.txt',
			'--format',
			'esdk',
			'--key',
			stackAlias,
		]);
		expect(sdk.code, sdk.stderr).toBe(0);
	});
	afterAll(async () => {
		await served?.stop();
		await rm(work, {recursive: true, force: true});
	});

	it('delete-key says what would break before asking, and schedules nothing unconfirmed', async () => {
		const result = await kms(['delete-key', '--key', stackAlias], path.join(work, 'data'));
		// No terminal and no --yes: refused (usage), but only after the warning was shown.
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(
			'3 envelopes under . would become unreadable (only this key opens them;',
		);
		for (const file of [
			'only-mine.txt.kms',
			'deep/also-only-mine.txt.kms',
			'only-mine.txt.encrypted',
		])
			expect(result.stderr).toContain(`  ${file}\n`);
		expect(result.stderr).toContain(
			'1 envelope also opens under another key and stays readable: two-keys.txt.kms',
		);
		expect(result.stderr).toMatch(
			new RegExp(`Aliases pointing at it, left on a key that cannot be used: .*${handMade}`),
		);
		expect(result.stderr).toMatch(
			name === 'moto'
				? /Last used: not reported: this endpoint does not implement GetKeyLastUsage\./
				: /Last used: (GenerateDataKey|Encrypt) on \d{4}-\d\d-\d\d/,
		);
		expect(result.stderr).toContain('--disable to disable the key first');
		const key = await kms(['key', '--key', stackAlias, '--json']);
		expect(JSON.parse(key.stdout).key.state).toBe('Enabled');
	});

	it.skipIf(!hasScript)('on a terminal, the prompt offers to disable the key instead', async () => {
		const target = ['--endpoint-url', endpoint, '--region', 'us-east-1', '--stack-name', stack];
		const answered = await inTerminal([...target, 'delete-key', '--key', stackAlias], 'disable\n', {
			env,
			cwd: path.join(work, 'data'),
		});
		expect(answered.output).toContain('AWS advises disabling the key first');
		expect(answered.output).toContain(`Type ${stackAlias} to schedule the deletion, or disable`);
		expect(answered.code, answered.output).toBe(0);
		expect(answered.output).toContain('is now Disabled');
		const key = await kms(['key', '--key', stackAlias, '--json']);
		expect(JSON.parse(key.stdout).key.state).toBe('Disabled');
		expect((await kms(['delete-key', '--enable', '--key', stackAlias])).code).toBe(0);
	});

	it('--disable first, reversible with --enable', async () => {
		const disabled = await kms(['delete-key', '--disable', '--key', stackAlias]);
		expect(disabled.code, disabled.stderr).toBe(0);
		expect(disabled.stdout).toContain('is now Disabled');
		expect(disabled.stdout).toContain('kms-tui delete-key --enable');
		const enabled = await kms(['delete-key', '--enable', '--key', stackAlias, '--json']);
		expect(enabled.code, enabled.stderr).toBe(0);
		expect(JSON.parse(enabled.stdout)).toMatchObject({state: 'Enabled', enabled: true});
		const both = await kms(['delete-key', '--disable', '--days', '7']);
		expect(both.code).toBe(2);
	});

	it('delete-key --json --yes carries the impact (other key, --scan DIR)', async () => {
		const result = await kms([
			'delete-key',
			'--key',
			otherKeyArn,
			'--scan',
			'data',
			'--json',
			'--yes',
			'--days',
			'7',
		]);
		expect(result.code, result.stderr).toBe(0);
		const document = JSON.parse(result.stdout) as {keyId: string; impact: Impact};
		expect(document.impact.unreadable).toEqual(['data/not-mine.txt.kms']);
		expect(document.impact.alsoOpenElsewhere).toEqual(['data/two-keys.txt.kms']);
		expect(document.impact.aliases).toEqual([]);
		expect(document.impact.lastUsage.isReported).toBe(name === 'sandbox');
		if (name === 'moto') expect(document.impact.lastUsage.reason).toContain('GetKeyLastUsage');
	});

	it('destroy warns of the hand-made alias only, then comments out .env byte for byte', async () => {
		const outputs = await kms(['outputs', '--write-env']);
		expect(outputs.code, outputs.stderr).toBe(0);
		const written = await readFile(path.join(work, '.env'), 'utf8');
		const before = `${written}# mine\r\nKMS_KEY_ID=someone-else\r\nOTHER=1 # kept\r\n`;
		await writeFile(path.join(work, '.env'), before);

		const result = await kms(['destroy', '--yes', '--scan', 'data', '--json']);
		expect(result.code, result.stderr).toBe(0);
		const document = JSON.parse(result.stdout) as {
			impact: Impact;
			envCleanup: {done: boolean; backupPath: string; variables: {name: string}[]};
		};
		expect(document.impact.danglingAliases).toEqual([handMade]);
		expect(document.impact.aliases.sort()).toEqual([stackAlias, handMade].sort());
		expect(document.impact.unreadable).toHaveLength(3);
		expect(document.envCleanup.done).toBe(true);
		expect(document.envCleanup.variables.map((variable) => variable.name)).toEqual([
			'KMS_KEY_ID',
			'KMS_KEY_ARN',
			'KMS_KEY_ALIAS',
		]);

		const lines = written.split('\n');
		const expected = `${lines
			.map((line) =>
				/^KMS_KEY_(ID|ARN|ALIAS)=/.test(line)
					? `${line.startsWith('KMS_KEY_ID=') ? '# kms-tui destroy: the key named below was deleted with its stack\n' : ''}# ${line}`
					: line,
			)
			.join('\n')}# mine\r\nKMS_KEY_ID=someone-else\r\nOTHER=1 # kept\r\n`;
		expect(await readFile(path.join(work, '.env'), 'utf8')).toBe(expected);
		expect(await readFile(path.join(work, '.env.bak'), 'utf8')).toBe(before);
	});

	it('once the stack is gone: destroy fails as before; --env-cleanup alone finds nothing left', async () => {
		const result = await kms(['destroy']);
		// The stack is gone now: the usual "no such stack" failure, no clean-up attempted.
		expect(result.code).not.toBe(0);
		const clean = await kms(['destroy', '--env-cleanup', 'remove', '--json']);
		expect(clean.code, clean.stderr).toBe(0);
		// Already commented out, and KMS_KEY_ID=someone-else is no key id: nothing to clean.
		expect(JSON.parse(clean.stdout)).toEqual({envCleanup: null});
	});
});
