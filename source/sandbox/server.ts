/**
 * The sandbox's HTTP front: one loopback port that answers both KMS (awsJson1_1, recognised by
 * `X-Amz-Target: TrentService.<Op>`) and CloudFormation (awsQuery, a form body with `Action=`),
 * so that one `--endpoint-url` serves the AWS CLI and both SDK clients.
 *
 * Every request is one store transaction: the passing of time is applied first (keys whose
 * deletion date passed disappear, due rotations and stack steps run), then the operation.
 */
import {randomUUID} from 'node:crypto';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {handleCfn, tickCfn} from './cfn/index.js';
import {AwsError, type RequestContext, sandboxAccountId} from './context.js';
import {handleKms, tickKms} from './kms/index.js';
import {regionState, SandboxStateError, type SandboxStore, sandboxNow} from './store.js';

export type SandboxServerOptions = {
	readonly store: SandboxStore;
	/** 0 (the default) picks a free ephemeral port. */
	readonly port?: number;
	readonly host?: string;
	/** Region used when a request carries no SigV4 credential scope. */
	readonly defaultRegion?: string;
	readonly stackStepMs?: number;
};

export type RunningSandboxServer = {
	readonly endpoint: string;
	readonly port: number;
	readonly server: Server;
	close(): Promise<void>;
};

/** Default spacing of stack steps: slow enough to watch events arrive, fast enough not to bore. */
export const defaultStackStepMs = 400;

const maxBodyBytes = 1024 * 1024;
const cfnNamespace = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export async function startSandboxServer(
	options: SandboxServerOptions,
): Promise<RunningSandboxServer> {
	const host = options.host ?? '127.0.0.1';
	const server = createServer((request, response) => {
		handle(options, request, response).catch((error: unknown) => {
			// Last resort: handle() answers every expected failure itself.
			if (!response.headersSent) {
				response.writeHead(500, {'content-type': 'text/plain'});
			}
			response.end(`kms-tui sandbox internal error: ${(error as Error).message}`);
		});
	});
	// Keep-alive sockets would hold close() open for the SDK's idle connections.
	server.keepAliveTimeout = 5000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	return {
		endpoint: `http://${host}:${port}`,
		port,
		server,
		close: async () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

async function handle(
	options: SandboxServerOptions,
	request: IncomingMessage,
	response: ServerResponse,
): Promise<void> {
	const requestId = randomUUID();
	const body = await readBody(request);
	if (body === undefined) {
		sendJsonError(
			response,
			requestId,
			new AwsError('RequestEntityTooLarge', 'Request too large', 413),
		);
		return;
	}
	const region =
		regionFromAuthorization(request.headers.authorization) ?? options.defaultRegion ?? 'us-east-1';
	const target = request.headers['x-amz-target'];
	if (typeof target === 'string' && target.startsWith('TrentService.')) {
		await handleKmsRequest(
			options,
			response,
			{requestId, region},
			target.slice('TrentService.'.length),
			body,
		);
		return;
	}
	const form = new URLSearchParams(body.toString('utf8'));
	if (request.method === 'POST' && form.has('Action')) {
		await handleCfnRequest(options, response, {requestId, region}, Object.fromEntries(form));
		return;
	}
	if (request.method === 'GET' && (request.url === '/' || request.url === '/health')) {
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(
			JSON.stringify({service: 'kms-tui sandbox', services: ['kms', 'cloudformation'], region}),
		);
		return;
	}
	// What AWS answers a request that names no operation it knows.
	sendJsonError(
		response,
		requestId,
		new AwsError(
			'UnknownOperationException',
			'The request names no KMS or CloudFormation operation.',
		),
	);
}

type Incoming = {readonly requestId: string; readonly region: string};

async function handleKmsRequest(
	options: SandboxServerOptions,
	response: ServerResponse,
	incoming: Incoming,
	operation: string,
	body: Buffer,
): Promise<void> {
	let input: unknown = {};
	if (body.length > 0) {
		try {
			input = JSON.parse(body.toString('utf8'));
		} catch {
			sendJsonError(
				response,
				incoming.requestId,
				new AwsError(
					'SerializationException',
					'Start of structure or map found where not expected.',
				),
			);
			return;
		}
	}
	try {
		const output = await options.store.transact((state) => {
			const region = regionState(state, incoming.region);
			const ctx = contextFor(options, incoming, sandboxNow(state));
			tickKms(region.kms, ctx);
			tickCfn(region, ctx);
			return handleKms(region.kms, ctx, operation, input);
		});
		response.writeHead(200, {
			'content-type': 'application/x-amz-json-1.1',
			'x-amzn-requestid': incoming.requestId,
		});
		response.end(JSON.stringify(output));
	} catch (error) {
		sendJsonError(response, incoming.requestId, asAwsError(error));
	}
}

async function handleCfnRequest(
	options: SandboxServerOptions,
	response: ServerResponse,
	incoming: Incoming,
	params: Record<string, string>,
): Promise<void> {
	try {
		const xml = await options.store.transact((state) => {
			const region = regionState(state, incoming.region);
			const ctx = contextFor(options, incoming, sandboxNow(state));
			tickKms(region.kms, ctx);
			tickCfn(region, ctx);
			return handleCfn(region, ctx, params);
		});
		response.writeHead(200, {'content-type': 'text/xml', 'x-amzn-requestid': incoming.requestId});
		response.end(xml);
	} catch (error) {
		const awsError = asAwsError(error);
		const type = awsError.status >= 500 ? 'Receiver' : 'Sender';
		response.writeHead(awsError.status, {
			'content-type': 'text/xml',
			'x-amzn-requestid': incoming.requestId,
		});
		response.end(
			`<ErrorResponse xmlns="${cfnNamespace}"><Error><Type>${type}</Type><Code>${escapeXml(awsError.code)}</Code>` +
				`<Message>${escapeXml(awsError.message)}</Message></Error><RequestId>${incoming.requestId}</RequestId></ErrorResponse>`,
		);
	}
}

function contextFor(
	options: SandboxServerOptions,
	incoming: Incoming,
	now: number,
): RequestContext {
	return {
		region: incoming.region,
		accountId: sandboxAccountId,
		now,
		requestId: incoming.requestId,
		stackStepMs: options.stackStepMs ?? defaultStackStepMs,
	};
}

function asAwsError(error: unknown): AwsError {
	if (error instanceof AwsError) return error;
	if (error instanceof SandboxStateError) {
		// Surfaces in the SDK as a server error whose message says how to repair the sandbox.
		return new AwsError('KMSInternalException', error.message, 500);
	}
	return new AwsError(
		'KMSInternalException',
		`kms-tui sandbox internal error: ${(error as Error).message}`,
		500,
	);
}

function sendJsonError(response: ServerResponse, requestId: string, error: AwsError): void {
	response.writeHead(error.status, {
		'content-type': 'application/x-amz-json-1.1',
		'x-amzn-requestid': requestId,
		'x-amzn-errortype': error.code,
	});
	response.end(JSON.stringify({__type: error.code, message: error.message}));
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/kms/aws4_request, …` → `eu-west-1`. */
export function regionFromAuthorization(header: string | undefined): string | undefined {
	const match = header?.match(/Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//);
	return match?.[1];
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		const buffer = chunk as Buffer;
		size += buffer.length;
		if (size > maxBodyBytes) return undefined;
		chunks.push(buffer);
	}
	return Buffer.concat(chunks);
}

function escapeXml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll("'", '&apos;');
}
