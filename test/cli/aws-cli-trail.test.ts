/**
 * The image's AWS CLI reads the CloudTrail-style events and the key's last use that
 * `kms-tui sandbox serve` recorded while the built kms-tui CLI encrypted and decrypted a file:
 * `aws cloudtrail lookup-events` (botocore's full JSON 1.1 target, its own paging, filters, time
 * window, errors) and `aws kms get-key-last-usage`. No event holds the file's plaintext, the
 * data key or a ciphertext.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {awsCliEnv, hasAwsCli, runAwsCli} from '../helpers/aws-cli.js';
import {runCli} from '../helpers/cli.js';
import {type ServedSandbox, serveSandbox} from '../helpers/serve.js';

if (!hasAwsCli) console.warn('[aws-cli-trail] skipped: the `aws` command is not installed');

type TrailEvent = {
	EventId: string;
	EventName: string;
	EventTime: number;
	ReadOnly: string;
	Resources: Array<{ResourceType: string; ResourceName: string}>;
	CloudTrailEvent: string;
};

describe.runIf(hasAwsCli)('AWS CLI cloudtrail and get-key-last-usage against sandbox serve', () => {
	let dir: string;
	let served: ServedSandbox;
	let env: NodeJS.ProcessEnv;
	let keyArn: string;
	const plaintext = 'the file nobody may read in a log: 7d0f3a';

	const aws = (...args: string[]) => runAwsCli(served.endpoint, env, args);
	const awsJson = async <T>(...args: string[]): Promise<T> => {
		const result = await aws(...args);
		expect(result.code, result.stderr).toBe(0);
		return JSON.parse(result.stdout) as T;
	};
	const kmsTui = (...args: string[]) =>
		runCli(['--endpoint-url', served.endpoint, '--region', 'us-east-1', ...args], {env, cwd: dir});
	const lookupEvents = async (...args: string[]) =>
		await awsJson<{Events: TrailEvent[]; NextToken?: string}>(
			'cloudtrail',
			'lookup-events',
			...args,
		);

	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-awscli-trail-'));
		// Its own access key id: the events must name it.
		env = {...awsCliEnv(dir), AWS_ACCESS_KEY_ID: 'AKIACLITRAIL'};
		served = await serveSandbox(path.join(dir, 'state'), dir);
		keyArn = (
			await awsJson<{KeyMetadata: {Arn: string}}>('kms', 'create-key', '--description', 'trail')
		).KeyMetadata.Arn;
	});
	afterAll(async () => {
		await served?.stop();
		await rm(dir, {recursive: true, force: true});
	});

	it('get-key-last-usage is empty before use and names the Decrypt after kms-tui decrypt', async () => {
		type Usage = {
			KeyId: string;
			KeyLastUsage: {Operation?: string; CloudTrailEventId?: string; KmsRequestId?: string};
			TrackingStartDate: number;
			KeyCreationDate: number;
		};
		const before = await awsJson<Usage>('kms', 'get-key-last-usage', '--key-id', keyArn);
		expect(before.KeyId).toBe(keyArn.split('/').at(-1));
		expect(before.KeyLastUsage).toEqual({});
		expect(before.TrackingStartDate).toBe(before.KeyCreationDate);

		await writeFile(path.join(dir, 'secret.txt'), plaintext);
		const encrypted = await kmsTui(
			'encrypt',
			'secret.txt',
			'--key',
			keyArn,
			'--format',
			'json',
			'-o',
			'secret.txt.kms',
		);
		expect(encrypted.code, encrypted.stderr).toBe(0);
		expect(encrypted.stdout.trim()).toBe('secret.txt.kms');
		const decrypted = await kmsTui('decrypt', 'secret.txt.kms', '-o', 'secret.out');
		expect(decrypted.code, decrypted.stderr).toBe(0);
		expect(await readFile(path.join(dir, 'secret.out'), 'utf8')).toBe(plaintext);

		const after = await awsJson<Usage>('kms', 'get-key-last-usage', '--key-id', keyArn);
		const [decryptEvent] = (
			await lookupEvents('--lookup-attributes', 'AttributeKey=EventName,AttributeValue=Decrypt')
		).Events;
		expect(after.KeyLastUsage).toMatchObject({
			Operation: 'Decrypt',
			CloudTrailEventId: decryptEvent?.EventId,
		});
		expect(JSON.parse(decryptEvent?.CloudTrailEvent as string).requestID).toBe(
			after.KeyLastUsage.KmsRequestId,
		);
	});

	it('lookup-events lists the key’s events newest first, with no secret in any', async () => {
		const {Events: events} = await lookupEvents(
			'--lookup-attributes',
			`AttributeKey=ResourceName,AttributeValue=${keyArn}`,
		);
		const names = events.map((event) => event.EventName);
		expect(names[0]).toBe('GetKeyLastUsage');
		expect(names.indexOf('Decrypt')).toBeLessThan(names.indexOf('GenerateDataKey'));
		expect(names.at(-1)).toBe('CreateKey');
		const generated = JSON.parse(
			events.find((event) => event.EventName === 'GenerateDataKey')?.CloudTrailEvent as string,
		);
		expect(generated).toMatchObject({
			eventSource: 'kms.amazonaws.com',
			userAgent: expect.stringContaining('aws-sdk-js'),
			userIdentity: {accessKeyId: 'AKIACLITRAIL'},
			requestParameters: {keyId: keyArn},
			responseElements: null,
		});

		// The secrets: the file, the envelope's ciphertext, its encrypted data key, the data key.
		const envelope = JSON.parse(await readFile(path.join(dir, 'secret.txt.kms'), 'utf8')) as {
			ciphertext: string;
			wrappedKeys: Array<{encryptedDataKey: string}>;
		};
		const encryptedDataKey = envelope.wrappedKeys[0]?.encryptedDataKey as string;
		await writeFile(path.join(dir, 'edk.bin'), Buffer.from(encryptedDataKey, 'base64'));
		const dataKey = (
			await awsJson<{Plaintext: string}>(
				'kms',
				'decrypt',
				'--ciphertext-blob',
				`fileb://${path.join(dir, 'edk.bin')}`,
			)
		).Plaintext;
		expect(Buffer.from(dataKey, 'base64')).toHaveLength(32);
		const everything = (await aws('cloudtrail', 'lookup-events')).stdout;
		for (const secret of [
			plaintext,
			Buffer.from(plaintext).toString('base64'),
			envelope.ciphertext,
			encryptedDataKey,
			dataKey,
		]) {
			expect(everything).not.toContain(secret);
		}
	});

	it('pages with --page-size/--max-items/--starting-token and keeps to a time window', async () => {
		const all = (await lookupEvents()).Events;
		expect(all.length).toBeGreaterThan(5);
		const first = await lookupEvents('--page-size', '2', '--max-items', '3');
		expect(first.Events.map((event) => event.EventId)).toEqual(
			all.slice(0, 3).map((event) => event.EventId),
		);
		expect(first.NextToken).toBeDefined();
		const rest = await lookupEvents(
			'--page-size',
			'2',
			'--starting-token',
			first.NextToken as string,
		);
		expect(rest.Events.map((event) => event.EventId)).toEqual(
			all.slice(3).map((event) => event.EventId),
		);

		const newest = all[0]?.EventTime as number;
		const oldest = all.at(-1)?.EventTime as number;
		const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
		expect(
			(await lookupEvents('--start-time', iso(oldest), '--end-time', iso(newest))).Events,
		).toHaveLength(all.length);
		expect((await lookupEvents('--start-time', iso(newest + 1))).Events).toEqual([]);
	});

	it('kms-tui activity lists the same events as aws cloudtrail lookup-events', async () => {
		const activity = await kmsTui('activity', '--key', keyArn, '--json');
		expect(activity.code, activity.stderr).toBe(0);
		const listed = (JSON.parse(activity.stdout) as {events: Array<{eventId: string}>}).events;
		// LookupEvents is not itself an event: nothing happened to the key between the two reads.
		const {Events: events} = await lookupEvents(
			'--lookup-attributes',
			`AttributeKey=ResourceName,AttributeValue=${keyArn}`,
		);
		expect(listed.map((event) => event.eventId)).toEqual(events.map((event) => event.EventId));
	});

	it('answers bad input with CloudTrail’s exception names', async () => {
		const two = await aws(
			'cloudtrail',
			'lookup-events',
			'--lookup-attributes',
			'AttributeKey=EventName,AttributeValue=Decrypt',
			'AttributeKey=ReadOnly,AttributeValue=true',
		);
		expect(two.code).not.toBe(0);
		expect(two.stderr).toContain('InvalidLookupAttributesException');
		const window = await aws(
			'cloudtrail',
			'lookup-events',
			'--start-time',
			'2026-02-01T00:00:00Z',
			'--end-time',
			'2026-01-01T00:00:00Z',
		);
		expect(window.code).not.toBe(0);
		expect(window.stderr).toContain('InvalidTimeRangeException');
		const alias = await aws('kms', 'get-key-last-usage', '--key-id', 'alias/aws/s3');
		expect(alias.code).not.toBe(0);
		expect(alias.stderr).toContain('NotFoundException');
	});
});
