/**
 * rewrapFile on AWS Encryption SDK messages (source/esdk/rewrap.ts), proven with the real SDK:
 * messages written by @aws-crypto/client-node, re-wrapped under another key through the real
 * service layer on the embedded sandbox, are decrypted again by @aws-crypto/client-node with a
 * keyring of the new key only, the old key disabled. Signed and unsigned suites.
 */
import {randomBytes} from 'node:crypto';
import {readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {
	AlgorithmSuiteIdentifier,
	buildClient,
	CommitmentPolicy,
	KmsKeyringNode,
} from '@aws-crypto/client-node';
import {CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMS} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {rewrapFile} from '../../source/envelope/rewrap.js';
import type {Services} from '../../source/service/index.js';
import {createServices} from '../../source/service/index.js';
import {rejection, sha256File, tempDirPerTest} from '../helpers/local-data-keys.js';
import {dummyCredentials, startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

const {encrypt, decrypt} = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

let sandbox: TestSandbox;
let services: Services;
let kms: KMS;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	services = createServices({
		region: sandbox.region,
		endpoint: sandbox.endpoint,
		staticCredentials: dummyCredentials,
		isLocal: true,
	});
	kms = new KMS({
		endpoint: sandbox.endpoint,
		region: sandbox.region,
		credentials: dummyCredentials,
	});
});
afterAll(async () => {
	kms.destroy();
	services.close();
	await sandbox.close();
});

const dir = tempDirPerTest();

/** A fresh key, straight through KMS (helpers/render.tsx would load the whole TUI). */
async function createKey(target: TestSandbox): Promise<string> {
	const output = await target.kms().send(new CreateKeyCommand({}));
	return output.KeyMetadata?.KeyId ?? '';
}

async function arnOf(keyId: string): Promise<string> {
	return (await services.keys.describeKey(keyId)).arn;
}

function keyring(generatorKeyId: string, keyIds: string[] = []) {
	return new KmsKeyringNode({generatorKeyId, keyIds, clientProvider: () => kms});
}

const suites = {
	signed: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
	unsigned: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
} as const;

describe.each(Object.entries(suites))('an SDK message, %s suite', (name, suiteId) => {
	test('re-wrapped under another key decrypts with the real SDK, the old key disabled', async () => {
		const oldArn = await arnOf(await createKey(sandbox));
		const newArn = await arnOf(await createKey(sandbox));
		const plaintext = randomBytes(3 * 4096 + 17);
		const context = {purpose: `rewrap ${name}`};
		const {result, messageHeader: original} = await encrypt(keyring(oldArn), plaintext, {
			suiteId,
			encryptionContext: context,
			frameLength: 4096,
		});
		const file = path.join(dir(), 'message.encrypted');
		await writeFile(file, result);
		const rewrapped = await rewrapFile(file, {provider: services.keys, to: [newArn]});
		expect(rewrapped.kind).toBe('esdk');
		expect(rewrapped.before).toEqual([{keyArn: oldArn}]);
		expect(rewrapped.after).toEqual([{keyArn: newArn}]);
		await kms.send(new DisableKeyCommand({KeyId: oldArn}));
		try {
			const {plaintext: opened, messageHeader} = await decrypt(
				keyring(newArn),
				await readFile(file),
			);
			expect(Buffer.from(opened).equals(plaintext)).toBe(true);
			expect(messageHeader.suiteId).toBe(suiteId);
			expect(messageHeader.encryptionContext.purpose).toBe(context.purpose);
			expect(messageHeader.frameLength).toBe(4096);
			// A new message id, so no AES-GCM (key, nonce) of the old header is used again.
			expect(Buffer.from(messageHeader.messageId).equals(Buffer.from(original.messageId))).toBe(
				false,
			);
		} finally {
			await kms.send(new EnableKeyCommand({KeyId: oldArn}));
		}
		await expect(decrypt(keyring(oldArn), await readFile(file))).rejects.toThrow();
	});

	test('--add-key keeps the old key able to open it, and the file gets a new message id', async () => {
		const a = await arnOf(await createKey(sandbox));
		const b = await arnOf(await createKey(sandbox));
		const plaintext = Buffer.from('small SDK message');
		const {result, messageHeader: before} = await encrypt(keyring(a), plaintext, {suiteId});
		const file = path.join(dir(), 'small.encrypted');
		await writeFile(file, result);
		const rewrapped = await rewrapFile(file, {provider: services.keys, addKeys: [b]});
		expect(rewrapped.after.map((key) => key.keyArn)).toEqual([a, b]);
		for (const arn of [a, b]) {
			const {plaintext: opened, messageHeader} = await decrypt(keyring(arn), await readFile(file));
			expect(Buffer.from(opened).equals(plaintext)).toBe(true);
			expect(Buffer.from(messageHeader.messageId).equals(Buffer.from(before.messageId))).toBe(
				false,
			);
		}
	});
});

test('a modified SDK message is not re-wrapped (nor re-signed): the file stays as it was', async () => {
	const a = await arnOf(await createKey(sandbox));
	const b = await arnOf(await createKey(sandbox));
	const {result} = await encrypt(keyring(a), randomBytes(10_000), {
		suiteId: suites.signed,
		frameLength: 4096,
	});
	const bytes = Buffer.from(result);
	// One bit of the last frame's ciphertext.
	const at = bytes.length - 200;
	bytes[at] = (bytes[at] as number) ^ 1;
	const file = path.join(dir(), 'tampered.encrypted');
	await writeFile(file, bytes);
	const hash = await sha256File(file);
	const error = await rejection(rewrapFile(file, {provider: services.keys, to: [b]}));
	expect(['tampered', 'truncated']).toContain(error.code);
	expect(await sha256File(file)).toBe(hash);
	expect(await readdir(dir())).toEqual(['tampered.encrypted']);
});

test('a wrong --context and a missing key leave the SDK message byte-identical', async () => {
	const a = await arnOf(await createKey(sandbox));
	const {result} = await encrypt(keyring(a), Buffer.from('x'), {
		suiteId: suites.unsigned,
		encryptionContext: {app: 'one'},
	});
	const file = path.join(dir(), 'ctx.encrypted');
	await writeFile(file, result);
	const hash = await sha256File(file);
	const wrong = await rejection(
		rewrapFile(file, {provider: services.keys, expectedContext: {app: 'two'}}),
	);
	expect(wrong.code).toBe('context-mismatch');
	const missing = await rejection(
		rewrapFile(file, {provider: services.keys, to: ['alias/not-there']}),
	);
	expect(missing.code).toBe('kms');
	expect(await sha256File(file)).toBe(hash);
	expect(await readdir(dir())).toEqual(['ctx.encrypted']);
});
