/**
 * The sandbox runs KMS's policy lockout safety check in PutKeyPolicy and CreateKey (through the
 * real SDK client): a policy that would stop the caller (the account root, in the sandbox)
 * from calling PutKeyPolicy again is MalformedPolicyDocumentException, unless bypassed.
 */
import {
	CreateKeyCommand,
	GetKeyPolicyCommand,
	type KMSClient,
	ListKeysCommand,
	PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createServices} from '../../source/service/index.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let kms: KMSClient;
const root = 'arn:aws:iam::000000000000:root';
const lockout = {
	name: 'MalformedPolicyDocumentException',
	message: 'The new key policy will not allow you to update the key policy in the future.',
};
const policyOf = (...Statement: unknown[]) => JSON.stringify({Version: '2012-10-17', Statement});
const readOnly = policyOf({
	Effect: 'Allow',
	Principal: {AWS: root},
	Action: ['kms:Describe*', 'kms:Get*', 'kms:Decrypt'],
	Resource: '*',
});

beforeAll(async () => {
	sandbox = await startTestSandbox();
	kms = sandbox.kms();
});
afterAll(async () => {
	await sandbox.close();
});

async function newKey(): Promise<string> {
	const {KeyMetadata} = await kms.send(new CreateKeyCommand({}));
	return KeyMetadata?.KeyId as string;
}

describe('the sandbox policy lockout safety check', () => {
	it('PutKeyPolicy refuses a policy without PutKeyPolicy for the root and keeps the old one', async () => {
		const keyId = await newKey();
		const {Policy: before} = await kms.send(new GetKeyPolicyCommand({KeyId: keyId}));
		await expect(
			kms.send(new PutKeyPolicyCommand({KeyId: keyId, PolicyName: 'default', Policy: readOnly})),
		).rejects.toMatchObject(lockout);
		// A Deny for everyone cancels the root's kms:*.
		await expect(
			kms.send(
				new PutKeyPolicyCommand({
					KeyId: keyId,
					Policy: policyOf(
						{Effect: 'Allow', Principal: {AWS: root}, Action: 'kms:*', Resource: '*'},
						{Effect: 'Deny', Principal: '*', Action: 'kms:Put*', Resource: '*'},
					),
				}),
			),
		).rejects.toMatchObject(lockout);
		expect((await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy).toBe(before);
	});

	it('accepts the bare account id and kms:Put*, and anything with BypassPolicyLockoutSafetyCheck', async () => {
		const keyId = await newKey();
		const allowed = policyOf({
			Effect: 'Allow',
			Principal: {AWS: '000000000000'},
			Action: ['kms:Put*', 'kms:Describe*'],
			Resource: '*',
		});
		await kms.send(new PutKeyPolicyCommand({KeyId: keyId, Policy: allowed}));
		expect((await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy).toBe(allowed);
		await kms.send(
			new PutKeyPolicyCommand({
				KeyId: keyId,
				Policy: readOnly,
				BypassPolicyLockoutSafetyCheck: true,
			}),
		);
		expect((await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy).toBe(readOnly);
	});

	it('CreateKey with such a Policy is refused the same way, and creates no key', async () => {
		const count = async () => (await kms.send(new ListKeysCommand({Limit: 1000}))).Keys?.length;
		const before = await count();
		await expect(kms.send(new CreateKeyCommand({Policy: readOnly}))).rejects.toMatchObject(lockout);
		expect(await count()).toBe(before);
		const {KeyMetadata} = await kms.send(
			new CreateKeyCommand({Policy: readOnly, BypassPolicyLockoutSafetyCheck: true}),
		);
		const {Policy} = await kms.send(new GetKeyPolicyCommand({KeyId: KeyMetadata?.KeyId}));
		expect(Policy).toBe(readOnly);
	});

	it('reaches the service layer as what happened and what to do', async () => {
		const services = createServices({
			region: sandbox.region,
			endpoint: sandbox.endpoint,
			staticCredentials: {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'},
			isLocal: true,
		});
		try {
			const keyId = await newKey();
			await expect(services.keys.putKeyPolicy(keyId, readOnly)).rejects.toMatchObject({
				message:
					'Could not update the key policy: KMS refused the policy document. (The new key policy will not allow you to update the key policy in the future.)',
				hint: expect.stringContaining('keep kms:PutKeyPolicy for the account root'),
			});
			await services.keys.putKeyPolicy(keyId, readOnly, {bypassLockoutCheck: true});
			expect(await services.keys.keyPolicy(keyId)).toBe(readOnly);
		} finally {
			services.close();
		}
	});
});
