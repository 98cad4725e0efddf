/**
 * `kms-tui policy put FILE` on a real terminal (tmux): the change is shown, then the key's alias
 * must be typed; anything else leaves the policy as it was.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {
	CreateAliasCommand,
	CreateKeyCommand,
	GetKeyPolicyCommand,
	type KMSClient,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliNode, cliPath} from '../helpers/cli.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';
import {hasTmux, openTerminal} from '../helpers/tmux.js';

if (!hasTmux) console.warn('[policy confirm] skipped: tmux is not installed');

describe.runIf(hasTmux)('policy put asks for the alias on a terminal', () => {
	let work: string;
	let sandbox: TestSandbox;
	let kms: KMSClient;
	let file: string;

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-policy-tty-'));
		sandbox = await startTestSandbox({dir: path.join(work, 'sandbox')});
		kms = sandbox.kms();
		file = path.join(work, 'next.json');
		await writeFile(
			file,
			JSON.stringify({
				Version: '2012-10-17',
				Statement: [
					{
						Sid: 'Root',
						Effect: 'Allow',
						Principal: {AWS: 'arn:aws:iam::000000000000:root'},
						Action: 'kms:*',
						Resource: '*',
					},
					{
						Sid: 'Reader',
						Effect: 'Allow',
						Principal: {AWS: 'arn:aws:iam::000000000000:role/Reader'},
						Action: 'kms:Decrypt',
						Resource: '*',
					},
				],
			}),
		);
	});
	afterAll(async () => {
		await sandbox.close();
		await rm(work, {recursive: true, force: true});
	});

	async function aliasedKey(alias: string): Promise<string> {
		const {KeyMetadata} = await kms.send(new CreateKeyCommand({}));
		const keyId = KeyMetadata?.KeyId as string;
		await kms.send(new CreateAliasCommand({AliasName: alias, TargetKeyId: keyId}));
		return keyId;
	}

	async function put(keyId: string, answer: string): Promise<string> {
		// The shell stays after kms-tui exits, so its last words and exit status stay on screen.
		const terminal = await openTerminal(
			`sh -c '${cliNode} ${cliPath} --sandbox --sandbox-dir ${path.join(work, 'sandbox')} policy put ${file} --key ${keyId}; echo "exit status $?"; cat'`,
			{cwd: work, env: cleanEnv(work), width: 120, height: 40},
		);
		try {
			const asked = await terminal.waitFor('to replace the key policy:');
			expect(asked).toContain('+ added 2. Allow "Reader"');
			expect(asked).toContain('Type alias/policy-');
			await terminal.type(answer);
			await terminal.press('Enter', 'exit status');
			return await terminal.screen();
		} finally {
			await terminal.close();
		}
	}

	it('a wrong answer changes nothing; the alias replaces the policy', async () => {
		const keyId = await aliasedKey('alias/policy-confirm');
		const {Policy: before} = await kms.send(new GetKeyPolicyCommand({KeyId: keyId}));
		const refused = await put(keyId, 'yes');
		expect(refused).toContain('Not confirmed; the key policy was left as it was.');
		expect(refused).toContain('exit status 1');
		expect((await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy).toBe(before);

		const done = await put(keyId, 'alias/policy-confirm');
		expect(done).toContain(`Key policy of ${keyId} replaced.`);
		expect(done).toContain('exit status 0');
		const {Policy} = await kms.send(new GetKeyPolicyCommand({KeyId: keyId}));
		expect(JSON.parse(Policy as string).Statement[1].Sid).toBe('Reader');
	});
});
