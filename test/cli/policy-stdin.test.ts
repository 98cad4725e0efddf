/**
 * `kms-tui policy put -`: the policy read from standard input (piped into the built CLI as a
 * process), on the embedded sandbox. The same validation, change and lockout check as for a
 * file; standard input cannot take the typed confirmation as well, so `-` needs --yes — on a
 * pipe and on a real terminal (tmux) alike.
 */
import {spawn} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, GetKeyPolicyCommand, type KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';
import {policyOf, rootAll, rootReadOnly, sandboxRoot} from '../helpers/policies.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';
import {hasTmux, openTerminal} from '../helpers/tmux.js';

if (!hasTmux) console.warn('[policy stdin] terminal case skipped: tmux is not installed');

let work: string;
let env: NodeJS.ProcessEnv;
let sandbox: TestSandbox;
let kms: KMSClient;
const reader = {
	Sid: 'Reader',
	Effect: 'Allow',
	Principal: {AWS: 'arn:aws:iam::000000000000:role/Reader'},
	Action: 'kms:Decrypt',
	Resource: '*',
};

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-cli-policy-stdin-'));
	env = cleanEnv(work);
	sandbox = await startTestSandbox({dir: path.join(work, 'sandbox')});
	kms = sandbox.kms();
});
afterAll(async () => {
	await sandbox.close();
	await rm(work, {recursive: true, force: true});
});

const sandboxFlags = () => ['--sandbox', '--sandbox-dir', path.join(work, 'sandbox')];
/** The built CLI with `input` piped into its standard input. */
const piped = (input: string, ...args: string[]) =>
	runCli([...sandboxFlags(), ...args], {env, cwd: work, input});

/**
 * As `piped`, for input larger than the CLI reads: the write to its standard input may fail with
 * EPIPE once it stops reading, which runCli does not expect; that error is returned, not thrown.
 */
function pipedStream(input: string, ...args: string[]) {
	return new Promise<{code: number | null; stderr: string; stdinError?: string}>(
		(resolve, reject) => {
			const child = spawn(cliNode, [cliPath, ...sandboxFlags(), ...args], {cwd: work, env});
			let stderr = '';
			let stdinError: string | undefined;
			child.stderr.on('data', (chunk: Buffer) => {
				stderr += chunk.toString();
			});
			child.stdout.resume();
			child.stdin.on('error', (error: NodeJS.ErrnoException) => {
				stdinError = error.code;
			});
			child.once('error', reject);
			child.once('close', (code) => resolve({code, stderr, stdinError}));
			child.stdin.end(input);
		},
	);
}

async function newKey(): Promise<string> {
	const {KeyMetadata} = await kms.send(new CreateKeyCommand({}));
	return KeyMetadata?.KeyId as string;
}

const policyNow = async (keyId: string) =>
	(await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy;

async function file(name: string, text: string): Promise<string> {
	const where = path.join(work, name);
	await writeFile(where, text);
	return where;
}

describe('kms-tui policy put - on the sandbox', () => {
	it('reads the policy from standard input, shows the change as for a file, and replaces it', async () => {
		const viaFile = await newKey();
		const viaStdin = await newKey();
		const text = policyOf(rootAll, reader);
		const fromFile = await piped(
			'',
			'policy',
			'put',
			await file('next.json', text),
			'--key',
			viaFile,
			'--yes',
		);
		expect(fromFile.code, fromFile.stderr).toBe(0);
		const fromStdin = await piped(text, 'policy', 'put', '-', '--key', viaStdin, '--yes');
		expect(fromStdin.code, fromStdin.stderr).toBe(0);
		expect(fromStdin.stdout).toContain(`New key policy for ${viaStdin} from standard input`);
		expect(fromStdin.stdout).toContain('1 statement unchanged, 1 added, 0 removed.');
		expect(fromStdin.stdout).toContain('+ added 2. Allow "Reader"');
		expect(fromStdin.stdout).toContain(`Key policy of ${viaStdin} replaced.`);
		// Word for word what the file gave, but for the key and where the policy came from.
		expect(
			fromStdin.stdout.replaceAll(viaStdin, 'KEY').replace('from standard input', 'from SOURCE'),
		).toBe(
			fromFile.stdout
				.replaceAll(viaFile, 'KEY')
				.replace(`from ${path.join(work, 'next.json')}`, 'from SOURCE'),
		);
		expect(await policyNow(viaStdin)).toBe(text);

		// --json: the document on stdout, the change on stderr; the same policy again is no change.
		const again = await piped(text, 'policy', 'put', '-', '--key', viaStdin, '--yes', '--json');
		expect(again.code, again.stderr).toBe(0);
		expect(JSON.parse(again.stdout)).toEqual({keyArn: expect.any(String), replaced: false});
		const json = await piped(
			policyOf(rootAll),
			'policy',
			'put',
			'-',
			'--key',
			viaStdin,
			'--yes',
			'--json',
		);
		expect(json.code, json.stderr).toBe(0);
		expect(JSON.parse(json.stdout)).toMatchObject({replaced: true, removed: [{sid: 'Reader'}]});
		expect(json.stderr).toContain('- removed 2. Allow "Reader"');
	});

	it('without --yes: a usage error (exit 2) that says - needs it, before anything is read or changed', async () => {
		const keyId = await newKey();
		const before = await policyNow(keyId);
		const result = await piped(policyOf(rootAll, reader), 'policy', 'put', '-', '--key', keyId);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(
			'policy put - reads the policy from standard input, so there is nothing left to type the confirmation on: add --yes',
		);
		expect(result.stdout).toBe('');
		expect(await policyNow(keyId)).toBe(before);
	});

	it('refuses what a file is refused for: not JSON, empty, over 32 KB, not a policy, a lockout', async () => {
		const keyId = await newKey();
		const before = await policyNow(keyId);
		const big = policyOf({...rootAll, Sid: 'x'.repeat(33 * 1024)});
		const cases: Array<[string, string]> = [
			['{"Version": ', 'standard input: The policy is not valid JSON'],
			['', 'standard input: The policy is not valid JSON'],
			[
				big,
				`standard input: The policy is ${Buffer.byteLength(big)} bytes; KMS allows at most 32768 (32 KB).`,
			],
			[
				JSON.stringify({Statement: {Effect: 'Allow', Action: 'kms:*', Resource: '*'}}),
				'standard input is not a valid key policy; nothing was changed:\n  - The policy has no Version',
			],
			[
				rootReadOnly,
				`Refused: No statement allows the account root (${sandboxRoot}) kms:PutKeyPolicy, so once this policy is in place nobody could change it again.`,
			],
		];
		for (const [text, message] of cases) {
			const result = await piped(text, 'policy', 'put', '-', '--key', keyId, '--yes');
			expect(result.code, message).toBe(1);
			expect(result.stderr).toContain(message);
			expect(result.stderr).not.toContain('unexpected');
		}
		// Standard input far over any policy is not read to its end: kms-tui stops reading, and
		// the writer here sees the pipe closed (EPIPE), as `yes | kms-tui policy put - --yes` would.
		const huge = await pipedStream(
			'x'.repeat(16 * 1024 * 1024),
			'policy',
			'put',
			'-',
			'--key',
			keyId,
			'--yes',
		);
		expect(huge.code).toBe(1);
		expect(huge.stderr).toContain(
			'Standard input holds more than 1048576 bytes; a key policy is at most 32768 (32 KB).',
		);
		expect(huge.stdinError).toBe('EPIPE');
		expect(await policyNow(keyId)).toBe(before);

		// The lockout bypass works from standard input too.
		const forced = await piped(
			rootReadOnly,
			'policy',
			'put',
			'-',
			'--key',
			keyId,
			'--yes',
			'--bypass-lockout-check',
		);
		expect(forced.code, forced.stderr).toBe(0);
		expect(forced.stdout).toContain('! LOCKOUT: No statement allows the account root');
		expect(await policyNow(keyId)).toBe(rootReadOnly);
	});

	it.runIf(hasTmux)('on a terminal, - --yes reads what is pasted up to Ctrl-D', async () => {
		const keyId = await newKey();
		const text = JSON.stringify({Version: '2012-10-17', Statement: [rootAll, reader]});
		const terminal = await openTerminal(
			`sh -c '${cliNode} ${cliPath} ${sandboxFlags().join(' ')} policy put - --key ${keyId} --yes; echo "exit status $?"; cat'`,
			{cwd: work, env, width: 200, height: 40},
		);
		try {
			await terminal.waitFor('press Ctrl-D on an empty line');
			await terminal.paste(text, '"Reader"');
			// Enter ends the line (the screen does not change), Ctrl-D on the empty line after it ends the input.
			const screen = await terminal.burst(['Enter', 'C-d'], 'exit status');
			expect(screen).toContain('+ added 2. Allow "Reader"');
			expect(screen).toContain(`Key policy of ${keyId} replaced.`);
			expect(screen).toContain('exit status 0');
		} finally {
			await terminal.close();
		}
		expect(JSON.parse((await policyNow(keyId)) as string)).toEqual(JSON.parse(text));
	});

	it.runIf(hasTmux)('on a terminal too, - without --yes is a usage error', async () => {
		const keyId = await newKey();
		const before = await policyNow(keyId);
		const terminal = await openTerminal(
			`sh -c '${cliNode} ${cliPath} ${sandboxFlags().join(' ')} policy put - --key ${keyId}; echo "exit status $?"; cat'`,
			{cwd: work, env, width: 120, height: 30},
		);
		try {
			const screen = await terminal.waitFor('exit status');
			expect(screen).toContain('policy put - reads the policy from standard input');
			expect(screen).toContain('exit status 2');
		} finally {
			await terminal.close();
		}
		expect(await policyNow(keyId)).toBe(before);
	});
});
