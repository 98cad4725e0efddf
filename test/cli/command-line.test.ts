/**
 * The command line through the built CLI: each command takes its own flags and refuses the
 * others', every mistake is a usage error (exit 2) that says what happened and what to do, and
 * none of them loads the AWS SDK or starts a sandbox.
 */
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {commands} from '../../source/commands/commands-table.js';
import {parseCommandLine} from '../../source/commands/registry.js';
import {defaultPendingWindowDays} from '../../source/service/validation.js';
import {type SessionContext, sessionFlags} from '../../source/session-context.js';
import {type CliResult, cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let work: string;
/** For usage errors: a sandbox directory and an SDK cache that must never come to exist. */
let env: NodeJS.ProcessEnv;
const sandboxDir = () => path.join(work, 'untouched-sandbox');
const cacheDir = () => path.join(work, 'untouched-cache');
/**
 * The SDK code caches a command made (one per client it loaded). Node 22's module compile cache
 * (source/entry.ts) is made by every command, so only these say whether the SDK was loaded.
 */
const sdkCacheFiles = () => {
	const dir = path.join(cacheDir(), 'kms-tui');
	return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.v8cache')) : [];
};
const kms = (...args: string[]) =>
	runCli(['--sandbox', '--sandbox-dir', sandboxDir(), ...args], {env, cwd: work});
/** For commands that do run: their own sandbox and cache. */
const liveDir = () => path.join(work, 'sandbox');
const live = (...args: string[]) =>
	runCli(['--sandbox', '--sandbox-dir', liveDir(), ...args], {
		env: {...env, XDG_CACHE_HOME: path.join(work, 'cache')},
		cwd: work,
	});

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-command-line-'));
	env = cleanEnv(work, {XDG_CACHE_HOME: cacheDir()});
});
afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

/** A usage error: exit 2, the message on stderr, nothing on stdout, no SDK loaded, no sandbox. */
async function usageError(args: string[], message: string): Promise<string> {
	const result = await kms(...args);
	expect(result.code, result.stderr).toBe(2);
	expect(result.stdout).toBe('');
	expect(result.stderr).toContain(`kms-tui: ${message}`);
	expect(result.stderr).not.toMatch(/NaN|unexpected failure| {4}at /);
	// Loading the SDK writes its code cache; opening the sandbox creates its directory.
	expect(sdkCacheFiles()).toEqual([]);
	expect(existsSync(sandboxDir())).toBe(false);
	return result.stderr;
}

describe('flags belong to commands', () => {
	it('refuses a flag of another command and names the commands that take it', async () => {
		const stderr = await usageError(
			['inspect', 'f.kms', '--days', '3'],
			'--days is not an option of inspect (it belongs to delete-key)',
		);
		expect(stderr).toContain('kms-tui inspect --help');
		await usageError(
			['inspect', 'f.kms', '--port', '9', '--days', '3', '--cancel'],
			'--port is not an option of inspect (it belongs to sandbox serve)',
		);
		await usageError(
			['rotation', 'status', '--period', '100'],
			'--period is not an option of rotation status (it belongs to rotation enable)',
		);
		await usageError(['decrypt', 'f.kms', '--key', 'alias/x'], '--key is not an option of decrypt');
		await usageError(['inspect', 'f.kms', '--yes'], '--yes is not an option of inspect');
	});

	it('suggests the nearest flag, command and action', async () => {
		await usageError(['inspect', 'f.kms', '--jsn'], 'unknown flag --jsn (did you mean --json?)');
		await usageError(['encrpyt', 'f'], 'unknown command "encrpyt" (did you mean encrypt?)');
		await usageError(
			['rotation', 'enabel'],
			'unknown rotation action "enabel" (did you mean enable?)',
		);
		await usageError(['--zzz'], 'unknown flag --zzz\n');
	});

	it('checks numbers and choices', async () => {
		const stderr = await usageError(
			['rotation', 'enable', '--period', 'abc'],
			'--period: "abc" is not a number',
		);
		expect(stderr).toContain('e.g. --period 180');
		await usageError(['delete-key', '--days', '7.5'], '--days: "7.5" is not a whole number');
		await usageError(['sandbox', 'serve', '--port', '99999'], '--port: 99999 is out of range');
		await usageError(
			['encrypt', 'f', '--format', 'xml'],
			'--format must be binary or json or esdk, not "xml"',
		);
		await usageError(['--json=1', 'key'], '--json is a switch and takes no value');
	});

	it('says when a flag is missing its value', async () => {
		await usageError(['encrypt', 'f', '-o'], '-o needs a path.');
		await usageError(['encrypt', 'f', '-o', ''], '-o needs a path (got an empty one).');
		await usageError(
			['decrypt', 'f.kms', '--output='],
			'--output needs a path (got an empty one).',
		);
		await usageError(['encrypt', 'f', '--key', '--json'], '--key needs a key id, ARN or alias');
		await usageError(['encrypt', 'f', '--context'], '--context needs KEY=VALUE.');
		// Only encrypt takes several keys (each one wraps the data key); elsewhere it is one key.
		await usageError(['key', '--key', 'a', '--key', 'b'], '--key is given 2 different values');
	});

	it('checks positionals and actions', async () => {
		await usageError(['inspect'], 'Name the file to inspect');
		// inspect, encrypt and decrypt take several files (test/cli/batch.test.ts).
		await usageError(['alias', 'create', 'a', 'b'], 'alias create takes one alias/NAME; got 2');
		await usageError(['destroy', 'now'], 'destroy takes no arguments (got "now")');
		await usageError(['alias', 'create'], 'Name the alias: kms-tui alias create alias/NAME');
		await usageError(['sandbox'], 'Name a sandbox action: serve, status, reset or advance.');
	});

	it('escapes what it echoes back', async () => {
		const stderr = await usageError(['\u001b]0;owned\u0007'], 'unknown command');
		expect(stderr).not.toContain('\u001b');
	});
});

describe('--context and --param are stored exactly', () => {
	it('refuses a repeated name and an empty value', async () => {
		await usageError(
			['encrypt', 'f', '--context', 'a=1', '--context', 'a=2'],
			'--context a is given twice (a=1 and a=2): give each name once.',
		);
		await usageError(['encrypt', 'f', '--context', 'a='], '--context a= has an empty value');
		await usageError(
			['decrypt', 'f.kms', '--context', '=x'],
			'--context expects KEY=VALUE, got "=x"',
		);
		await usageError(['deploy', '--param', 'A=1', '--param', 'A=1'], '--param A is given twice');
		await usageError(['deploy', '--param', 'AliasName='], '--param AliasName= has an empty value');
	});

	it('keeps __proto__ and constructor in the header, and decrypt checks them', async () => {
		const deployed = await live('deploy', '--yes');
		expect(deployed.code, deployed.stderr).toBe(0);
		await writeFile(path.join(work, 'proto.txt'), 'hello');
		const args = ['--context', '__proto__=x', '--context', 'constructor=y'];
		const encrypted = await live('encrypt', 'proto.txt', ...args);
		expect(encrypted.code, encrypted.stderr).toBe(0);
		const inspected = await live('inspect', 'proto.txt.kms', '--json');
		expect(inspected.stdout).toContain('"__proto__": "x"');
		expect(JSON.parse(inspected.stdout).encryptionContext).toEqual(
			JSON.parse('{"__proto__": "x", "constructor": "y"}'),
		);
		const wrong = await live(
			'decrypt',
			'proto.txt.kms',
			'-o',
			'wrong.txt',
			'--context',
			'__proto__=z',
		);
		expect(wrong.code).toBe(1);
		expect(wrong.stderr).toContain('does not contain __proto__=z');
		expect(existsSync(path.join(work, 'wrong.txt'))).toBe(false);
		const right = await live(
			'decrypt',
			'proto.txt.kms',
			'-o',
			'right.txt',
			'--context',
			'__proto__=x',
		);
		expect(right.code, right.stderr).toBe(0);
		expect(await readFile(path.join(work, 'right.txt'), 'utf8')).toBe('hello');
	});
});

describe('the sandbox binds a __proto__ context name like any other', () => {
	let sandbox: TestSandbox;
	beforeAll(async () => {
		sandbox = await startTestSandbox();
	});
	afterAll(async () => {
		await sandbox.close();
	});

	it('refuses to decrypt without it', async () => {
		const client = sandbox.kms();
		const {KeyMetadata} = await client.send(new CreateKeyCommand({}));
		const context = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
		const key = await client.send(
			new GenerateDataKeyCommand({
				KeyId: KeyMetadata?.KeyId,
				KeySpec: 'AES_256',
				EncryptionContext: context,
			}),
		);
		await expect(
			client.send(new DecryptCommand({CiphertextBlob: key.CiphertextBlob})),
		).rejects.toMatchObject({name: 'InvalidCiphertextException'});
		const back = await client.send(
			new DecryptCommand({CiphertextBlob: key.CiphertextBlob, EncryptionContext: context}),
		);
		expect(Buffer.from(back.Plaintext ?? []).equals(Buffer.from(key.Plaintext ?? []))).toBe(true);
	});
});

describe('help and version', () => {
	it('prints the version for -V and --version, and lists --version in --help', async () => {
		const version = JSON.parse(await readFile('package.json', 'utf8')).version as string;
		for (const flag of ['-V', '--version']) {
			const result = await runCli([flag], {env, cwd: work});
			expect(result.code).toBe(0);
			expect(result.stdout).toBe(`${version}\n`);
		}
		const help = await runCli(['--help'], {env, cwd: work});
		expect(help.code).toBe(0);
		expect(help.stdout).toMatch(/--version, -V\s+Print the version/);
		expect(help.stdout).toContain('rotation status|enable|disable|rotate-now|history');
	});

	it('shows each command its own flags, with the one deletion default', async () => {
		const help = await runCli(['delete-key', '--help'], {env, cwd: work});
		expect(help.code).toBe(0);
		expect(help.stdout).toMatch(/--days DAYS\s+Days KMS waits before deleting, 7–30/);
		expect(help.stdout).toContain(`(default ${defaultPendingWindowDays} days)`);
		expect(help.stdout).toMatch(/--yes, -y/);
		expect(help.stdout).not.toContain('--period');
		const rotation = await runCli(['help', 'rotation'], {env, cwd: work});
		expect(rotation.stdout).toMatch(/--period DAYS .*; rotation enable only/);
		expect(rotation.stdout).toContain('$ kms-tui rotation enable --period 180');
		// Help wins over the rest of the line, as in git and cobra.
		expect((await runCli(['inspect', '--days', '3', '--help'], {env, cwd: work})).code).toBe(0);
		expect(sdkCacheFiles()).toEqual([]);
	});
});

/** Runs the built CLI with a pseudo-terminal as stdin (util-linux `script`), typing `input`. */
const hasScript = spawnSync('script', ['--version']).status === 0;
async function inTerminal(args: string[], input: string) {
	const quoted = [cliNode, cliPath, '--sandbox', '--sandbox-dir', liveDir(), ...args]
		.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`)
		.join(' ');
	// The terminal's output (prompt and stderr alike) comes back on script's stdout.
	return new Promise<CliResult>((resolve, reject) => {
		const child = spawn('script', ['-qec', quoted, '/dev/null'], {
			env: {...env, XDG_CACHE_HOME: path.join(work, 'cache')},
			cwd: work,
		});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
		});
		child.once('error', reject);
		child.once('close', (code) => resolve({code, stdout, stderr: ''}));
		// The terminal holds what is typed until the prompt reads it.
		child.stdin.end(input);
	});
}

describe('rotation rotate-now asks first (1 of 25 for the key’s life)', () => {
	const onDemand = async () =>
		JSON.parse((await live('rotation', 'history', '--json')).stdout).rotations.filter(
			(record: {type: string}) => record.type === 'ON_DEMAND',
		).length;

	it('refuses without a terminal unless --yes, and rotates with it', async () => {
		const deployed = await live('deploy', '--yes');
		expect(deployed.code, deployed.stderr).toBe(0);
		const refused = await live('rotation', 'rotate-now');
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain('no terminal to confirm on: add --yes');
		expect(await onDemand()).toBe(0);
		const rotated = await live('rotation', 'rotate-now', '--yes');
		expect(rotated.code, rotated.stderr).toBe(0);
		expect(rotated.stdout).toContain('24 of 25 on-demand rotations left');
		expect(await onDemand()).toBe(1);
	});

	it.skipIf(!hasScript)('asks on a terminal, and a "no" rotates nothing', async () => {
		const declined = await inTerminal(['rotation', 'rotate-now'], 'n\n');
		expect(declined.stdout).toContain('on-demand rotations for the key');
		expect(declined.stdout).toContain('(24 left). [y/N]');
		expect(declined.stdout).toContain('Not confirmed; the key was not rotated.');
		expect(declined.code).toBe(1);
		expect(await onDemand()).toBe(1);
		const accepted = await inTerminal(['rotation', 'rotate-now'], 'y\n');
		expect(accepted.code, accepted.stdout).toBe(0);
		expect(await onDemand()).toBe(2);
	});
});

describe('one deletion window', () => {
	it(`schedules ${defaultPendingWindowDays} days when --days is not given`, async () => {
		const scheduled = await live('delete-key', '--yes', '--json');
		expect(scheduled.code, scheduled.stderr).toBe(0);
		const days = (Date.parse(JSON.parse(scheduled.stdout).deletionDate) - Date.now()) / 86_400_000;
		expect(Math.round(days)).toBe(defaultPendingWindowDays);
		expect((await live('delete-key', '--cancel', '--enable')).code).toBe(0);
	});
});

describe('failures map to exit statuses by type', () => {
	it('exits 1 with the message for sandbox-state, envelope and .env failures', async () => {
		const badDir = path.join(work, 'bad-sandbox');
		await mkdir(badDir);
		await writeFile(path.join(badDir, 'state.json'), '{"not": "sandbox state"}');
		const state = await runCli(['--sandbox', '--sandbox-dir', badDir, 'key', '--key', 'alias/x'], {
			env,
			cwd: work,
		});
		expect(state.code).toBe(1);
		expect(state.stderr).toMatch(/kms-tui: .*state/);
		expect(state.stderr).not.toContain('unexpected failure');

		await writeFile(path.join(work, 'plain.txt'), 'not an envelope');
		const envelope = await kms('inspect', 'plain.txt');
		expect(envelope.code).toBe(1);
		expect(envelope.stderr).toContain('not a valid kms-tui envelope');

		const notDotenv = path.join(work, 'passwd');
		await writeFile(notDotenv, 'root:x:0:0:root:/root:/bin/sh\n');
		const envFile = await live('outputs', '--write-env', '--env-file', notDotenv);
		expect(envFile.code).toBe(1);
		expect(envFile.stderr).not.toContain('unexpected failure');
		expect(await readFile(notDotenv, 'utf8')).toBe('root:x:0:0:root:/root:/bin/sh\n');
	});
});

describe('the TUI’s CLI hints parse', () => {
	it('adds --key, --stack-name and the target only where each command takes them', () => {
		const session: SessionContext = {
			target: {kind: 'sandbox', region: 'eu-west-1', sandboxDir: '/data/other'},
			defaultSandboxDir: '/data/kms-tui/sandbox',
			stackName: 'Other',
			envFile: 'other.env',
			cwd: '/work',
			readOnly: false,
			keyRef: 'alias/demo',
		};
		const examples: Record<string, string[]> = {
			encrypt: ['encrypt', 'f'],
			decrypt: ['decrypt', 'f.kms'],
			inspect: ['inspect', 'f.kms'],
			rewrap: ['rewrap', 'f.kms'],
			alias: ['alias', 'create', 'alias/x'],
			sandbox: ['sandbox', 'status'],
		};
		for (const {name} of commands) {
			const args = examples[name] ?? [name];
			const line = [...args, ...sessionFlags(session, args)];
			expect(() => parseCommandLine(line), line.join(' ')).not.toThrow();
		}
		expect(sessionFlags(session, ['decrypt', 'f.kms'])).not.toContain('--key');
		expect(sessionFlags(session, ['encrypt', 'f'])).toContain('--key');
		expect(sessionFlags(session, [])).toContain('--key');
	});
});
