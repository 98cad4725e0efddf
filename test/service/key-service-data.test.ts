/**
 * The service calls behind rewrap, the deletion checks, the policy and the lessons: ReEncrypt,
 * GenerateDataKeyWithoutPlaintext, DisableKey, GetKeyPolicy/PutKeyPolicy and GetKeyLastUsage,
 * through the real SDK client against the sandbox, and against moto where it lacks one.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createServices, ServiceError, type Services} from '../../source/service/index.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';
import {createKey, sandboxServices} from '../helpers/render.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let services: Services;
let keyA: string;
let keyB: string;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	services = sandboxServices(sandbox, {maxAttempts: 1});
	keyA = await createKey(sandbox, 'key A');
	keyB = await createKey(sandbox, 'key B');
});
afterAll(async () => {
	services.close();
	await sandbox.close();
});

const context = {purpose: 'test'};

describe('data keys', () => {
	it('ReEncrypt moves a data key to another key; Decrypt under the new key gives the same bytes', async () => {
		const made = await services.keys.generateDataKey({keyId: keyA, encryptionContext: context});
		expect(made.keyMaterialId).toMatch(/^[0-9a-f]{64}$/);
		const moved = await services.keys.reEncryptDataKey({
			ciphertextBlob: made.ciphertextBlob,
			sourceKeyArn: made.keyArn,
			destinationKeyId: keyB,
			sourceEncryptionContext: context,
		});
		expect(moved.keyArn).toContain(keyB);
		expect(moved.sourceKeyArn).toBe(made.keyArn);
		expect(moved.keyMaterialId).toMatch(/^[0-9a-f]{64}$/);
		const opened = await services.keys.decryptDataKey({
			ciphertextBlob: moved.ciphertextBlob,
			encryptionContext: context,
			keyArn: moved.keyArn,
		});
		expect(opened.keyArn).toBe(moved.keyArn);
		expect(opened.keyMaterialId).toBe(moved.keyMaterialId);
		expect(opened.plaintext.equals(made.plaintext)).toBe(true);
		made.plaintext.fill(0);
		opened.plaintext.fill(0);
	});

	it('ReEncrypt can change the context: the new one is then required', async () => {
		const made = await services.keys.generateDataKeyWithoutPlaintext({
			keyId: keyA,
			encryptionContext: context,
		});
		expect('plaintext' in made).toBe(false);
		const moved = await services.keys.reEncryptDataKey({
			ciphertextBlob: made.ciphertextBlob,
			sourceKeyArn: made.keyArn,
			destinationKeyId: keyA,
			sourceEncryptionContext: context,
			destinationEncryptionContext: {purpose: 'other'},
		});
		await expect(
			services.keys.decryptDataKey({
				ciphertextBlob: moved.ciphertextBlob,
				encryptionContext: context,
				keyArn: moved.keyArn,
			}),
		).rejects.toMatchObject({kind: 'invalid-ciphertext'});
		const opened = await services.keys.decryptDataKey({
			ciphertextBlob: moved.ciphertextBlob,
			encryptionContext: {purpose: 'other'},
			keyArn: moved.keyArn,
		});
		expect(opened.plaintext).toHaveLength(32);
		opened.plaintext.fill(0);
	});

	it('ReEncrypt with the wrong source context fails and names the operation', async () => {
		const made = await services.keys.generateDataKeyWithoutPlaintext({
			keyId: keyA,
			encryptionContext: context,
		});
		const error = await services.keys
			.reEncryptDataKey({
				ciphertextBlob: made.ciphertextBlob,
				sourceKeyArn: made.keyArn,
				destinationKeyId: keyB,
				sourceEncryptionContext: {purpose: 'wrong'},
			})
			.catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(ServiceError);
		expect((error as ServiceError).message).toMatch(/re-encrypt the data key/);
	});
});

describe('key state, policy and last use', () => {
	it('DisableKey disables, and is undone by EnableKey', async () => {
		const key = await createKey(sandbox, 'to disable');
		expect((await services.keys.disableKey(key)).state).toBe('Disabled');
		expect((await services.keys.enableKey(key)).state).toBe('Enabled');
	});

	it('GetKeyPolicy gives the default policy; PutKeyPolicy replaces it', async () => {
		const key = await createKey(sandbox, 'policy');
		const policy = JSON.parse(await services.keys.keyPolicy(key));
		expect(policy.Statement[0].Action).toBe('kms:*');
		const next = {...policy, Statement: [{...policy.Statement[0], Sid: 'Root'}]};
		await services.keys.putKeyPolicy(key, JSON.stringify(next));
		expect(JSON.parse(await services.keys.keyPolicy(key)).Statement[0].Sid).toBe('Root');
	});

	it('GetKeyLastUsage: nothing before a use, then the operation that used it', async () => {
		const key = await createKey(sandbox, 'last use');
		const before = await services.keys.keyLastUsage(key);
		expect(before).toMatchObject({isReported: true});
		expect(before.isReported && before.operation).toBeFalsy();
		const made = await services.keys.generateDataKey({keyId: key, encryptionContext: {}});
		made.plaintext.fill(0);
		const after = await services.keys.keyLastUsage(key);
		expect(after).toMatchObject({isReported: true, operation: 'GenerateDataKey'});
		expect(after.isReported && after.at).toBeInstanceOf(Date);
	});
});

describe('on moto', () => {
	let moto: MotoServer | undefined;
	let motoServices: Services | undefined;
	let skipped = '';

	beforeAll(async () => {
		const started = await startMoto();
		if ('skipped' in started) {
			skipped = started.skipped;
			return;
		}
		moto = started.server;
		motoServices = createServices({
			region: 'us-east-1',
			endpoint: moto.endpoint,
			staticCredentials: {accessKeyId: 'moto', secretAccessKey: 'moto'},
			isLocal: true,
			maxAttempts: 1,
		});
	}, 40_000);
	afterAll(async () => {
		motoServices?.close();
		await moto?.close();
	});

	it('GetKeyLastUsage, which moto lacks, is "not reported" with why, not an error', async (test) => {
		if (!motoServices) return test.skip(skipped);
		const key = await motoServices.keys.listKeys().then(async (keys) => {
			if (keys[0]) return keys[0].keyId;
			const {CreateKeyCommand, KMSClient} = await import('@aws-sdk/client-kms');
			const client = new KMSClient({
				region: 'us-east-1',
				endpoint: moto?.endpoint,
				credentials: {accessKeyId: 'moto', secretAccessKey: 'moto'},
			});
			const output = await client.send(new CreateKeyCommand({}));
			client.destroy();
			return output.KeyMetadata?.KeyId ?? '';
		});
		expect(await motoServices.keys.keyLastUsage(key)).toEqual({
			isReported: false,
			reason: 'this endpoint does not implement GetKeyLastUsage',
		});
	});
});
