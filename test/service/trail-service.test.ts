/**
 * services.trail.keyEvents over the real @aws-sdk/client-cloudtrail against the sandbox: only the
 * key's own events, newest first, paged, within the time window, no key material in any field;
 * and moto, which has no CloudTrail, answered with a sentence instead of an SDK dump.
 */
import {CreateKeyCommand, EncryptCommand, type KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readKeyActivity, ServiceError, type Services} from '../../source/service/index.js';
import {type MotoResult, startMoto} from '../helpers/moto.js';
import {sandboxServices} from '../helpers/render.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let services: Services;
let kms: KMSClient;
let keyA: string;
let keyB: string;
const secrets: string[] = [];
const longAgo = new Date(0);

beforeAll(async () => {
	sandbox = await startTestSandbox();
	services = sandboxServices(sandbox);
	kms = sandbox.kms();
	const create = async (description: string) =>
		(await kms.send(new CreateKeyCommand({Description: description}))).KeyMetadata?.Arn as string;
	keyA = await create('trail A');
	keyB = await create('trail B');
	const dataKey = await services.keys.generateDataKey({
		keyId: keyA,
		encryptionContext: {purpose: 'trail-test'},
	});
	secrets.push(
		dataKey.plaintext.toString('base64'),
		Buffer.from(dataKey.ciphertextBlob).toString('base64'),
	);
	const decrypted = await services.keys.decryptDataKey({
		ciphertextBlob: dataKey.ciphertextBlob,
		encryptionContext: {purpose: 'trail-test'},
		keyArn: keyA,
	});
	decrypted.plaintext.fill(0);
	dataKey.plaintext.fill(0);
	const message = 'a plaintext nobody may log: 51c0ffee';
	const encrypted = await kms.send(
		new EncryptCommand({KeyId: keyB, Plaintext: Buffer.from(message)}),
	);
	secrets.push(
		message,
		Buffer.from(message).toString('base64'),
		Buffer.from(encrypted.CiphertextBlob as Uint8Array).toString('base64'),
	);
});
afterAll(async () => {
	services?.close();
	await sandbox?.close();
});

describe('TrailService.keyEvents on the sandbox', () => {
	it('lists only the key’s events, newest first, with who, how and what was asked', async () => {
		const {events, nextToken} = await services.trail.keyEvents(keyA, {since: longAgo});
		expect(nextToken).toBeUndefined();
		expect(events.map((event) => event.name)).toEqual(['Decrypt', 'GenerateDataKey', 'CreateKey']);
		const times = events.map((event) => event.time.getTime());
		expect([...times].sort((a, b) => b - a)).toEqual(times);
		const [decrypt, generate] = events;
		expect(generate).toMatchObject({
			source: 'kms.amazonaws.com',
			principal: 'root',
			accessKeyId: 'sandbox',
			userAgent: expect.stringContaining('aws-sdk-js'),
			sourceIp: '127.0.0.1',
			isReadOnly: true,
			requestParameters: {
				keyId: keyA,
				keySpec: 'AES_256',
				encryptionContext: {purpose: 'trail-test'},
			},
		});
		const summary = generate?.requestSummary.split(', ').sort();
		expect(summary).toEqual([
			'encryptionContext={purpose=trail-test}',
			`keyId=${keyA}`,
			'keySpec=AES_256',
		]);
		expect(decrypt?.errorCode).toBeUndefined();
		expect(events.every((event) => event.eventId.length > 0)).toBe(true);

		const other = await services.trail.keyEvents(keyB, {since: longAgo});
		expect(other.events.map((event) => event.name)).toEqual(['Encrypt', 'CreateKey']);
	});

	it('reports a failed call with its error code and message', async () => {
		await expect(
			services.keys.decryptDataKey({
				ciphertextBlob: Buffer.from(secrets[1] as string, 'base64'),
				encryptionContext: {purpose: 'another'},
				keyArn: keyA,
			}),
		).rejects.toMatchObject({kind: 'invalid-ciphertext'});
		const [failed] = (await services.trail.keyEvents(keyA, {since: longAgo, pageSize: 1})).events;
		expect(failed).toMatchObject({name: 'Decrypt', errorCode: 'InvalidCiphertextException'});
	});

	it('pages with nextToken: the pages together are the whole list, in order', async () => {
		const all = (await services.trail.keyEvents(keyA, {since: longAgo})).events;
		expect(all.length).toBeGreaterThanOrEqual(4);
		const paged: string[] = [];
		let pageToken: string | undefined;
		let pages = 0;
		do {
			const page = await services.trail.keyEvents(keyA, {since: longAgo, pageSize: 3, pageToken});
			expect(page.events.length).toBeLessThanOrEqual(3);
			paged.push(...page.events.map((event) => event.eventId));
			pageToken = page.nextToken;
			pages++;
		} while (pageToken);
		expect(pages).toBe(Math.ceil(all.length / 3));
		expect(paged).toEqual(all.map((event) => event.eventId));
	});

	it('keeps to the time window: since and until', async () => {
		const before = (await services.trail.keyEvents(keyA, {since: longAgo})).events;
		await sandbox.advance(2 * 3_600_000);
		await services.keys.describeKey(keyA);
		const now = sandbox.running.now();
		const lastHour = await services.trail.keyEvents(keyA, {since: new Date(now - 3_600_000)});
		expect(lastHour.events.map((event) => event.name)).toEqual(['DescribeKey']);
		const earlier = await services.trail.keyEvents(keyA, {
			since: longAgo,
			until: new Date(now - 3_600_000),
		});
		expect(earlier.events.map((event) => event.eventId)).toEqual(
			before.map((event) => event.eventId),
		);
	});

	it('holds no plaintext, data key or ciphertext in any field', async () => {
		const everything = JSON.stringify([
			...(await services.trail.keyEvents(keyA, {since: longAgo})).events,
			...(await services.trail.keyEvents(keyB, {since: longAgo})).events,
		]);
		expect(secrets).toHaveLength(5);
		for (const secret of secrets) expect(everything).not.toContain(secret);
		expect(everything).not.toMatch(/"(plaintext|ciphertextBlob)"/i);
	});

	it('refuses a page size CloudTrail does not accept, before any call', async () => {
		await expect(
			services.trail.keyEvents(keyA, {since: longAgo, pageSize: 51}),
		).rejects.toMatchObject({kind: 'validation', message: expect.stringContaining('1 to 50')});
	});

	it('maps CloudTrail’s own errors: a NextToken from another lookup', async () => {
		const {nextToken} = await services.trail.keyEvents(keyA, {since: longAgo, pageSize: 1});
		const error = await services.trail
			.keyEvents(keyB, {since: longAgo, pageSize: 1, pageToken: nextToken})
			.catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(ServiceError);
		expect((error as ServiceError).code).toBe('InvalidNextTokenException');
		expect((error as ServiceError).kind).toBe('validation');
		expect((error as ServiceError).hint).toContain('first page');
		expect((error as ServiceError).message).toMatch(/^Could not read the key’s CloudTrail events/);
	});
});

describe('readKeyActivity', () => {
	it('reads at most maxEvents, and then counts the span those cover', async () => {
		const now = sandbox.running.now();
		const all = await readKeyActivity(services, keyA, {sinceMs: 7 * 86_400_000, now});
		expect(all.isTruncated).toBe(false);
		expect(all.key.arn).toBe(keyA);
		// Its own DescribeKey and ListKeyRotations come first: they were made before the lookup.
		expect(all.events.slice(0, 2).map((event) => event.name)).toEqual([
			'ListKeyRotations',
			'DescribeKey',
		]);
		expect(all.requests).toBe(all.events.length);
		expect(all.coveredFrom).toEqual(all.key.createdAt);

		const some = await readKeyActivity(services, keyA, {
			sinceMs: 7 * 86_400_000,
			now,
			maxEvents: 3,
		});
		expect(some.events).toHaveLength(3);
		expect(some.isTruncated).toBe(true);
		expect(some.coveredFrom).toEqual(some.events[2]?.time);
	});
});

describe('TrailService.keyEvents on moto', () => {
	let moto: MotoResult;
	beforeAll(async () => {
		moto = await startMoto();
		if ('skipped' in moto) console.warn(`[trail-service] moto skipped: ${moto.skipped}`);
	}, 40_000);
	afterAll(async () => {
		if (moto && 'server' in moto) await moto.server.close();
	});

	it('says the endpoint does not serve CloudTrail LookupEvents', async (context) => {
		if (!('server' in moto)) return context.skip();
		const motoServices = sandboxServices(
			{endpoint: moto.server.endpoint, region: 'us-east-1'},
			{maxAttempts: 1},
		);
		try {
			const error = await motoServices.trail
				.keyEvents('arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', {
					since: longAgo,
				})
				.catch((caught: unknown) => caught);
			expect(error).toBeInstanceOf(ServiceError);
			expect((error as ServiceError).message).toBe(
				'This endpoint does not serve CloudTrail LookupEvents, so kms-tui cannot list the key’s activity here.',
			);
			expect((error as ServiceError).message).not.toMatch(/doctype|Deserialization/i);
		} finally {
			motoServices.close();
		}
	});
});
