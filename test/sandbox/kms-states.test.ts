/**
 * The key state × operation table (fact sheet §3) through the real SDK over HTTP: every cell
 * asserts the exception name and the exact message. Each case makes its own key.
 */
import {
	CancelKeyDeletionCommand,
	CreateAliasCommand,
	CreateKeyCommand,
	DecryptCommand,
	DeleteAliasCommand,
	DescribeKeyCommand,
	DisableKeyCommand,
	DisableKeyRotationCommand,
	EnableKeyCommand,
	EnableKeyRotationCommand,
	EncryptCommand,
	GenerateDataKeyCommand,
	GenerateDataKeyWithoutPlaintextCommand,
	GetKeyPolicyCommand,
	GetKeyRotationStatusCommand,
	type KMSClient,
	ListAliasesCommand,
	ListKeyRotationsCommand,
	ListResourceTagsCommand,
	PutKeyPolicyCommand,
	ReEncryptCommand,
	RotateKeyOnDemandCommand,
	ScheduleKeyDeletionCommand,
	TagResourceCommand,
	UntagResourceCommand,
	UpdateAliasCommand,
	UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
/** ok, D (DisabledException), PD (pending deletion), NPD (not pending deletion). */
type Outcome = 'ok' | 'D' | 'PD' | 'NPD';

type Fixture = {kms: KMSClient; keyId: string; arn: string; blob: Uint8Array; other: string};
type Operation = (fixture: Fixture) => Promise<unknown>;

let sandbox: TestSandbox;
let kms: KMSClient;
let counter = 0;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	kms = sandbox.kms();
});
afterAll(async () => {
	await sandbox.close();
});

const uniqueAlias = () => `alias/state-${Date.now().toString(36)}-${(counter++).toString(36)}`;

const operations: Record<string, Operation> = {
	Encrypt: ({kms, keyId}) =>
		kms.send(new EncryptCommand({KeyId: keyId, Plaintext: Buffer.from('secret')})),
	Decrypt: ({kms, blob}) => kms.send(new DecryptCommand({CiphertextBlob: blob})),
	ReEncrypt: ({kms, blob, other}) =>
		kms.send(new ReEncryptCommand({CiphertextBlob: blob, DestinationKeyId: other})),
	GenerateDataKey: ({kms, keyId}) =>
		kms.send(new GenerateDataKeyCommand({KeyId: keyId, KeySpec: 'AES_256'})),
	GenerateDataKeyWithoutPlaintext: ({kms, keyId}) =>
		kms.send(new GenerateDataKeyWithoutPlaintextCommand({KeyId: keyId, NumberOfBytes: 32})),
	DescribeKey: ({kms, keyId}) => kms.send(new DescribeKeyCommand({KeyId: keyId})),
	GetKeyPolicy: ({kms, keyId}) => kms.send(new GetKeyPolicyCommand({KeyId: keyId})),
	ListAliases: ({kms, keyId}) => kms.send(new ListAliasesCommand({KeyId: keyId})),
	ListResourceTags: ({kms, keyId}) => kms.send(new ListResourceTagsCommand({KeyId: keyId})),
	ListKeyRotations: ({kms, keyId}) => kms.send(new ListKeyRotationsCommand({KeyId: keyId})),
	DeleteAlias: async ({kms, keyId}) => {
		// The alias is made while the key is still Enabled (see `prepare`), named after the key.
		await kms.send(new DeleteAliasCommand({AliasName: `alias/del-${keyId}`}));
	},
	CreateAlias: ({kms, keyId}) =>
		kms.send(new CreateAliasCommand({AliasName: uniqueAlias(), TargetKeyId: keyId})),
	UpdateAlias: async ({kms, keyId, other}) => {
		const aliasName = uniqueAlias();
		await kms.send(new CreateAliasCommand({AliasName: aliasName, TargetKeyId: other}));
		await kms.send(new UpdateAliasCommand({AliasName: aliasName, TargetKeyId: keyId}));
	},
	TagResource: ({kms, keyId}) =>
		kms.send(new TagResourceCommand({KeyId: keyId, Tags: [{TagKey: 'k', TagValue: 'v'}]})),
	UntagResource: ({kms, keyId}) =>
		kms.send(new UntagResourceCommand({KeyId: keyId, TagKeys: ['k']})),
	ScheduleKeyDeletion: ({kms, keyId}) =>
		kms.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 7})),
	UpdateKeyDescription: ({kms, keyId}) =>
		kms.send(new UpdateKeyDescriptionCommand({KeyId: keyId, Description: 'new'})),
	PutKeyPolicy: async ({kms, keyId}) => {
		const {Policy} = await kms.send(new GetKeyPolicyCommand({KeyId: keyId}));
		await kms.send(new PutKeyPolicyCommand({KeyId: keyId, Policy, PolicyName: 'default'}));
	},
	EnableKey: ({kms, keyId}) => kms.send(new EnableKeyCommand({KeyId: keyId})),
	DisableKey: ({kms, keyId}) => kms.send(new DisableKeyCommand({KeyId: keyId})),
	EnableKeyRotation: ({kms, keyId}) => kms.send(new EnableKeyRotationCommand({KeyId: keyId})),
	DisableKeyRotation: ({kms, keyId}) => kms.send(new DisableKeyRotationCommand({KeyId: keyId})),
	RotateKeyOnDemand: ({kms, keyId}) => kms.send(new RotateKeyOnDemandCommand({KeyId: keyId})),
	GetKeyRotationStatus: ({kms, keyId}) => kms.send(new GetKeyRotationStatusCommand({KeyId: keyId})),
	CancelKeyDeletion: ({kms, keyId}) => kms.send(new CancelKeyDeletionCommand({KeyId: keyId})),
};

// [operation, Enabled, Disabled, PendingDeletion] — fact sheet §3 (UpdateKeyDescription and
// PutKeyPolicy from the AWS key-state page).
const table: Array<[string, Outcome, Outcome, Outcome]> = [
	['Encrypt', 'ok', 'D', 'PD'],
	['Decrypt', 'ok', 'D', 'PD'],
	['ReEncrypt', 'ok', 'D', 'PD'],
	['GenerateDataKey', 'ok', 'D', 'PD'],
	['GenerateDataKeyWithoutPlaintext', 'ok', 'D', 'PD'],
	['DescribeKey', 'ok', 'ok', 'ok'],
	['GetKeyPolicy', 'ok', 'ok', 'ok'],
	['ListAliases', 'ok', 'ok', 'ok'],
	['ListResourceTags', 'ok', 'ok', 'ok'],
	['ListKeyRotations', 'ok', 'ok', 'ok'],
	['DeleteAlias', 'ok', 'ok', 'ok'],
	['CreateAlias', 'ok', 'ok', 'PD'],
	['UpdateAlias', 'ok', 'ok', 'PD'],
	['TagResource', 'ok', 'ok', 'PD'],
	['UntagResource', 'ok', 'ok', 'PD'],
	['ScheduleKeyDeletion', 'ok', 'ok', 'PD'],
	['UpdateKeyDescription', 'ok', 'ok', 'PD'],
	['PutKeyPolicy', 'ok', 'ok', 'PD'],
	['EnableKey', 'ok', 'ok', 'PD'],
	['DisableKey', 'ok', 'ok', 'PD'],
	['EnableKeyRotation', 'ok', 'D', 'PD'],
	['DisableKeyRotation', 'ok', 'D', 'PD'],
	['RotateKeyOnDemand', 'ok', 'D', 'PD'],
	['GetKeyRotationStatus', 'ok', 'ok', 'ok'],
	['CancelKeyDeletion', 'NPD', 'NPD', 'ok'],
];

const states: KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion'];
const cases = table.flatMap(([operation, ...outcomes]) =>
	states.map((state, index) => ({operation, state, outcome: outcomes[index] as Outcome})),
);

async function prepare(state: KeyState): Promise<Fixture> {
	const created = await kms.send(new CreateKeyCommand({}));
	const other = await kms.send(new CreateKeyCommand({}));
	const keyId = created.KeyMetadata?.KeyId as string;
	const arn = created.KeyMetadata?.Arn as string;
	const {CiphertextBlob} = await kms.send(
		new EncryptCommand({KeyId: keyId, Plaintext: Buffer.from('before')}),
	);
	await kms.send(new CreateAliasCommand({AliasName: `alias/del-${keyId}`, TargetKeyId: keyId}));
	if (state === 'Disabled') {
		await kms.send(new DisableKeyCommand({KeyId: keyId}));
	} else if (state === 'PendingDeletion') {
		await kms.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 7}));
	}
	return {
		kms,
		keyId,
		arn,
		blob: CiphertextBlob as Uint8Array,
		other: other.KeyMetadata?.KeyId as string,
	};
}

function expected(outcome: Exclude<Outcome, 'ok'>, arn: string) {
	switch (outcome) {
		case 'D':
			return {name: 'DisabledException', message: `${arn} is disabled.`};
		case 'PD':
			return {name: 'KMSInvalidStateException', message: `${arn} is pending deletion.`};
		case 'NPD':
			return {name: 'KMSInvalidStateException', message: `${arn} is not pending deletion.`};
	}
}

describe('key state × operation (fact sheet §3)', () => {
	test.each(cases)('$operation on a $state key → $outcome', async ({operation, state, outcome}) => {
		const fixture = await prepare(state);
		const run = operations[operation];
		if (!run) throw new Error(`no operation ${operation}`);
		if (outcome === 'ok') {
			await expect(run(fixture)).resolves.not.toThrow();
		} else {
			await expect(run(fixture)).rejects.toMatchObject(expected(outcome, fixture.arn));
		}
	});

	test('ReEncrypt to a disabled destination → DisabledException naming the destination', async () => {
		const source = await prepare('Enabled');
		const destination = await prepare('Disabled');
		await expect(
			kms.send(
				new ReEncryptCommand({CiphertextBlob: source.blob, DestinationKeyId: destination.keyId}),
			),
		).rejects.toMatchObject(expected('D', destination.arn));
	});

	test('NotFoundException precedes any state error', async () => {
		const missing = '00000000-0000-4000-8000-000000000000';
		const arn = `arn:aws:kms:${sandbox.region}:000000000000:key/${missing}`;
		await expect(kms.send(new EnableKeyRotationCommand({KeyId: missing}))).rejects.toMatchObject({
			name: 'NotFoundException',
			message: `Key '${arn}' does not exist`,
		});
	});

	test('CancelKeyDeletion leaves the key Disabled with no DeletionDate, even if it was Enabled', async () => {
		const {keyId, arn} = await prepare('PendingDeletion');
		const described = await kms.send(new DescribeKeyCommand({KeyId: keyId}));
		expect(described.KeyMetadata?.KeyState).toBe('PendingDeletion');
		expect(described.KeyMetadata?.DeletionDate).toBeInstanceOf(Date);
		await expect(kms.send(new CancelKeyDeletionCommand({KeyId: keyId}))).resolves.toMatchObject({
			KeyId: arn,
		});
		const after = await kms.send(new DescribeKeyCommand({KeyId: keyId}));
		expect(after.KeyMetadata).toMatchObject({KeyState: 'Disabled', Enabled: false});
		expect(after.KeyMetadata?.DeletionDate).toBeUndefined();
	});

	test('GetKeyRotationStatus reports false while pending deletion and the setting again after cancel', async () => {
		const created = await kms.send(new CreateKeyCommand({}));
		const keyId = created.KeyMetadata?.KeyId as string;
		await kms.send(new EnableKeyRotationCommand({KeyId: keyId, RotationPeriodInDays: 180}));
		await kms.send(new ScheduleKeyDeletionCommand({KeyId: keyId}));
		const pending = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		expect(pending.KeyRotationEnabled).toBe(false);
		expect(pending.RotationPeriodInDays).toBeUndefined();
		await kms.send(new CancelKeyDeletionCommand({KeyId: keyId}));
		const cancelled = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		expect(cancelled).toMatchObject({KeyRotationEnabled: true, RotationPeriodInDays: 180});
	});

	test('ScheduleKeyDeletion reports the state, window and a DeletionDate window days ahead', async () => {
		const created = await kms.send(new CreateKeyCommand({}));
		const keyId = created.KeyMetadata?.KeyId as string;
		const result = await kms.send(
			new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 10}),
		);
		expect(result).toMatchObject({
			KeyId: created.KeyMetadata?.Arn,
			KeyState: 'PendingDeletion',
			PendingWindowInDays: 10,
		});
		const created_at = created.KeyMetadata?.CreationDate?.getTime() as number;
		const deletion = result.DeletionDate?.getTime() as number;
		// Within a minute of "creation + 10 days": both dates come from the same sandbox clock.
		expect(Math.abs(deletion - created_at - 10 * 86_400_000)).toBeLessThan(60_000);
		const described = await kms.send(new DescribeKeyCommand({KeyId: keyId}));
		expect(described.KeyMetadata?.DeletionDate?.getTime()).toBe(deletion);
		expect(described.KeyMetadata?.Enabled).toBe(false);
	});
});
