/**
 * Who the sandbox answers: raw HTTP requests exactly as a hostile web page (or a DNS-rebound
 * name) would send them are refused with an AWS-shaped 403, and change nothing; the same
 * request with what real AWS clients send is served.
 */

import {readFileSync} from 'node:fs';
import {request} from 'node:http';
import {CreateStackCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation';
import {CreateKeyCommand, DescribeKeyCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let port: number;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	port = sandbox.running.port;
});
afterAll(async () => {
	await sandbox.close();
});

type Reply = {status: number; contentType: string; body: string};

/** node:http rather than fetch: fetch will not send a Host header of our choosing. */
async function send(
	headers: Record<string, string>,
	body: string,
	method = 'POST',
): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const outgoing = request(
			{host: '127.0.0.1', port, method, path: '/', headers, setHost: !('host' in headers)},
			(response) => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => {
					text += chunk;
				});
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						contentType: String(response.headers['content-type']),
						body: text,
					}),
				);
			},
		);
		outgoing.once('error', reject);
		outgoing.end(body);
	});
}

const signature = (region: string, service: string) =>
	`AWS4-HMAC-SHA256 Credential=sandbox/20240101/${region}/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123abcd`;

/** What the JS SDK sends for KMS ListKeys, give or take the signature's value. */
const kmsHeaders = (): Record<string, string> => ({
	host: `127.0.0.1:${port}`,
	'content-type': 'application/x-amz-json-1.1',
	'x-amz-target': 'TrentService.ListKeys',
	authorization: signature('us-east-1', 'kms'),
});

/** What botocore (the AWS CLI, boto3) sends for a CloudFormation Query call. */
const cfnHeaders = (): Record<string, string> => ({
	host: `127.0.0.1:${port}`,
	'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
	authorization: signature('us-east-1', 'cloudformation'),
});
const describeStacks = 'Action=DescribeStacks&Version=2010-05-15';

const jsonError = (reply: Reply) => JSON.parse(reply.body) as {__type: string; message: string};
const xmlCode = (reply: Reply) => /<Code>([^<]*)<\/Code>/.exec(reply.body)?.[1];

test('the evil no-cors DeleteStack POST from a web page is refused and leaves the stack in place', async () => {
	const cfn = sandbox.cfn();
	await cfn.send(
		new CreateStackCommand({
			StackName: 'KmsKey',
			TemplateBody: readFileSync('KmsKey.yaml', 'utf8'),
		}),
	);
	const status = async () =>
		(await cfn.send(new DescribeStacksCommand({StackName: 'KmsKey'}))).Stacks?.[0]?.StackStatus;
	expect(await status()).toBe('CREATE_COMPLETE');

	// Exactly what `fetch('http://127.0.0.1:PORT/', {method: 'POST', mode: 'no-cors', body})` sends.
	const reply = await send(
		{
			host: `127.0.0.1:${port}`,
			origin: 'https://evil.example',
			'content-type': 'text/plain;charset=UTF-8',
			'sec-fetch-site': 'cross-site',
			'sec-fetch-mode': 'no-cors',
		},
		'Action=DeleteStack&StackName=KmsKey',
	);
	expect(reply.status).toBe(403);
	expect(reply.contentType).toBe('text/xml');
	expect(reply.body).toMatch(
		/^<ErrorResponse [^>]*><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code>/,
	);
	expect(reply.body).toContain('https://evil.example');
	expect(await status()).toBe('CREATE_COMPLETE');
});

describe('Host: only the loopback address and port served (DNS rebinding)', () => {
	test.each([['127.0.0.1'], ['localhost'], ['LOCALHOST'], ['[::1]']])(
		'%s:PORT is served',
		async (name) => {
			const reply = await send({...kmsHeaders(), host: `${name}:${port}`}, '{}');
			expect(reply.status).toBe(200);
		},
	);

	test.each([
		['evil.example:PORT', () => `evil.example:${port}`],
		['127.0.0.1:another port', () => `127.0.0.1:${port + 1}`],
		['127.0.0.1 without the port', () => '127.0.0.1'],
		['0.0.0.0:PORT', () => `0.0.0.0:${port}`],
	])('%s is refused', async (_label, host) => {
		const reply = await send({...kmsHeaders(), host: host()}, '{}');
		expect(reply.status).toBe(403);
		expect(reply.contentType).toBe('application/x-amz-json-1.1');
		expect(jsonError(reply).__type).toBe('AccessDeniedException');
		expect(jsonError(reply).message).toContain('DNS rebinding');
	});

	test('a CloudFormation request for a foreign host gets an XML error', async () => {
		const reply = await send({...cfnHeaders(), host: `rebound.example:${port}`}, describeStacks);
		expect(reply.status).toBe(403);
		expect(xmlCode(reply)).toBe('AccessDenied');
	});
});

describe('Origin and Sec-Fetch-Site: no web page', () => {
	test.each([['https://evil.example'], ['null'], ['http://localhost:1'], ['http://127.0.0.1']])(
		'Origin %s is refused',
		async (origin) => {
			const reply = await send({...kmsHeaders(), origin}, '{}');
			expect(reply.status).toBe(403);
			expect(jsonError(reply)).toMatchObject({__type: 'AccessDeniedException'});
			expect(jsonError(reply).message).toContain(JSON.stringify(origin));
		},
	);

	test('the sandbox’s own origin is served', async () => {
		const reply = await send({...kmsHeaders(), origin: `http://localhost:${port}`}, '{}');
		expect(reply.status).toBe(200);
	});

	test.each([['cross-site'], ['same-site']])('Sec-Fetch-Site: %s is refused', async (site) => {
		const reply = await send({...cfnHeaders(), 'sec-fetch-site': site}, describeStacks);
		expect(reply.status).toBe(403);
		expect(xmlCode(reply)).toBe('AccessDenied');
	});

	test.each([['same-origin'], ['none']])('Sec-Fetch-Site: %s is served', async (site) => {
		const reply = await send({...cfnHeaders(), 'sec-fetch-site': site}, describeStacks);
		expect(reply.status).toBe(200);
	});
});

describe('Content-Type: only the protocol’s', () => {
	test.each([
		['text/plain;charset=UTF-8'],
		['application/json'],
		['application/x-www-form-urlencoded'],
	])('KMS with %s is refused', async (contentType) => {
		const reply = await send({...kmsHeaders(), 'content-type': contentType}, '{}');
		expect(reply.status).toBe(403);
		expect(jsonError(reply).__type).toBe('AccessDeniedException');
		expect(jsonError(reply).message).toContain('application/x-amz-json-1.1');
	});

	test('KMS with no Content-Type is refused', async () => {
		const {'content-type': _, ...headers} = kmsHeaders();
		const reply = await send(headers, '{}');
		expect(reply.status).toBe(403);
	});

	test.each([['text/plain'], ['multipart/form-data; boundary=x'], ['application/x-amz-json-1.1']])(
		'CloudFormation with %s is refused',
		async (contentType) => {
			const reply = await send({...cfnHeaders(), 'content-type': contentType}, describeStacks);
			expect(reply.status).toBe(403);
			expect(xmlCode(reply)).toBe('AccessDenied');
		},
	);

	test.each([
		['application/x-www-form-urlencoded'],
		['application/x-www-form-urlencoded; charset=utf-8'],
		['Application/X-WWW-Form-Urlencoded;charset=UTF-8'],
	])('CloudFormation with %s is served', async (contentType) => {
		const reply = await send({...cfnHeaders(), 'content-type': contentType}, describeStacks);
		expect(reply.status).toBe(200);
	});

	test('KMS with a charset parameter is served', async () => {
		const reply = await send(
			{...kmsHeaders(), 'content-type': 'application/x-amz-json-1.1; charset=utf-8'},
			'{}',
		);
		expect(reply.status).toBe(200);
	});
});

describe('Authorization: shaped like SigV4 (credentials are not checked)', () => {
	test('none is refused as AWS does', async () => {
		const {authorization: _, ...headers} = kmsHeaders();
		const reply = await send(headers, '{}');
		expect(reply.status).toBe(403);
		expect(jsonError(reply).__type).toBe('MissingAuthenticationTokenException');
		const cfnReply = await send({...cfnHeaders(), authorization: ''}, describeStacks);
		expect(cfnReply.status).toBe(403);
		expect(xmlCode(cfnReply)).toBe('IncompleteSignature');
	});

	test.each([
		['Bearer abc'],
		['AWS4-HMAC-SHA256 Credential=sandbox/20240101/us-east-1/kms/aws4_request'],
		[
			'AWS4-HMAC-SHA256 Credential=sandbox/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00',
		],
		['AWS sandbox:signature'],
	])('%s is refused', async (authorization) => {
		const reply = await send({...kmsHeaders(), authorization}, '{}');
		expect(reply.status).toBe(403);
		expect(jsonError(reply).__type).toBe('IncompleteSignatureException');
	});

	test('any credentials in a SigV4 shape are served', async () => {
		const reply = await send(
			{
				...kmsHeaders(),
				authorization:
					'AWS4-HMAC-SHA256 Credential=AKIAANYTHING/20991231/eu-west-1/kms/aws4_request,SignedHeaders=host;x-amz-target,Signature=ff',
			},
			'{}',
		);
		expect(reply.status).toBe(200);
	});
});

describe('regions: only real AWS region names', () => {
	test.each([['constructor'], ['__proto__'], ['hasOwnProperty'], ['xx-fake-1'], ['us-east-99']])(
		'a request signed for %s is refused and stores nothing',
		async (region) => {
			const reply = await send({...kmsHeaders(), authorization: signature(region, 'kms')}, '{}');
			expect(reply.status).toBe(403);
			expect(jsonError(reply)).toEqual({
				__type: 'InvalidSignatureException',
				message: expect.stringContaining(
					`Credential should be scoped to a valid region, not "${region}"`,
				),
			});
			const cfnReply = await send(
				{...cfnHeaders(), authorization: signature(region, 'cloudformation')},
				describeStacks,
			);
			expect(cfnReply.status).toBe(403);
			expect(xmlCode(cfnReply)).toBe('SignatureDoesNotMatch');
			const state = await sandbox.running.store.read();
			expect(Object.keys(state.regions)).not.toContain(region);
		},
	);

	test('China and GovCloud regions get their partition in key ARNs', async () => {
		for (const [region, partition] of [
			['cn-north-1', 'aws-cn'],
			['us-gov-west-1', 'aws-us-gov'],
			['eu-west-1', 'aws'],
		] as const) {
			const kms = sandbox.kms({region});
			const created = await kms.send(new CreateKeyCommand({}));
			expect(created.KeyMetadata?.Arn).toMatch(new RegExp(`^arn:${partition}:kms:${region}:`));
			const described = await kms.send(
				new DescribeKeyCommand({KeyId: created.KeyMetadata?.Arn ?? ''}),
			);
			expect(described.KeyMetadata?.KeyId).toBe(created.KeyMetadata?.KeyId);
		}
	});
});

test('GET / (the health check) needs no signature but still refuses a foreign host', async () => {
	const ok = await send({host: `127.0.0.1:${port}`}, '', 'GET');
	expect(ok.status).toBe(200);
	const rebound = await send({host: `evil.example:${port}`}, '', 'GET');
	expect(rebound.status).toBe(403);
});
