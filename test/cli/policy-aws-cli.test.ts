/**
 * The real AWS CLI against `kms-tui sandbox serve`: `aws kms put-key-policy` and `create-key
 * --policy` meet the policy lockout safety check as on AWS, and
 * --bypass-policy-lockout-safety-check goes past it.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {awsCliEnv, hasAwsCli, runAwsCli} from '../helpers/aws-cli.js';
import {type ServedSandbox, serveSandbox} from '../helpers/serve.js';

if (!hasAwsCli)
	console.warn('[policy aws-cli] skipped: the `aws` command is not installed on this machine');

const locked = JSON.stringify({
	Version: '2012-10-17',
	Statement: [
		{
			Effect: 'Allow',
			Principal: {AWS: 'arn:aws:iam::000000000000:root'},
			Action: ['kms:Describe*', 'kms:Get*'],
			Resource: '*',
		},
	],
});

describe.runIf(hasAwsCli)('aws kms put-key-policy against kms-tui sandbox serve', () => {
	let dir: string;
	let served: ServedSandbox;
	let env: NodeJS.ProcessEnv;

	const aws = (...args: string[]) => runAwsCli(served.endpoint, env, args);

	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-policy-awscli-'));
		served = await serveSandbox(path.join(dir, 'state'), dir);
		env = awsCliEnv(dir);
	});
	afterAll(async () => {
		await served?.stop();
		await rm(dir, {recursive: true, force: true});
	});

	it('refuses a lockout with AWS’s exception and message, and takes it when bypassed', async () => {
		const created = await aws('kms', 'create-key');
		expect(created.code, created.stderr).toBe(0);
		const keyId = JSON.parse(created.stdout).KeyMetadata.KeyId as string;

		const refused = await aws(
			'kms',
			'put-key-policy',
			'--key-id',
			keyId,
			'--policy-name',
			'default',
			'--policy',
			locked,
		);
		expect(refused.code).not.toBe(0);
		expect(refused.stderr).toContain(
			'An error occurred (MalformedPolicyDocumentException) when calling the PutKeyPolicy operation: The new key policy will not allow you to update the key policy in the future.',
		);
		const kept = await aws('kms', 'get-key-policy', '--key-id', keyId, '--policy-name', 'default');
		expect(JSON.parse(JSON.parse(kept.stdout).Policy).Statement[0].Action).toBe('kms:*');

		const bypassed = await aws(
			'kms',
			'put-key-policy',
			'--key-id',
			keyId,
			'--policy',
			locked,
			'--bypass-policy-lockout-safety-check',
		);
		expect(bypassed.code, bypassed.stderr).toBe(0);
		const now = await aws('kms', 'get-key-policy', '--key-id', keyId, '--policy-name', 'default');
		expect(JSON.parse(now.stdout).Policy).toBe(locked);
	});

	it('create-key --policy runs the same check', async () => {
		const refused = await aws('kms', 'create-key', '--policy', locked);
		expect(refused.code).not.toBe(0);
		expect(refused.stderr).toContain(
			'(MalformedPolicyDocumentException) when calling the CreateKey operation: The new key policy will not allow you to update the key policy in the future.',
		);
		const bypassed = await aws(
			'kms',
			'create-key',
			'--policy',
			locked,
			'--bypass-policy-lockout-safety-check',
		);
		expect(bypassed.code, bypassed.stderr).toBe(0);
	});
});
