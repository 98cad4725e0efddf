/**
 * patches/@smithy+node-http-handler: node:https and node:http2 load on first use instead of at
 * start-up. An HTTPS endpoint must still work with the handler's own default agent (what real
 * AWS uses) and with an agent the caller passes, and a plain-HTTP client must never load them.
 */
import {execFile, execFileSync} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {Agent, createServer, type Server} from 'node:https';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {KMSClient, ListKeysCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const run = promisify(execFile);
let dir: string;
let server: Server;
let endpoint: string;
let certFile: string;
const requests: string[] = [];

beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-https-'));
	certFile = path.join(dir, 'cert.pem');
	const keyFile = path.join(dir, 'key.pem');
	execFileSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'ec',
			'-pkeyopt',
			'ec_paramgen_curve:prime256v1',
			'-nodes',
			'-keyout',
			keyFile,
			'-out',
			certFile,
			'-days',
			'1',
			'-subj',
			'/CN=127.0.0.1',
			'-addext',
			'subjectAltName=IP:127.0.0.1',
		],
		{stdio: 'ignore'},
	);
	server = createServer(
		{cert: await readFile(certFile), key: await readFile(keyFile)},
		(request, response) => {
			requests.push(String(request.headers['x-amz-target']));
			request.resume();
			request.on('end', () => {
				response.writeHead(200, {'content-type': 'application/x-amz-json-1.1'});
				response.end(
					JSON.stringify({
						Keys: [{KeyId: 'k1', KeyArn: 'arn:aws:kms:us-east-1:000000000000:key/k1'}],
						Truncated: false,
					}),
				);
			});
		},
	);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
	await rm(dir, {recursive: true, force: true});
});

const credentials = {accessKeyId: 'x', secretAccessKey: 'y'};

describe('the lazily loading HTTPS handler', () => {
	it('reaches an HTTPS endpoint through an agent the caller passes', async () => {
		const client = new KMSClient({
			region: 'us-east-1',
			endpoint,
			credentials,
			requestHandler: {httpsAgent: new Agent({ca: await readFile(certFile)})},
		});
		const answer = await client.send(new ListKeysCommand({}));
		client.destroy();
		expect(answer.Keys?.[0]?.KeyId).toBe('k1');
	});

	it('reaches an HTTPS endpoint through its own default agent, in a fresh process', async () => {
		const script = path.join(dir, 'default-agent.mjs');
		await writeFile(
			script,
			`import {KMSClient, ListKeysCommand} from ${JSON.stringify(import.meta.resolve('@aws-sdk/client-kms'))};
const client = new KMSClient({region: 'us-east-1', endpoint: process.argv[2], credentials: {accessKeyId: 'x', secretAccessKey: 'y'}});
const answer = await client.send(new ListKeysCommand({}));
client.destroy();
console.log(answer.Keys[0].KeyId);`,
		);
		const {stdout} = await run(process.execPath, [script, endpoint], {
			env: {
				...process.env,
				NODE_EXTRA_CA_CERTS: certFile,
				AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
			},
		});
		expect(stdout.trim()).toBe('k1');
	});

	it('never loads node:https or node:http2 for a plain-HTTP endpoint', async () => {
		const script = path.join(dir, 'plain-http.mjs');
		await writeFile(
			script,
			`import {createServer} from 'node:http';
const server = createServer((request, response) => { request.resume(); request.on('end', () => { response.writeHead(200, {'content-type': 'application/x-amz-json-1.1'}); response.end('{"Keys":[],"Truncated":false}'); }); });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const {KMSClient, ListKeysCommand} = await import(${JSON.stringify(import.meta.resolve('@aws-sdk/client-kms'))});
const client = new KMSClient({region: 'us-east-1', endpoint: 'http://127.0.0.1:' + server.address().port, credentials: {accessKeyId: 'x', secretAccessKey: 'y'}});
await client.send(new ListKeysCommand({}));
client.destroy();
server.close();
console.log(process.moduleLoadList.filter((name) => /^NativeModule (https|http2|tls)$/.test(name)).join(',') || 'none');`,
		);
		const {stdout} = await run(process.execPath, [script], {
			env: {...process.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1'},
		});
		expect(stdout.trim()).toBe('none');
	});
});
