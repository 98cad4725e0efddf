/**
 * Sandbox-only strictness through the real SDK over HTTP: validation messages, key-ID and alias
 * resolution (fact sheet §2), aliases, tags, policies and pagination.
 */
import {
	CreateAliasCommand,
	CreateKeyCommand,
	type CreateKeyCommandInput,
	DeleteAliasCommand,
	DescribeKeyCommand,
	type DescribeKeyCommandInput,
	EnableKeyRotationCommand,
	EncryptCommand,
	GenerateDataKeyCommand,
	GetKeyPolicyCommand,
	type KMSClient,
	ListAliasesCommand,
	ListKeysCommand,
	ListResourceTagsCommand,
	PutKeyPolicyCommand,
	ScheduleKeyDeletionCommand,
	TagResourceCommand,
	UntagResourceCommand,
	UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let kms: KMSClient;
let counter = 0;
const account = '000000000000';

beforeAll(async () => {
	sandbox = await startTestSandbox();
	kms = sandbox.kms();
});
afterAll(async () => {
	await sandbox.close();
});

async function newKey(input: CreateKeyCommandInput = {}) {
	const {KeyMetadata} = await kms.send(new CreateKeyCommand(input));
	return {keyId: KeyMetadata?.KeyId as string, arn: KeyMetadata?.Arn as string};
}

const uniqueAlias = (prefix = 'v') =>
	`alias/${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
const validation = (message: string) => ({
	name: 'ValidationException',
	message: `1 validation error detected: ${message}`,
});

describe('CreateKey and KeyMetadata', () => {
	test('a default key has every field of fact sheet §4', async () => {
		const {KeyMetadata} = await kms.send(new CreateKeyCommand({}));
		expect(KeyMetadata).toMatchObject({
			AWSAccountId: account,
			Enabled: true,
			Description: '',
			KeyUsage: 'ENCRYPT_DECRYPT',
			KeyState: 'Enabled',
			Origin: 'AWS_KMS',
			KeyManager: 'CUSTOMER',
			KeySpec: 'SYMMETRIC_DEFAULT',
			CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
			EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
			MultiRegion: false,
		});
		expect(KeyMetadata?.KeyId).toMatch(
			/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
		);
		expect(KeyMetadata?.Arn).toBe(
			`arn:aws:kms:${sandbox.region}:${account}:key/${KeyMetadata?.KeyId}`,
		);
		expect(KeyMetadata?.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
		expect(KeyMetadata?.CreationDate).toBeInstanceOf(Date);
		expect(KeyMetadata?.DeletionDate).toBeUndefined();
	});

	test('the default policy gives the account root kms:*', async () => {
		const {keyId} = await newKey();
		const {Policy, PolicyName} = await kms.send(new GetKeyPolicyCommand({KeyId: keyId}));
		expect(PolicyName).toBe('default');
		expect(JSON.parse(Policy as string).Statement).toEqual([
			expect.objectContaining({
				Effect: 'Allow',
				Principal: {AWS: `arn:aws:iam::${account}:root`},
				Action: 'kms:*',
				Resource: '*',
			}),
		]);
	});

	test('enum typos are ValidationException; real but unsupported values are UnsupportedOperationException', async () => {
		await expect(
			kms.send(new CreateKeyCommand({KeySpec: 'AES_999'} as unknown as CreateKeyCommandInput)),
		).rejects.toMatchObject({
			name: 'ValidationException',
			message: expect.stringContaining(
				"Value 'AES_999' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [",
			),
		});
		await expect(
			kms.send(new CreateKeyCommand({KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY'})),
		).rejects.toMatchObject({
			name: 'UnsupportedOperationException',
			message: expect.stringContaining('KeySpec RSA_2048 is not supported by the kms-tui sandbox'),
		});
		await expect(kms.send(new CreateKeyCommand({Origin: 'EXTERNAL'}))).rejects.toMatchObject({
			name: 'UnsupportedOperationException',
			message: expect.stringContaining('Origin EXTERNAL'),
		});
		await expect(kms.send(new CreateKeyCommand({MultiRegion: true}))).rejects.toMatchObject({
			name: 'UnsupportedOperationException',
		});
	});

	test('a description over 8192 characters and a malformed policy are refused', async () => {
		const long = 'x'.repeat(8193);
		await expect(kms.send(new CreateKeyCommand({Description: long}))).rejects.toMatchObject(
			validation(
				`Value '${long}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192`,
			),
		);
		await expect(kms.send(new CreateKeyCommand({Policy: '{not json'}))).rejects.toMatchObject({
			name: 'MalformedPolicyDocumentException',
		});
	});

	test('PutKeyPolicy replaces the policy GetKeyPolicy returns', async () => {
		const {keyId} = await newKey();
		const policy = JSON.stringify({
			Version: '2012-10-17',
			Statement: [
				{Effect: 'Allow', Principal: {AWS: account}, Action: 'kms:PutKeyPolicy', Resource: '*'},
			],
		});
		await kms.send(new PutKeyPolicyCommand({KeyId: keyId, Policy: policy, PolicyName: 'default'}));
		await expect(kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).resolves.toMatchObject({
			Policy: policy,
		});
	});
});

describe('key identifiers (fact sheet §2)', () => {
	test('a missing KeyId is "Value null … Member must not be null"', async () => {
		await expect(
			kms.send(new DescribeKeyCommand({} as DescribeKeyCommandInput)),
		).rejects.toMatchObject(
			validation("Value null at 'keyId' failed to satisfy constraint: Member must not be null"),
		);
	});

	test('a malformed ID, an unknown key, another Region and an unknown alias', async () => {
		await expect(kms.send(new DescribeKeyCommand({KeyId: 'not-a-key'}))).rejects.toMatchObject({
			name: 'NotFoundException',
			message: "Invalid keyId 'not-a-key'",
		});
		const missing = '11111111-2222-4333-8444-555555555555';
		await expect(kms.send(new DescribeKeyCommand({KeyId: missing}))).rejects.toMatchObject({
			name: 'NotFoundException',
			message: `Key 'arn:aws:kms:${sandbox.region}:${account}:key/${missing}' does not exist`,
		});
		const {keyId} = await newKey();
		await expect(
			kms.send(new DescribeKeyCommand({KeyId: `arn:aws:kms:eu-west-3:${account}:key/${keyId}`})),
		).rejects.toMatchObject({name: 'NotFoundException', message: 'Invalid arn eu-west-3'});
		await expect(
			kms.send(new DescribeKeyCommand({KeyId: 'alias/never-made'})),
		).rejects.toMatchObject({
			name: 'NotFoundException',
			message: `Alias arn:aws:kms:${sandbox.region}:${account}:alias/never-made is not found.`,
		});
	});

	test('an ARN of another partition names no key; prototype member names are not keys', async () => {
		const {keyId} = await newKey();
		for (const partition of ['xyz', 'aws-cn', 'aws-us-gov', '']) {
			const arn = `arn:${partition}:kms:${sandbox.region}:${account}:key/${keyId}`;
			await expect(kms.send(new DescribeKeyCommand({KeyId: arn}))).rejects.toMatchObject({
				name: 'NotFoundException',
				message: `Invalid keyId '${arn}'`,
			});
		}
		for (const name of ['constructor', '__proto__', 'toString']) {
			const arn = `arn:aws:kms:${sandbox.region}:${account}:key/${name}`;
			// Before: Object.prototype's member was taken for a key, and the sandbox answered 500.
			await expect(kms.send(new DescribeKeyCommand({KeyId: arn}))).rejects.toMatchObject({
				name: 'NotFoundException',
				message: `Key '${arn}' does not exist`,
			});
		}
	});

	test('alias names and alias ARNs work where §2 allows them', async () => {
		const {keyId, arn} = await newKey();
		const aliasName = uniqueAlias();
		await kms.send(new CreateAliasCommand({AliasName: aliasName, TargetKeyId: keyId}));
		const aliasArn = `arn:aws:kms:${sandbox.region}:${account}:${aliasName}`;
		for (const id of [keyId, arn, aliasName, aliasArn]) {
			const {KeyMetadata} = await kms.send(new DescribeKeyCommand({KeyId: id}));
			expect(KeyMetadata?.KeyId).toBe(keyId);
			const {KeyId} = await kms.send(new EncryptCommand({KeyId: id, Plaintext: Buffer.from('x')}));
			expect(KeyId).toBe(arn);
		}
	});

	test('an alias where only a key ID or key ARN is accepted → NotFoundException "Invalid keyId"', async () => {
		const {keyId} = await newKey();
		const aliasName = uniqueAlias();
		await kms.send(new CreateAliasCommand({AliasName: aliasName, TargetKeyId: keyId}));
		const aliasArn = `arn:aws:kms:${sandbox.region}:${account}:${aliasName}`;
		for (const id of [aliasName, aliasArn]) {
			await expect(kms.send(new EnableKeyRotationCommand({KeyId: id}))).rejects.toMatchObject({
				name: 'NotFoundException',
				message: `Invalid keyId '${id}'`,
			});
			await expect(
				kms.send(new CreateAliasCommand({AliasName: uniqueAlias(), TargetKeyId: id})),
			).rejects.toMatchObject({name: 'NotFoundException', message: `Invalid keyId '${id}'`});
			await expect(kms.send(new ScheduleKeyDeletionCommand({KeyId: id}))).rejects.toMatchObject({
				name: 'NotFoundException',
				message: `Invalid keyId '${id}'`,
			});
		}
	});
});

describe('aliases', () => {
	test('prefix, pattern, reserved prefix and duplicates', async () => {
		const {keyId} = await newKey();
		await expect(
			kms.send(new CreateAliasCommand({AliasName: 'no-prefix', TargetKeyId: keyId})),
		).rejects.toMatchObject({
			name: 'ValidationException',
			message:
				'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
		});
		await expect(
			kms.send(new CreateAliasCommand({AliasName: 'alias/bad name!', TargetKeyId: keyId})),
		).rejects.toMatchObject(
			validation(
				"Value 'alias/bad name!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
			),
		);
		await expect(
			kms.send(new CreateAliasCommand({AliasName: 'alias/aws/mine', TargetKeyId: keyId})),
		).rejects.toMatchObject({
			name: 'InvalidAliasNameException',
			message:
				'Alias names cannot begin with alias/aws/. That prefix is reserved for AWS managed keys.',
		});
		const aliasName = uniqueAlias();
		await kms.send(new CreateAliasCommand({AliasName: aliasName, TargetKeyId: keyId}));
		await expect(
			kms.send(new CreateAliasCommand({AliasName: aliasName, TargetKeyId: keyId})),
		).rejects.toMatchObject({
			name: 'AlreadyExistsException',
			message: `An alias with the name arn:aws:kms:${sandbox.region}:${account}:${aliasName} already exists`,
		});
	});

	test('update moves the alias, delete removes it, unknown aliases are NotFound', async () => {
		const first = await newKey();
		const second = await newKey();
		const aliasName = uniqueAlias();
		await kms.send(new CreateAliasCommand({AliasName: aliasName, TargetKeyId: first.keyId}));
		await kms.send(new UpdateAliasCommand({AliasName: aliasName, TargetKeyId: second.arn}));
		const {Aliases} = await kms.send(new ListAliasesCommand({KeyId: second.keyId}));
		expect(Aliases).toEqual([
			expect.objectContaining({
				AliasName: aliasName,
				AliasArn: `arn:aws:kms:${sandbox.region}:${account}:${aliasName}`,
				TargetKeyId: second.keyId,
			}),
		]);
		await expect(kms.send(new ListAliasesCommand({KeyId: first.keyId}))).resolves.toMatchObject({
			Aliases: [],
		});
		await kms.send(new DeleteAliasCommand({AliasName: aliasName}));
		const notFound = {
			name: 'NotFoundException',
			message: `Alias arn:aws:kms:${sandbox.region}:${account}:${aliasName} is not found.`,
		};
		await expect(kms.send(new DeleteAliasCommand({AliasName: aliasName}))).rejects.toMatchObject(
			notFound,
		);
		await expect(
			kms.send(new UpdateAliasCommand({AliasName: aliasName, TargetKeyId: first.keyId})),
		).rejects.toMatchObject(notFound);
	});
});

describe('operation inputs', () => {
	test('Encrypt refuses more than 4096 bytes with the AWS message', async () => {
		const {keyId} = await newKey();
		await expect(
			kms.send(new EncryptCommand({KeyId: keyId, Plaintext: new Uint8Array(4097)})),
		).rejects.toMatchObject(
			validation(
				"Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
			),
		);
		await expect(
			kms.send(new EncryptCommand({KeyId: keyId, Plaintext: new Uint8Array(4096)})),
		).resolves.toHaveProperty('CiphertextBlob');
	});

	test('GenerateDataKey needs exactly one of KeySpec and NumberOfBytes, 1–1024', async () => {
		const {keyId} = await newKey();
		const either = {
			name: 'ValidationException',
			message: 'Please specify either number of bytes or key spec.',
		};
		await expect(kms.send(new GenerateDataKeyCommand({KeyId: keyId}))).rejects.toMatchObject(
			either,
		);
		await expect(
			kms.send(new GenerateDataKeyCommand({KeyId: keyId, KeySpec: 'AES_256', NumberOfBytes: 32})),
		).rejects.toMatchObject(either);
		await expect(
			kms.send(new GenerateDataKeyCommand({KeyId: keyId, NumberOfBytes: 1025})),
		).rejects.toMatchObject(
			validation(
				"Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
			),
		);
		await expect(
			kms.send(new GenerateDataKeyCommand({KeyId: keyId, NumberOfBytes: 0})),
		).rejects.toMatchObject(
			validation(
				"Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
			),
		);
		const {Plaintext} = await kms.send(
			new GenerateDataKeyCommand({KeyId: keyId, KeySpec: 'AES_128'}),
		);
		expect(Plaintext).toHaveLength(16);
	});

	test('PendingWindowInDays outside 7–30 and RotationPeriodInDays outside 90–2560', async () => {
		const {keyId} = await newKey();
		await expect(
			kms.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 6})),
		).rejects.toMatchObject(
			validation(
				"Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
			),
		);
		await expect(
			kms.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 31})),
		).rejects.toMatchObject(
			validation(
				"Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30",
			),
		);
		await expect(
			kms.send(new EnableKeyRotationCommand({KeyId: keyId, RotationPeriodInDays: 89})),
		).rejects.toMatchObject(
			validation(
				"Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
			),
		);
		await expect(
			kms.send(new EnableKeyRotationCommand({KeyId: keyId, RotationPeriodInDays: 2561})),
		).rejects.toMatchObject(
			validation(
				"Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560",
			),
		);
	});
});

describe('tags', () => {
	test('tag, overwrite, untag (unknown keys ignored) and list', async () => {
		const {keyId} = await newKey({Tags: [{TagKey: 'team', TagValue: 'a'}]});
		await kms.send(
			new TagResourceCommand({
				KeyId: keyId,
				Tags: [
					{TagKey: 'team', TagValue: 'b'},
					{TagKey: 'env', TagValue: 'dev'},
				],
			}),
		);
		await kms.send(new UntagResourceCommand({KeyId: keyId, TagKeys: ['env', 'nope']}));
		await expect(kms.send(new ListResourceTagsCommand({KeyId: keyId}))).resolves.toMatchObject({
			Tags: [{TagKey: 'team', TagValue: 'b'}],
			Truncated: false,
		});
	});

	test('TagException: reserved prefix, duplicates, more than 50', async () => {
		const {keyId} = await newKey();
		await expect(
			kms.send(new TagResourceCommand({KeyId: keyId, Tags: [{TagKey: 'aws:x', TagValue: 'v'}]})),
		).rejects.toMatchObject({
			name: 'TagException',
			message: 'Tags beginning with aws: are reserved',
		});
		await expect(
			kms.send(
				new TagResourceCommand({
					KeyId: keyId,
					Tags: [
						{TagKey: 'a', TagValue: '1'},
						{TagKey: 'a', TagValue: '2'},
					],
				}),
			),
		).rejects.toMatchObject({name: 'TagException', message: 'Duplicate tag keys'});
		const fifty = Array.from({length: 50}, (_, i) => ({TagKey: `k${i}`, TagValue: 'v'}));
		await kms.send(new TagResourceCommand({KeyId: keyId, Tags: fifty}));
		await expect(
			kms.send(new TagResourceCommand({KeyId: keyId, Tags: [{TagKey: 'one-more', TagValue: 'v'}]})),
		).rejects.toMatchObject({
			name: 'TagException',
			message: 'Too many tags',
		});
		await expect(
			kms.send(new CreateKeyCommand({Tags: [{TagKey: 'aws:cf', TagValue: 'x'}]})),
		).rejects.toMatchObject({
			name: 'TagException',
		});
	});
});

describe('pagination', () => {
	test('ListKeys pages with Limit and opaque markers, without repeats or gaps', async () => {
		const made = new Set<string>();
		for (let i = 0; i < 5; i++) made.add((await newKey()).keyId);
		const seen: string[] = [];
		let marker: string | undefined;
		let pages = 0;
		do {
			const page = await kms.send(new ListKeysCommand({Limit: 2, Marker: marker}));
			expect(page.Keys?.length).toBeLessThanOrEqual(2);
			expect(page.Truncated).toBe(page.NextMarker !== undefined);
			seen.push(...(page.Keys ?? []).map((key) => key.KeyId as string));
			marker = page.NextMarker;
			pages++;
		} while (marker);
		expect(new Set(seen).size).toBe(seen.length);
		for (const keyId of made) expect(seen).toContain(keyId);
		expect(pages).toBeGreaterThanOrEqual(3);
	});

	test('ListAliases pages; a bad marker and an out-of-range Limit are refused', async () => {
		const {keyId} = await newKey();
		const names = [uniqueAlias('p'), uniqueAlias('p'), uniqueAlias('p')];
		for (const name of names)
			await kms.send(new CreateAliasCommand({AliasName: name, TargetKeyId: keyId}));
		const first = await kms.send(new ListAliasesCommand({KeyId: keyId, Limit: 2}));
		expect(first).toMatchObject({Truncated: true});
		const second = await kms.send(
			new ListAliasesCommand({KeyId: keyId, Limit: 2, Marker: first.NextMarker}),
		);
		expect(second).toMatchObject({Truncated: false});
		expect(second.NextMarker).toBeUndefined();
		expect([...(first.Aliases ?? []), ...(second.Aliases ?? [])].map((a) => a.AliasName)).toEqual(
			[...names].sort(),
		);
		await expect(kms.send(new ListAliasesCommand({Marker: 'garbage'}))).rejects.toMatchObject({
			name: 'InvalidMarkerException',
		});
		await expect(kms.send(new ListKeysCommand({Marker: first.NextMarker}))).rejects.toMatchObject({
			name: 'InvalidMarkerException',
		});
		await expect(kms.send(new ListAliasesCommand({Limit: 101}))).rejects.toMatchObject(
			validation(
				"Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
			),
		);
		await expect(kms.send(new ListKeysCommand({Limit: 0}))).rejects.toMatchObject(
			validation(
				"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
			),
		);
	});

	test('ListResourceTags pages', async () => {
		const {keyId} = await newKey({
			Tags: Array.from({length: 5}, (_, i) => ({TagKey: `t${i}`, TagValue: `${i}`})),
		});
		const first = await kms.send(new ListResourceTagsCommand({KeyId: keyId, Limit: 3}));
		expect(first.Tags?.map((t) => t.TagKey)).toEqual(['t0', 't1', 't2']);
		expect(first.Truncated).toBe(true);
		const second = await kms.send(
			new ListResourceTagsCommand({KeyId: keyId, Limit: 3, Marker: first.NextMarker}),
		);
		expect(second.Tags?.map((t) => t.TagKey)).toEqual(['t3', 't4']);
		expect(second.Truncated).toBe(false);
	});
});
