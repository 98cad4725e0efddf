/**
 * Rotation and the passage of time through the real SDK. `advance` moves the sandbox clock for
 * every key in this sandbox, so each test only asserts about keys it made itself.
 */
import {
	CreateAliasCommand,
	CreateKeyCommand,
	DecryptCommand,
	DescribeKeyCommand,
	DisableKeyCommand,
	EnableKeyCommand,
	EnableKeyRotationCommand,
	EncryptCommand,
	GetKeyRotationStatusCommand,
	type KMSClient,
	ListAliasesCommand,
	ListKeyRotationsCommand,
	RotateKeyOnDemandCommand,
	ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

const day = 86_400_000;
let sandbox: TestSandbox;
let kms: KMSClient;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	kms = sandbox.kms();
});
afterAll(async () => {
	await sandbox.close();
});

async function newKey() {
	const {KeyMetadata} = await kms.send(new CreateKeyCommand({}));
	return {
		keyId: KeyMetadata?.KeyId as string,
		arn: KeyMetadata?.Arn as string,
		materialId: KeyMetadata?.CurrentKeyMaterialId as string,
	};
}

async function encrypt(keyId: string, text: string) {
	const {CiphertextBlob} = await kms.send(
		new EncryptCommand({KeyId: keyId, Plaintext: Buffer.from(text), EncryptionContext: {t: text}}),
	);
	return CiphertextBlob as Uint8Array;
}

async function decrypt(blob: Uint8Array, text: string) {
	const result = await kms.send(
		new DecryptCommand({CiphertextBlob: blob, EncryptionContext: {t: text}}),
	);
	return {
		text: Buffer.from(result.Plaintext as Uint8Array).toString(),
		materialId: result.KeyMaterialId,
	};
}

async function currentMaterial(keyId: string) {
	const {KeyMetadata} = await kms.send(new DescribeKeyCommand({KeyId: keyId}));
	return KeyMetadata?.CurrentKeyMaterialId as string;
}

describe('on-demand rotation', () => {
	test('25 rotations, then LimitExceededException; every older blob still decrypts', async () => {
		const noRetry = sandbox.kms({maxAttempts: 1});
		const {keyId, arn, materialId} = await newKey();
		const blobs = [{blob: await encrypt(keyId, 'r0'), text: 'r0', materialId}];
		for (let i = 1; i <= 25; i++) {
			await expect(
				noRetry.send(new RotateKeyOnDemandCommand({KeyId: keyId})),
			).resolves.toMatchObject({KeyId: arn});
			const current = await currentMaterial(keyId);
			expect(blobs.map((b) => b.materialId)).not.toContain(current);
			blobs.push({blob: await encrypt(keyId, `r${i}`), text: `r${i}`, materialId: current});
		}
		await expect(noRetry.send(new RotateKeyOnDemandCommand({KeyId: keyId}))).rejects.toMatchObject({
			name: 'LimitExceededException',
			message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${arn}`,
		});
		for (const {blob, text, materialId: expected} of blobs) {
			await expect(decrypt(blob, text)).resolves.toEqual({text, materialId: expected});
		}
		const {Rotations} = await kms.send(new ListKeyRotationsCommand({KeyId: keyId}));
		expect(Rotations).toHaveLength(25);
		expect(Rotations?.every((r) => r.RotationType === 'ON_DEMAND' && r.KeyId === keyId)).toBe(true);
		expect(Rotations?.map((r) => r.KeyMaterialId)).toEqual(blobs.slice(1).map((b) => b.materialId));
	});

	test('on-demand rotation does not move the automatic schedule', async () => {
		const {keyId} = await newKey();
		await kms.send(new EnableKeyRotationCommand({KeyId: keyId, RotationPeriodInDays: 90}));
		const before = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		await kms.send(new RotateKeyOnDemandCommand({KeyId: keyId}));
		const after = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		expect(after.NextRotationDate).toEqual(before.NextRotationDate);
	});
});

describe('automatic rotation', () => {
	test('rotation status: false for a new key, then enabled with period and next date; calling again changes the period', async () => {
		const {keyId, arn} = await newKey();
		await expect(kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}))).resolves.toMatchObject({
			KeyRotationEnabled: false,
			KeyId: arn,
		});
		await kms.send(new EnableKeyRotationCommand({KeyId: keyId}));
		const status = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		expect(status).toMatchObject({KeyRotationEnabled: true, KeyId: arn, RotationPeriodInDays: 365});
		await kms.send(new EnableKeyRotationCommand({KeyId: keyId, RotationPeriodInDays: 100}));
		const changed = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		expect(changed.RotationPeriodInDays).toBe(100);
		const shift =
			(status.NextRotationDate?.getTime() as number) -
			(changed.NextRotationDate?.getTime() as number);
		expect(shift).toBe(265 * day);
	});

	test('advancing past NextRotationDate rotates, once per missed period, and old blobs decrypt', async () => {
		const {keyId, materialId} = await newKey();
		await kms.send(new EnableKeyRotationCommand({KeyId: keyId, RotationPeriodInDays: 90}));
		const {NextRotationDate} = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		const first = NextRotationDate?.getTime() as number;
		const blob = await encrypt(keyId, 'old');
		await sandbox.advance(2 * 90 * day + day);
		const {Rotations} = await kms.send(new ListKeyRotationsCommand({KeyId: keyId}));
		expect(Rotations?.map((r) => r.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC']);
		expect(Rotations?.map((r) => r.RotationDate?.getTime())).toEqual([first, first + 90 * day]);
		const current = await currentMaterial(keyId);
		expect(current).not.toBe(materialId);
		expect(current).toBe(Rotations?.[1]?.KeyMaterialId);
		const status = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		expect(status.NextRotationDate?.getTime()).toBe(first + 2 * 90 * day);
		await expect(decrypt(blob, 'old')).resolves.toEqual({text: 'old', materialId});
	});

	test('a disabled key is not rotated; it rotates once when enabled again', async () => {
		const {keyId} = await newKey();
		await kms.send(new EnableKeyRotationCommand({KeyId: keyId, RotationPeriodInDays: 90}));
		await kms.send(new DisableKeyCommand({KeyId: keyId}));
		await sandbox.advance(200 * day);
		await expect(kms.send(new ListKeyRotationsCommand({KeyId: keyId}))).resolves.toMatchObject({
			Rotations: [],
		});
		await kms.send(new EnableKeyCommand({KeyId: keyId}));
		const {Rotations} = await kms.send(new ListKeyRotationsCommand({KeyId: keyId}));
		expect(Rotations).toHaveLength(1);
		expect(Rotations?.[0]?.RotationType).toBe('AUTOMATIC');
	});
});

describe('deletion', () => {
	test('after the waiting period the key, its aliases and its blobs are gone', async () => {
		const {keyId, arn} = await newKey();
		const aliasName = `alias/doomed-${keyId}`;
		await kms.send(new CreateAliasCommand({AliasName: aliasName, TargetKeyId: keyId}));
		const blob = await encrypt(keyId, 'bye');
		await kms.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 7}));
		await sandbox.advance(6 * day);
		await expect(kms.send(new DescribeKeyCommand({KeyId: keyId}))).resolves.toMatchObject({
			KeyMetadata: {KeyState: 'PendingDeletion'},
		});
		await sandbox.advance(day + 60_000);
		await expect(kms.send(new DescribeKeyCommand({KeyId: keyId}))).rejects.toMatchObject({
			name: 'NotFoundException',
			message: `Key '${arn}' does not exist`,
		});
		const {Aliases} = await kms.send(new ListAliasesCommand({}));
		expect(Aliases?.map((a) => a.AliasName)).not.toContain(aliasName);
		await expect(decrypt(blob, 'bye')).rejects.toMatchObject({
			name: 'InvalidCiphertextException',
			// The wire message is empty; the JS SDK turns an empty message into "UnknownError".
			message: 'UnknownError',
		});
	});
});

describe('the clock moves at most 100 years', () => {
	test('advance refuses to go further and changes nothing', async () => {
		const {advanceSandboxClock, maxClockOffsetMs} = await import('../../source/sandbox/index.js');
		const before = (await sandbox.running.store.read()).clockOffsetMs;
		for (const ms of [
			99_999_999_999 * day,
			maxClockOffsetMs - before + 1,
			Number.POSITIVE_INFINITY,
			0,
			-day,
		]) {
			await expect(advanceSandboxClock(sandbox.running.store, ms)).rejects.toMatchObject({
				name: 'SandboxClockRangeError',
				message: expect.stringContaining('at most 100 years (36525d)'),
			});
		}
		expect((await sandbox.running.store.read()).clockOffsetMs).toBe(before);
	});
});
