/**
 * KMS GetKeyLastUsage on the sandbox, through the real @aws-sdk/client-kms: empty before any
 * cryptographic use, then the operation, time, CloudTrail event id and request id of the last
 * successful one (a failed Decrypt or a DescribeKey changes nothing), across a restart.
 */
import {copyFile, mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CloudTrailClient, type Event, LookupEventsCommand} from '@aws-sdk/client-cloudtrail';
import {
	CreateAliasCommand,
	CreateKeyCommand,
	DecryptCommand,
	DescribeKeyCommand,
	GenerateDataKeyCommand,
	GetKeyLastUsageCommand,
	type KMSClient,
	ReEncryptCommand,
} from '@aws-sdk/client-kms';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
	dummyCredentials,
	startTestSandbox,
	type TestSandbox,
	testRegion,
} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let kms: KMSClient;

beforeEach(async () => {
	sandbox = await startTestSandbox();
	kms = sandbox.kms();
});
afterEach(async () => {
	await sandbox.close();
});

async function newKey(): Promise<{keyId: string; arn: string; created: Date}> {
	const output = await kms.send(new CreateKeyCommand({}));
	return {
		keyId: output.KeyMetadata?.KeyId as string,
		arn: output.KeyMetadata?.Arn as string,
		created: output.KeyMetadata?.CreationDate as Date,
	};
}

async function eventsNamed(name: string): Promise<Event[]> {
	const trail = new CloudTrailClient({
		endpoint: sandbox.endpoint,
		region: testRegion,
		credentials: dummyCredentials,
	});
	try {
		const page = await trail.send(
			new LookupEventsCommand({
				LookupAttributes: [{AttributeKey: 'EventName', AttributeValue: name}],
			}),
		);
		return page.Events ?? [];
	} finally {
		trail.destroy();
	}
}

describe('GetKeyLastUsage', () => {
	it('is empty before any use, then names the last successful Decrypt', async () => {
		const key = await newKey();
		const before = await kms.send(new GetKeyLastUsageCommand({KeyId: key.keyId}));
		expect(before.KeyId).toBe(key.keyId);
		expect(before.KeyLastUsage).toEqual({});
		expect(before.KeyCreationDate).toEqual(key.created);
		// Tracking began with this sandbox, before the key: "never used since it was created".
		expect((before.TrackingStartDate as Date).getTime()).toBe(key.created.getTime());

		const dataKey = await kms.send(
			new GenerateDataKeyCommand({KeyId: key.arn, KeySpec: 'AES_256'}),
		);
		const afterGenerate = await kms.send(new GetKeyLastUsageCommand({KeyId: key.arn}));
		expect(afterGenerate.KeyLastUsage?.Operation).toBe('GenerateDataKey');

		const decrypted = await kms.send(new DecryptCommand({CiphertextBlob: dataKey.CiphertextBlob}));
		const [decryptEvent] = await eventsNamed('Decrypt');
		const after = await kms.send(new GetKeyLastUsageCommand({KeyId: key.keyId}));
		expect(after.KeyLastUsage).toEqual({
			Operation: 'Decrypt',
			Timestamp: decryptEvent?.EventTime,
			CloudTrailEventId: decryptEvent?.EventId,
			KmsRequestId: decrypted.$metadata.requestId,
		});

		// Neither a failed Decrypt nor a DescribeKey is a use.
		await expect(
			kms.send(
				new DecryptCommand({CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: {a: 'b'}}),
			),
		).rejects.toThrow();
		await kms.send(new DescribeKeyCommand({KeyId: key.keyId}));
		expect((await kms.send(new GetKeyLastUsageCommand({KeyId: key.keyId}))).KeyLastUsage).toEqual(
			after.KeyLastUsage,
		);
		// GetKeyLastUsage is itself recorded, and is not a use either.
		expect((await eventsNamed('GetKeyLastUsage')).length).toBe(4);
	});

	it('counts a ReEncrypt for both keys and survives a restart of the sandbox', async () => {
		// A directory of the test's own: closing a sandbox started without one removes it.
		await sandbox.close();
		const dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-last-usage-'));
		sandbox = await startTestSandbox({dir});
		kms = sandbox.kms();
		const source = await newKey();
		const destination = await newKey();
		const dataKey = await kms.send(
			new GenerateDataKeyCommand({KeyId: source.arn, NumberOfBytes: 32}),
		);
		await kms.send(
			new ReEncryptCommand({
				CiphertextBlob: dataKey.CiphertextBlob,
				DestinationKeyId: destination.keyId,
			}),
		);
		for (const key of [source, destination]) {
			const usage = await kms.send(new GetKeyLastUsageCommand({KeyId: key.keyId}));
			expect(usage.KeyLastUsage?.Operation).toBe('ReEncrypt');
		}
		const before = await kms.send(new GetKeyLastUsageCommand({KeyId: source.keyId}));
		await sandbox.close();
		sandbox = await startTestSandbox({dir});
		kms = sandbox.kms();
		const after = await kms.send(new GetKeyLastUsageCommand({KeyId: source.keyId}));
		expect(after.KeyLastUsage).toEqual(before.KeyLastUsage);
		expect(after.TrackingStartDate).toEqual(before.TrackingStartDate);
		await sandbox.close();
		await rm(dir, {recursive: true, force: true});
		sandbox = await startTestSandbox();
	});

	it('starts tracking at the first request for keys of a state written before tracking', async () => {
		await sandbox.close();
		const dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-last-usage-v1-'));
		await copyFile(
			path.resolve('test/fixtures/sandbox-state-v1.json'),
			path.join(dir, 'state.json'),
		);
		sandbox = await startTestSandbox({dir});
		kms = sandbox.kms();
		const keyId = 'b0a81dfe-35ba-4427-bc68-3f5d8cb3834a';
		const usage = await kms.send(new GetKeyLastUsageCommand({KeyId: keyId}));
		expect(usage.KeyLastUsage).toEqual({});
		// Before tracking began: "may have been used before", not "never used".
		expect((usage.KeyCreationDate as Date).getTime()).toBeLessThan(
			(usage.TrackingStartDate as Date).getTime(),
		);
		await kms.send(new GenerateDataKeyCommand({KeyId: keyId, KeySpec: 'AES_128'}));
		const used = await kms.send(new GetKeyLastUsageCommand({KeyId: keyId}));
		expect(used.KeyLastUsage?.Operation).toBe('GenerateDataKey');
		expect(used.TrackingStartDate).toEqual(usage.TrackingStartDate);
		await sandbox.close();
		await rm(dir, {recursive: true, force: true});
		sandbox = await startTestSandbox();
	});

	it('takes a key id or ARN, not an alias, and says NotFound for an unknown key', async () => {
		const key = await newKey();
		await kms.send(new CreateAliasCommand({AliasName: 'alias/last-use', TargetKeyId: key.keyId}));
		await expect(kms.send(new GetKeyLastUsageCommand({KeyId: 'alias/last-use'}))).rejects.toThrow(
			/Invalid keyId 'alias\/last-use'/,
		);
		await expect(
			kms.send(new GetKeyLastUsageCommand({KeyId: '11111111-2222-3333-4444-555555555555'})),
		).rejects.toMatchObject({name: 'NotFoundException'});
		await expect(kms.send(new GetKeyLastUsageCommand({KeyId: ''}))).rejects.toMatchObject({
			name: 'ValidationException',
		});
	});
});
