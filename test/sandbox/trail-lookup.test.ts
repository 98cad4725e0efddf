/**
 * The sandbox's CloudTrail: every KMS and CloudFormation call it answers is one event, read back
 * with the real @aws-sdk/client-cloudtrail's LookupEvents (paging, attribute filters, time window,
 * CloudTrail's errors), and no event holds a plaintext, a data key or a ciphertext blob.
 */
import {request} from 'node:http';
import {DescribeStacksCommand} from '@aws-sdk/client-cloudformation';
import {
	CloudTrailClient,
	DescribeTrailsCommand,
	type Event,
	LookupEventsCommand,
	type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import {
	CreateAliasCommand,
	CreateKeyCommand,
	DecryptCommand,
	DescribeKeyCommand,
	EncryptCommand,
	GenerateDataKeyCommand,
	type KMSClient,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startTestSandbox, type TestSandbox, testRegion} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let kms: KMSClient;
let trail: CloudTrailClient;
/** The X-Amz-Target of every CloudTrail request the SDK sent. */
const targets: string[] = [];

beforeAll(async () => {
	sandbox = await startTestSandbox();
	kms = sandbox.kms({credentials: {accessKeyId: 'AKIATRAILTEST', secretAccessKey: 'sandbox'}});
	trail = new CloudTrailClient({
		endpoint: sandbox.endpoint,
		region: testRegion,
		credentials: {accessKeyId: 'AKIATRAILREADER', secretAccessKey: 'sandbox'},
	});
	trail.middlewareStack.add(
		(next) => async (args) => {
			const headers = (args.request as {headers: Record<string, string>}).headers;
			targets.push(headers['x-amz-target'] ?? '');
			return next(args);
		},
		{step: 'finalizeRequest'},
	);
});
afterAll(async () => {
	trail.destroy();
	await sandbox.close();
});

const lookup = (input: LookupEventsCommandInput = {}) => trail.send(new LookupEventsCommand(input));

// biome-ignore lint/suspicious/noExplicitAny: a parsed CloudTrail record, asserted member by member
type TrailRecord = Record<string, any>;
const record = (event: Event) => JSON.parse(event.CloudTrailEvent as string) as TrailRecord;

/** All events a lookup finds, following NextToken. */
async function lookupAll(input: LookupEventsCommandInput = {}): Promise<Event[]> {
	const events: Event[] = [];
	let nextToken: string | undefined;
	do {
		const page = await lookup({...input, NextToken: nextToken});
		events.push(...(page.Events ?? []));
		nextToken = page.NextToken;
	} while (nextToken);
	return events;
}

async function failureName(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		return (error as Error).name;
	}
	throw new Error('expected the call to fail');
}

describe('recording', () => {
	let keyArn: string;
	let keyId: string;
	let secrets: string[];

	beforeAll(async () => {
		const created = await kms.send(new CreateKeyCommand({Description: 'trail test'}));
		keyArn = created.KeyMetadata?.Arn as string;
		keyId = created.KeyMetadata?.KeyId as string;
		await kms.send(new CreateAliasCommand({AliasName: 'alias/trail-test', TargetKeyId: keyId}));
		const dataKey = await kms.send(
			new GenerateDataKeyCommand({
				KeyId: 'alias/trail-test',
				KeySpec: 'AES_256',
				EncryptionContext: {purpose: 'trail-test'},
			}),
		);
		const plaintext = Buffer.from('a secret that must never reach a log: 4f1c0a');
		const encrypted = await kms.send(new EncryptCommand({KeyId: keyArn, Plaintext: plaintext}));
		await kms.send(
			new DecryptCommand({
				CiphertextBlob: dataKey.CiphertextBlob,
				EncryptionContext: {purpose: 'trail-test'},
			}),
		);
		// The wrong context: KMS refuses, and the refusal is an event too.
		await failureName(
			kms.send(
				new DecryptCommand({
					CiphertextBlob: dataKey.CiphertextBlob,
					EncryptionContext: {purpose: 'other'},
				}),
			),
		);
		secrets = [
			Buffer.from(dataKey.Plaintext as Uint8Array).toString('base64'),
			Buffer.from(dataKey.CiphertextBlob as Uint8Array).toString('base64'),
			Buffer.from(encrypted.CiphertextBlob as Uint8Array).toString('base64'),
			plaintext.toString('base64'),
			plaintext.toString('utf8'),
		];
	});

	it('sends the JS SDK target CloudTrail_20131101.LookupEvents and finds every call, newest first', async () => {
		const events = await lookupAll();
		expect(targets.at(-1)).toBe('CloudTrail_20131101.LookupEvents');
		const names = events.map((event) => event.EventName);
		expect(names.slice(0, 6)).toEqual([
			'Decrypt',
			'Decrypt',
			'Encrypt',
			'GenerateDataKey',
			'CreateAlias',
			'CreateKey',
		]);
		// LookupEvents itself is not an event.
		expect(names).not.toContain('LookupEvents');
		const times = events.map((event) => (event.EventTime as Date).getTime());
		expect([...times].sort((a, b) => b - a)).toEqual(times);
	});

	it('holds the CloudTrail fields, the key as a resource, and the caller', async () => {
		const [failed, decrypt, , generate] = (await lookup({MaxResults: 4})).Events as Event[];
		const generated = record(generate as Event);
		expect(generated).toMatchObject({
			eventVersion: expect.any(String),
			eventSource: 'kms.amazonaws.com',
			eventName: 'GenerateDataKey',
			awsRegion: testRegion,
			sourceIPAddress: '127.0.0.1',
			userAgent: expect.stringContaining('aws-sdk-js'),
			userIdentity: {type: 'Root', accountId: '000000000000', accessKeyId: 'AKIATRAILTEST'},
			requestParameters: {
				keyId: 'alias/trail-test',
				keySpec: 'AES_256',
				encryptionContext: {purpose: 'trail-test'},
			},
			responseElements: null,
			readOnly: true,
			resources: [{ARN: keyArn, type: 'AWS::KMS::Key', accountId: '000000000000'}],
			managementEvent: true,
			eventCategory: 'Management',
			eventType: 'AwsApiCall',
		});
		expect(generated.eventID).toMatch(/^[0-9a-f-]{36}$/);
		expect(generated.requestID).toMatch(/^[0-9a-f-]{36}$/);
		expect(generated.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		expect(generate).toMatchObject({
			EventId: generated.eventID,
			EventName: 'GenerateDataKey',
			ReadOnly: 'true',
			AccessKeyId: 'AKIATRAILTEST',
			EventSource: 'kms.amazonaws.com',
			Username: 'root',
			Resources: [{ResourceType: 'AWS::KMS::Key', ResourceName: keyArn}],
		});
		expect(record(decrypt as Event).errorCode).toBeUndefined();
		// Decrypt names no key: the resource is the key the ciphertext was under.
		expect(decrypt?.Resources).toEqual([{ResourceType: 'AWS::KMS::Key', ResourceName: keyArn}]);
		expect(record(failed as Event)).toMatchObject({
			eventName: 'Decrypt',
			errorCode: 'InvalidCiphertextException',
			responseElements: null,
		});
	});

	it('keeps no plaintext, data key or ciphertext blob in any event', async () => {
		const events = await lookupAll();
		const everything = JSON.stringify(events);
		for (const secret of secrets) expect(everything).not.toContain(secret);
		for (const event of events) {
			const parameters = record(event).requestParameters ?? {};
			for (const member of ['plaintext', 'ciphertextBlob'])
				expect(parameters).not.toHaveProperty(member);
		}
	});

	it('records a write with its response, a read and a failure with its error code', async () => {
		await kms.send(new DescribeKeyCommand({KeyId: keyId}));
		const name = await failureName(
			kms.send(new DescribeKeyCommand({KeyId: 'alias/does-not-exist'})),
		);
		expect(name).toBe('NotFoundException');
		const [missing, described] = (await lookup({MaxResults: 2})).Events as Event[];
		expect(record(missing as Event)).toMatchObject({
			eventName: 'DescribeKey',
			errorCode: 'NotFoundException',
			errorMessage: expect.stringContaining('alias/does-not-exist'),
			readOnly: true,
		});
		expect(missing?.Resources).toEqual([]);
		expect(record(described as Event)).toMatchObject({readOnly: true, responseElements: null});
		const [created] = (
			await lookup({
				LookupAttributes: [{AttributeKey: 'EventName', AttributeValue: 'CreateKey'}],
			})
		).Events as Event[];
		expect(record(created as Event)).toMatchObject({
			readOnly: false,
			responseElements: {keyMetadata: {keyId, arn: keyArn}},
		});
	});

	it('records CloudFormation calls with cloudformation.amazonaws.com as source', async () => {
		const cfn = sandbox.cfn();
		await cfn.send(new DescribeStacksCommand({}));
		const name = await failureName(cfn.send(new DescribeStacksCommand({StackName: 'no-such'})));
		expect(name).toBe('ValidationError');
		const events = (
			await lookup({
				LookupAttributes: [
					{AttributeKey: 'EventSource', AttributeValue: 'cloudformation.amazonaws.com'},
				],
			})
		).Events as Event[];
		expect(events.map((event) => [event.EventName, record(event).errorCode])).toEqual([
			['DescribeStacks', 'ValidationError'],
			['DescribeStacks', undefined],
		]);
		expect(record(events[0] as Event).requestParameters).toEqual({stackName: 'no-such'});
	});
});

describe('LookupEvents', () => {
	let keyArn: string;

	beforeAll(async () => {
		const created = await kms.send(new CreateKeyCommand({Description: 'paging'}));
		keyArn = created.KeyMetadata?.Arn as string;
		for (let index = 0; index < 7; index++) {
			await kms.send(new EncryptCommand({KeyId: keyArn, Plaintext: Buffer.from([index])}));
		}
	});

	it('pages with MaxResults and NextToken, newest first, without repeats', async () => {
		const filter = {
			LookupAttributes: [{AttributeKey: 'ResourceName' as const, AttributeValue: keyArn}],
		};
		const first = await lookup({...filter, MaxResults: 3});
		expect(first.Events).toHaveLength(3);
		expect(first.NextToken).toBeDefined();
		const all = await lookupAll({...filter, MaxResults: 3});
		expect(all.map((event) => event.EventName)).toEqual([...Array(7).fill('Encrypt'), 'CreateKey']);
		expect(new Set(all.map((event) => event.EventId)).size).toBe(8);
		expect(all.slice(0, 3).map((event) => event.EventId)).toEqual(
			first.Events?.map((event) => event.EventId),
		);
		// Default page: 50.
		expect((await lookup()).Events?.length).toBe(Math.min(50, (await lookupAll()).length));
	});

	it('filters by each attribute CloudTrail has', async () => {
		const [newest] = (await lookup({MaxResults: 1})).Events as Event[];
		const by = async (AttributeKey: string, AttributeValue: string) =>
			lookupAll({LookupAttributes: [{AttributeKey: AttributeKey as 'EventId', AttributeValue}]});
		expect((await by('EventId', newest?.EventId as string)).map((e) => e.EventId)).toEqual([
			newest?.EventId,
		]);
		const encrypts = await by('EventName', 'Encrypt');
		expect(encrypts.length).toBeGreaterThanOrEqual(8);
		expect(encrypts.every((event) => event.EventName === 'Encrypt')).toBe(true);
		const writes = await by('ReadOnly', 'false');
		expect(writes.every((event) => event.ReadOnly === 'false')).toBe(true);
		expect(writes.map((event) => event.EventName)).toContain('CreateAlias');
		expect((await by('AccessKeyId', 'AKIATRAILTEST')).length).toBe((await lookupAll()).length - 2);
		expect(await by('AccessKeyId', 'AKIANOBODY')).toEqual([]);
		expect((await by('Username', 'root')).length).toBe((await lookupAll()).length);
		const keyEvents = await by('ResourceType', 'AWS::KMS::Key');
		expect(keyEvents.every((event) => event.Resources?.[0]?.ResourceType === 'AWS::KMS::Key')).toBe(
			true,
		);
		expect((await by('EventSource', 'kms.amazonaws.com')).length).toBeGreaterThan(10);
		// A key id is not the resource's name: CloudTrail names KMS keys by ARN.
		expect(await by('ResourceName', keyArn.split('/').at(-1) as string)).toEqual([]);
	});

	it('keeps to StartTime and EndTime, both inclusive', async () => {
		const all = await lookupAll();
		const newest = all[0]?.EventTime as Date;
		const oldest = all.at(-1)?.EventTime as Date;
		expect((await lookupAll({StartTime: oldest, EndTime: newest})).length).toBe(all.length);
		expect(await lookupAll({StartTime: new Date(newest.getTime() + 1000)})).toEqual([]);
		expect(await lookupAll({EndTime: new Date(oldest.getTime() - 1000)})).toEqual([]);
		// After a day in the sandbox clock, the window "the last hour" is empty.
		await sandbox.advance(24 * 60 * 60 * 1000);
		const now = Date.now() + 24 * 60 * 60 * 1000;
		expect(await lookupAll({StartTime: new Date(now - 60 * 60 * 1000)})).toEqual([]);
		expect((await lookupAll({EndTime: new Date(now)})).length).toBe(all.length);
	});

	it("answers bad input with CloudTrail's exceptions", async () => {
		const both = [
			{AttributeKey: 'EventName' as const, AttributeValue: 'Encrypt'},
			{AttributeKey: 'ReadOnly' as const, AttributeValue: 'true'},
		];
		expect(await failureName(lookup({LookupAttributes: both}))).toBe(
			'InvalidLookupAttributesException',
		);
		expect(
			await failureName(
				lookup({LookupAttributes: [{AttributeKey: 'Colour' as 'EventId', AttributeValue: 'x'}]}),
			),
		).toBe('InvalidLookupAttributesException');
		expect(
			await failureName(
				lookup({LookupAttributes: [{AttributeKey: 'ReadOnly', AttributeValue: 'maybe'}]}),
			),
		).toBe('InvalidLookupAttributesException');
		expect(
			await failureName(lookup({StartTime: new Date(2_000_000_000_000), EndTime: new Date(1e12)})),
		).toBe('InvalidTimeRangeException');
		expect(await failureName(lookup({MaxResults: 0}))).toBe('InvalidMaxResultsException');
		expect(await failureName(lookup({MaxResults: 51}))).toBe('InvalidMaxResultsException');
		expect(await failureName(lookup({NextToken: 'not-a-token'}))).toBe('InvalidNextTokenException');
		// A token is good only for the lookup it came from.
		const page = await lookup({MaxResults: 1});
		expect(
			await failureName(
				lookup({
					MaxResults: 1,
					NextToken: page.NextToken,
					LookupAttributes: [{AttributeKey: 'EventName', AttributeValue: 'Encrypt'}],
				}),
			),
		).toBe('InvalidNextTokenException');
		expect(await failureName(lookup({EventCategory: 'data' as 'insight'}))).toBe(
			'InvalidEventCategoryException',
		);
		// The sandbox has no Insights events.
		expect((await lookup({EventCategory: 'insight'})).Events).toEqual([]);
	});
});

describe('scope', () => {
	it('answers for the request’s Region only, and LookupEvents alone of CloudTrail', async () => {
		const elsewhere = new CloudTrailClient({
			endpoint: sandbox.endpoint,
			region: 'eu-west-1',
			credentials: {accessKeyId: 'AKIATRAILREADER', secretAccessKey: 'sandbox'},
		});
		try {
			expect((await elsewhere.send(new LookupEventsCommand({}))).Events).toEqual([]);
			expect(await failureName(elsewhere.send(new DescribeTrailsCommand({})))).toBe(
				'UnknownOperationException',
			);
		} finally {
			elsewhere.destroy();
		}
		expect(((await lookup()).Events ?? []).length).toBeGreaterThan(0);
	});
});

describe('the request guard', () => {
	const post = (headers: Record<string, string>) =>
		new Promise<{status: number; body: string}>((resolve, reject) => {
			const outgoing = request(
				{host: '127.0.0.1', port: sandbox.running.port, method: 'POST', path: '/', headers},
				(response) => {
					let body = '';
					response.on('data', (chunk: Buffer) => {
						body += chunk.toString();
					});
					response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
				},
			);
			outgoing.once('error', reject);
			outgoing.end('{}');
		});
	const target = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

	it('refuses a browser sending CloudTrail requests, as it does for KMS', async () => {
		const recorded = (await lookupAll()).length;
		const fromPage = await post({
			'content-type': 'text/plain',
			'x-amz-target': target,
			origin: 'https://evil.example',
		});
		expect(fromPage.status).toBe(403);
		expect(JSON.parse(fromPage.body)).toMatchObject({__type: 'AccessDeniedException'});
		expect(fromPage.body).toContain('does not answer web pages');
		// A no-cors body type is refused even without an Origin.
		const plain = await post({'content-type': 'text/plain', 'x-amz-target': target});
		expect(plain.status).toBe(403);
		expect(plain.body).toContain('accepts CloudTrail requests only with Content-Type');
		// And an unsigned request names no caller.
		const unsigned = await post({
			'content-type': 'application/x-amz-json-1.1',
			'x-amz-target': target,
		});
		expect(unsigned.status).toBe(403);
		expect(JSON.parse(unsigned.body)).toMatchObject({
			__type: 'MissingAuthenticationTokenException',
		});
		// A refused request is no event: a page must not be able to flood the log.
		const refusedKms = await post({
			'content-type': 'text/plain',
			'x-amz-target': 'TrentService.ListKeys',
		});
		expect(refusedKms.status).toBe(403);
		expect((await lookupAll()).length).toBe(recorded);
	});
});
