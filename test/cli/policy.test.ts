/**
 * `kms-tui policy` and `policy put FILE` through the built CLI as a process: on the embedded
 * sandbox (whose state directory a test sandbox shares to create keys), and on moto's server
 * through --endpoint-url when it starts.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, GetKeyPolicyCommand, KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';
import {policyOf, rootAll, rootReadOnly, sandboxRoot} from '../helpers/policies.js';
import {dummyCredentials, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

const moto = await startMoto();
if ('skipped' in moto) console.warn(`[cli policy] moto skipped: ${moto.skipped}`);
const motoServer: MotoServer | undefined = 'server' in moto ? moto.server : undefined;

let work: string;
let env: NodeJS.ProcessEnv;
let sandbox: TestSandbox;
let kms: KMSClient;

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-cli-policy-'));
	env = cleanEnv(work);
	sandbox = await startTestSandbox({dir: path.join(work, 'sandbox')});
	kms = sandbox.kms();
});
afterAll(async () => {
	await sandbox.close();
	await motoServer?.close();
	await rm(work, {recursive: true, force: true});
});

const onSandbox = (...args: string[]) =>
	runCli(['--sandbox', '--sandbox-dir', path.join(work, 'sandbox'), ...args], {env, cwd: work});

async function newKey(client: KMSClient): Promise<string> {
	const {KeyMetadata} = await client.send(new CreateKeyCommand({}));
	return KeyMetadata?.KeyId as string;
}

async function file(name: string, text: string): Promise<string> {
	const where = path.join(work, name);
	await writeFile(where, text);
	return where;
}

describe('kms-tui policy on the sandbox', () => {
	it('shows the default policy explained, and the parsed policy with --json', async () => {
		const keyId = await newKey(kms);
		const shown = await onSandbox('policy', '--key', keyId);
		expect(shown.code, shown.stderr).toBe(0);
		expect(shown.stdout).toContain(`Key policy of ${keyId}`);
		expect(shown.stdout).toContain(
			'The default key policy (what KMS gives a key created without one)',
		);
		expect(shown.stdout).toContain(
			'1. Allow "Enable IAM User Permissions"\n   Allows the account 000000000000 (root: IAM policies decide who): every KMS action on this key.',
		);
		expect(shown.stdout).not.toContain('RISK');
		// NO_COLOR and a pipe: no escape sequence at all.
		expect(shown.stdout).not.toContain('\u001b');

		const json = await onSandbox('policy', 'show', '--key', keyId, '--json');
		expect(json.code, json.stderr).toBe(0);
		const document = JSON.parse(json.stdout);
		expect(document).toMatchObject({
			keyArn: `arn:aws:kms:us-east-1:000000000000:key/${keyId}`,
			policy: {Version: '2012-10-17', Id: 'key-default-1', Statement: [{Action: 'kms:*'}]},
			statements: [
				{
					sid: 'Enable IAM User Permissions',
					effect: 'Allow',
					explanation: expect.stringContaining('every KMS action on this key'),
					risks: [],
				},
			],
		});
	});

	it('put shows the change, flags the risks and replaces the policy', async () => {
		const keyId = await newKey(kms);
		const next = await file(
			'risky.json',
			policyOf(rootAll, {
				Sid: 'Anyone',
				Effect: 'Allow',
				Principal: {AWS: '*'},
				Action: 'kms:Decrypt',
				Resource: '*',
			}),
		);
		const put = await onSandbox('policy', 'put', next, '--key', keyId, '--yes');
		expect(put.code, put.stderr).toBe(0);
		// The root statement only changed its Sid: the same statement.
		expect(put.stdout).toContain('1 statement unchanged, 1 added, 0 removed.');
		expect(put.stdout).toContain('+ added 2. Allow "Anyone"');
		expect(put.stdout).toContain('! HIGH RISK: Principal "*" with no condition');
		expect(put.stdout).toContain(`Key policy of ${keyId} replaced.`);
		const {Policy} = await kms.send(new GetKeyPolicyCommand({KeyId: keyId}));
		expect(JSON.parse(Policy as string).Statement[1].Sid).toBe('Anyone');

		const shown = await onSandbox('policy', '--key', keyId);
		expect(shown.stdout).toContain(
			'2. Allow "Anyone"\n   Allows anyone (every AWS principal, in every account): Decrypt on this key.\n   ! HIGH RISK',
		);

		const same = await onSandbox('policy', 'put', next, '--key', keyId, '--yes', '--json');
		expect(same.code, same.stderr).toBe(0);
		expect(JSON.parse(same.stdout)).toEqual({keyArn: expect.any(String), replaced: false});
	});

	it('refuses a lockout with what would happen and what to do; --bypass-lockout-check goes ahead', async () => {
		const keyId = await newKey(kms);
		const {Policy: before} = await kms.send(new GetKeyPolicyCommand({KeyId: keyId}));
		const locked = await file('locked.json', rootReadOnly);
		const refused = await onSandbox('policy', 'put', locked, '--key', keyId, '--yes');
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain(
			`Refused: No statement allows the account root (${sandboxRoot}) kms:PutKeyPolicy, so once this policy is in place nobody could change it again.`,
		);
		expect(refused.stderr).toContain('--bypass-lockout-check');
		expect(refused.stderr).toContain('Nothing was changed.');
		expect((await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy).toBe(before);

		const forced = await onSandbox(
			'policy',
			'put',
			locked,
			'--key',
			keyId,
			'--yes',
			'--bypass-lockout-check',
			'--json',
		);
		expect(forced.code, forced.stderr).toBe(0);
		expect(forced.stderr).toContain('! LOCKOUT: No statement allows the account root');
		expect(JSON.parse(forced.stdout)).toMatchObject({replaced: true, bypassedLockoutCheck: true});
		expect((await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy).toBe(rootReadOnly);
	});

	it('refuses bad files before any change: not JSON, over 32 KB, not a policy, missing; and without --yes or a terminal', async () => {
		const keyId = await newKey(kms);
		const {Policy: before} = await kms.send(new GetKeyPolicyCommand({KeyId: keyId}));
		const cases: Array<[string, string, string]> = [
			['not-json.json', '{"Version": ', 'not-json.json: The policy is not valid JSON'],
			[
				'big.json',
				policyOf({...rootAll, Sid: 'x'.repeat(33 * 1024)}),
				'KMS allows at most 32768 (32 KB)',
			],
			[
				'shape.json',
				JSON.stringify({Statement: {Effect: 'Allow', Action: 'kms:*', Resource: '*'}}),
				'shape.json is not a valid key policy; nothing was changed:\n  - The policy has no Version: add "Version": "2012-10-17".\n  - Statement 1 has no Principal',
			],
		];
		for (const [name, text, message] of cases) {
			const result = await onSandbox(
				'policy',
				'put',
				await file(name, text),
				'--key',
				keyId,
				'--yes',
			);
			expect(result.code, name).toBe(1);
			expect(result.stderr).toContain(message);
		}
		const missing = await onSandbox(
			'policy',
			'put',
			path.join(work, 'nope.json'),
			'--key',
			keyId,
			'--yes',
		);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toContain('nope.json: no such file');
		const unasked = await onSandbox(
			'policy',
			'put',
			await file('ok.json', policyOf(rootAll)),
			'--key',
			keyId,
		);
		expect(unasked.code).toBe(2);
		expect(unasked.stderr).toContain('there is no terminal: add --yes');
		const readOnlyRun = await onSandbox(
			'--read-only',
			'policy',
			'put',
			path.join(work, 'ok.json'),
			'--key',
			keyId,
			'--yes',
		);
		expect(readOnlyRun.code).toBe(2);
		expect(readOnlyRun.stderr).toContain(
			'--read-only is set, so kms-tui will not replace the key policy',
		);
		expect((await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy).toBe(before);
	});

	it('shows untrusted policy text escaped', async () => {
		const keyId = await newKey(kms);
		const sid = 'Evil\u001b]0;pwned\u0007\u202e';
		await writeFile(
			path.join(work, 'evil.json'),
			policyOf(rootAll, {
				Sid: sid,
				Effect: 'Allow',
				Principal: {AWS: `arn:aws:iam::000000000000:role/x${sid}`},
				Action: 'kms:Decrypt',
				Resource: '*',
			}),
		);
		const put = await onSandbox(
			'policy',
			'put',
			path.join(work, 'evil.json'),
			'--key',
			keyId,
			'--yes',
		);
		expect(put.code, put.stderr).toBe(0);
		const shown = await onSandbox('policy', '--key', keyId);
		for (const output of [put.stdout, shown.stdout]) {
			expect(output).not.toContain('\u001b');
			expect(output).not.toContain('\u0007');
			expect(output).not.toContain('\u202e');
			expect(output).toContain('Evil\\e]0;pwned\\u{0007}\\u{202e}');
		}
	});
});

describe.runIf(motoServer)('kms-tui policy on moto', () => {
	let motoKms: KMSClient;
	beforeAll(() => {
		motoKms = new KMSClient({
			endpoint: motoServer?.endpoint,
			region: 'us-east-1',
			credentials: dummyCredentials,
		});
	});
	afterAll(() => motoKms.destroy());
	const onMoto = (...args: string[]) =>
		runCli(['--endpoint-url', motoServer?.endpoint as string, ...args], {env, cwd: work});

	it("shows moto's policy, refuses a lockout locally (moto would store it) and says what the endpoint lacks", async () => {
		const keyId = await newKey(motoKms);
		const shown = await onMoto('policy', '--key', keyId);
		expect(shown.code, shown.stderr).toBe(0);
		expect(shown.stdout).toContain('(root: IAM policies decide who): every KMS action on this key');
		const account = /:kms:[^:]+:(\d{12}):key\//.exec(shown.stdout)?.[1] as string;

		const locked = await file('moto-locked.json', rootReadOnly.replaceAll('000000000000', account));
		const refused = await onMoto('policy', 'put', locked, '--key', keyId, '--yes');
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain('Refused: No statement allows the account root');

		const good = await file(
			'moto-good.json',
			policyOf({...rootAll, Principal: {AWS: `arn:aws:iam::${account}:root`}, Sid: 'Root'}),
		);
		const put = await onMoto('policy', 'put', good, '--key', keyId, '--yes');
		expect(put.code, put.stderr).toBe(0);
		expect(put.stdout).toContain('This endpoint is not AWS: kms-tui ran the lockout check itself');
		const {Policy} = await motoKms.send(
			new GetKeyPolicyCommand({KeyId: keyId, PolicyName: 'default'}),
		);
		expect(JSON.parse(Policy as string).Statement[0].Sid).toBe('Root');
	});
});
