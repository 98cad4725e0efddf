/**
 * The sandbox's HTTP front: one loopback port that answers both KMS (awsJson1_1, recognised by
 * `X-Amz-Target: TrentService.<Op>`) and CloudFormation (awsQuery, a form body with `Action=`),
 * so that one `--endpoint-url` serves the AWS CLI and both SDK clients. Requests that did not come
 * from a local AWS client (a web page, a rebound DNS name) are refused first: request-guard.ts.
 *
 * Every request is one store transaction: the passing of time is applied first (keys whose
 * deletion date passed disappear, due rotations and stack steps run), then the operation.
 */
import {randomUUID} from 'node:crypto';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {handleCfn, loadTemplateParser, tickCfn} from './cfn/index.js';
import {AwsError, type RequestContext, sandboxAccountId} from './context.js';
import {handleKms, tickKms} from './kms/index.js';
import {protocolOf, refuseForeignRequest, regionFromAuthorization} from './request-guard.js';
import {regionState, SandboxStateError, type SandboxStore, sandboxNow} from './store.js';

export type SandboxServerOptions = {
	readonly store: SandboxStore;
	/** 0 (the default) picks a free ephemeral port. */
	readonly port?: number;
	readonly host?: string;
	/** Region used when a request carries no SigV4 credential scope. */
	readonly defaultRegion?: string;
	readonly stackStepMs?: number;
	/** The state's clock offset when the server starts; each request then brings the saved one. */
	readonly clockOffsetMs?: number;
};

export type RunningSandboxServer = {
	readonly endpoint: string;
	readonly port: number;
	readonly server: Server;
	/**
	 * The sandbox clock (epoch ms) as of the last request: real time plus the offset that
	 * request's transaction read. Dates the sandbox reported are shown relative to it.
	 */
	now(): number;
	close(): Promise<void>;
};

/** The clock offset the latest transaction saw; `sandbox advance` in another process moves it. */
type ClockView = {offsetMs: number};

/** Default spacing of stack steps: slow enough to watch events arrive, fast enough not to bore. */
export const defaultStackStepMs = 400;

const maxBodyBytes = 1024 * 1024;
const cfnNamespace = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export async function startSandboxServer(
	options: SandboxServerOptions,
): Promise<RunningSandboxServer> {
	const host = options.host ?? '127.0.0.1';
	// Known once listening: the Host and Origin checks compare against the port actually served.
	let servedPort = -1;
	const clock: ClockView = {offsetMs: options.clockOffsetMs ?? 0};
	const server = createServer((request, response) => {
		handle(options, servedPort, clock, request, response).catch((error: unknown) => {
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
	servedPort = port;
	return {
		endpoint: `http://${host}:${port}`,
		port,
		server,
		now: () => Date.now() + clock.offsetMs,
		close: async () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

async function handle(
	options: SandboxServerOptions,
	port: number,
	clock: ClockView,
	request: IncomingMessage,
	response: ServerResponse,
): Promise<void> {
	const requestId = randomUUID();
	const protocol = protocolOf(request.headers);
	const sendError = (error: AwsError) =>
		protocol === 'kms'
			? sendJsonError(response, requestId, error)
			: sendXmlError(response, requestId, error);
	// Before the body is read: a refused request gets no further than its headers.
	const refusal = refuseForeignRequest(request.headers, request.method, port);
	if (refusal) {
		// The client may still be sending a body nobody will read: do not keep the connection.
		response.setHeader('connection', 'close');
		sendError(refusal);
		request.resume();
		return;
	}
	const body = await readBody(request);
	if (body === undefined) {
		sendError(new AwsError('RequestEntityTooLarge', 'Request too large', 413));
		return;
	}
	const region =
		regionFromAuthorization(request.headers.authorization) ?? options.defaultRegion ?? 'us-east-1';
	const target = request.headers['x-amz-target'];
	if (protocol === 'kms' && typeof target === 'string') {
		await handleKmsRequest(
			options,
			response,
			{requestId, region, clock},
			target.slice('TrentService.'.length),
			body,
		);
		return;
	}
	const form = new URLSearchParams(body.toString('utf8'));
	if (request.method === 'POST' && form.has('Action')) {
		await handleCfnRequest(options, response, {requestId, region, clock}, Object.fromEntries(form));
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

type Incoming = {readonly requestId: string; readonly region: string; readonly clock: ClockView};

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
			incoming.clock.offsetMs = state.clockOffsetMs;
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
		await loadTemplateParser();
		const xml = await options.store.transact((state) => {
			incoming.clock.offsetMs = state.clockOffsetMs;
			const region = regionState(state, incoming.region);
			const ctx = contextFor(options, incoming, sandboxNow(state));
			tickKms(region.kms, ctx);
			tickCfn(region, ctx);
			return handleCfn(region, ctx, params);
		});
		response.writeHead(200, {'content-type': 'text/xml', 'x-amzn-requestid': incoming.requestId});
		response.end(xml);
	} catch (error) {
		sendXmlError(response, incoming.requestId, asAwsError(error));
	}
}

function sendXmlError(response: ServerResponse, requestId: string, error: AwsError): void {
	const type = error.status >= 500 ? 'Receiver' : 'Sender';
	response.writeHead(error.status, {'content-type': 'text/xml', 'x-amzn-requestid': requestId});
	response.end(
		`<ErrorResponse xmlns="${cfnNamespace}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
			`<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
	);
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
