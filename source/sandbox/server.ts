/**
 * The sandbox's HTTP front: one loopback port that answers KMS (awsJson1_1, recognised by
 * `X-Amz-Target: TrentService.<Op>`), CloudTrail's LookupEvents (awsJson1_1,
 * `…CloudTrail_20131101.LookupEvents`) and CloudFormation (awsQuery, a form body with `Action=`),
 * so that one `--endpoint-url` serves the AWS CLI and every SDK client. Requests that did not come
 * from a local AWS client (a web page, a rebound DNS name) are refused first: request-guard.ts.
 *
 * Every request is one store transaction: the passing of time is applied first (keys whose
 * deletion date passed disappear, due rotations and stack steps run), then the operation, then
 * its CloudTrail-style event is recorded (trail/record.ts). A failed request's change is undone
 * and its event recorded by a small transaction of its own.
 */
import {randomUUID} from 'node:crypto';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {cfnActions, handleCfn, loadTemplateParser, tickCfn} from './cfn/index.js';
import {AwsError, type RegionState, type RequestContext, sandboxAccountId} from './context.js';
import {handleKms, kmsOperations, tickKms} from './kms/index.js';
import {
	accessKeyFromAuthorization,
	cloudTrailOperation,
	protocolOf,
	refuseForeignRequest,
	regionFromAuthorization,
} from './request-guard.js';
import {
	regionState,
	SandboxStateError,
	type SandboxStore,
	type StoreTransaction,
	sandboxNow,
} from './store.js';
import {lookupResponse, planLookup} from './trail/lookup.js';
import {type Caller, type Outcome, recordCfnCall, recordKmsCall} from './trail/record.js';

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
	// Requests being handled: close() waits for them, so that no transaction still writes into the
	// sandbox directory after close() returned (a caller may remove the directory next).
	const inFlight = new Set<Promise<void>>();
	const server = createServer((request, response) => {
		const work = handle(options, servedPort, clock, request, response).catch((error: unknown) => {
			// Last resort: handle() answers every expected failure itself.
			if (!response.headersSent) {
				response.writeHead(500, {'content-type': 'text/plain'});
			}
			response.end(`kms-tui sandbox internal error: ${(error as Error).message}`);
		});
		inFlight.add(work);
		void work.then(() => inFlight.delete(work));
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
		close: async () => {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			await Promise.all(inFlight);
		},
	};
}

/** A JSON 1.1 request body (KMS, CloudTrail): empty is `{}`; what is not JSON is AWS's error. */
function parseJsonBody(body: Buffer): unknown {
	if (body.length === 0) return {};
	try {
		return JSON.parse(body.toString('utf8'));
	} catch {
		throw new AwsError(
			'SerializationException',
			'Start of structure or map found where not expected.',
		);
	}
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
		protocol === 'cfn'
			? sendXmlError(response, requestId, error)
			: sendJsonError(response, requestId, error);
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
	const incoming: Incoming = {requestId, region, clock, caller: callerOf(request)};
	if (protocol === 'kms' && typeof target === 'string') {
		await handleKmsRequest(options, response, incoming, target.slice('TrentService.'.length), body);
		return;
	}
	if (protocol === 'trail' && typeof target === 'string') {
		await handleTrailRequest(options, response, incoming, cloudTrailOperation(target) ?? '', body);
		return;
	}
	const form = new URLSearchParams(body.toString('utf8'));
	if (request.method === 'POST' && form.has('Action')) {
		await handleCfnRequest(options, response, incoming, Object.fromEntries(form));
		return;
	}
	if (request.method === 'GET' && (request.url === '/' || request.url === '/health')) {
		response.writeHead(200, {'content-type': 'application/json'});
		response.end(
			JSON.stringify({
				service: 'kms-tui sandbox',
				services: ['kms', 'cloudformation', 'cloudtrail'],
				region,
			}),
		);
		return;
	}
	// What AWS answers a request that names no operation it knows.
	sendJsonError(
		response,
		requestId,
		new AwsError(
			'UnknownOperationException',
			'The request names no KMS, CloudTrail or CloudFormation operation.',
		),
	);
}

type Incoming = {
	readonly requestId: string;
	readonly region: string;
	readonly clock: ClockView;
	readonly caller: Caller;
};

function callerOf(request: IncomingMessage): Caller {
	const userAgent = request.headers['user-agent'];
	return {
		accessKeyId: accessKeyFromAuthorization(request.headers.authorization) ?? '',
		userAgent: typeof userAgent === 'string' ? userAgent : '',
		sourceIPAddress: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
	};
}

/**
 * Records a failed call's event in a transaction of its own (the failed one was undone). When the
 * store cannot take even that (a full disk), the caller still gets the call's own error, and only
 * the event is lost: an audit record never turns one AWS error into another.
 */
async function recordFailure(
	options: SandboxServerOptions,
	incoming: Incoming,
	error: AwsError,
	record: (
		tx: StoreTransaction,
		region: RegionState,
		ctx: RequestContext,
		outcome: Outcome,
	) => void,
): Promise<void> {
	try {
		await options.store.transact((state, tx) => {
			const region = regionState(state, incoming.region);
			const ctx = contextFor(options, incoming, sandboxNow(state));
			record(tx, region, ctx, {error: {code: error.code, message: error.message}});
		});
	} catch {
		// See above: nothing more to do.
	}
}

async function handleKmsRequest(
	options: SandboxServerOptions,
	response: ServerResponse,
	incoming: Incoming,
	operation: string,
	body: Buffer,
): Promise<void> {
	const eventId = randomUUID();
	// Only calls of operations the sandbox knows are events (an unknown name is no AWS call).
	const recorded = kmsOperations.includes(operation);
	let input: unknown = {};
	try {
		input = parseJsonBody(body);
		const output = await options.store.transact((state, tx) => {
			incoming.clock.offsetMs = state.clockOffsetMs;
			const region = regionState(state, incoming.region);
			const ctx = contextFor(options, incoming, sandboxNow(state));
			tickKms(region.kms, ctx);
			tickCfn(region, ctx);
			const result = handleKms(region.kms, ctx, operation, input);
			if (recorded) {
				recordKmsCall(tx, region.kms, ctx, incoming.caller, {
					eventId,
					operation,
					input,
					outcome: {output: result},
				});
			}
			return result;
		});
		response.writeHead(200, {
			'content-type': 'application/x-amz-json-1.1',
			'x-amzn-requestid': incoming.requestId,
		});
		response.end(JSON.stringify(output));
	} catch (error) {
		const awsError = asAwsError(error);
		if (recorded && !(error instanceof SandboxStateError)) {
			await recordFailure(options, incoming, awsError, (tx, region, ctx, outcome) =>
				recordKmsCall(tx, region.kms, ctx, incoming.caller, {eventId, operation, input, outcome}),
			);
		}
		sendJsonError(response, incoming.requestId, awsError);
	}
}

/** CloudTrail: LookupEvents only, over the events of the request's Region; not itself recorded. */
async function handleTrailRequest(
	options: SandboxServerOptions,
	response: ServerResponse,
	incoming: Incoming,
	operation: string,
	body: Buffer,
): Promise<void> {
	try {
		if (operation !== 'LookupEvents') {
			throw new AwsError(
				'UnknownOperationException',
				`The kms-tui sandbox serves CloudTrail's LookupEvents only, not ${JSON.stringify(operation.slice(0, 100))}.`,
			);
		}
		const plan = planLookup(parseJsonBody(body), incoming.region);
		const page =
			plan.kind === 'page'
				? await options.store.transact((state, tx) => {
						incoming.clock.offsetMs = state.clockOffsetMs;
						return tx.lookupEvents(plan.query);
					})
				: undefined;
		response.writeHead(200, {
			'content-type': 'application/x-amz-json-1.1',
			'x-amzn-requestid': incoming.requestId,
		});
		response.end(JSON.stringify(lookupResponse(plan, page)));
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
	const eventId = randomUUID();
	const recorded = cfnActions.includes(params.Action ?? '');
	try {
		await loadTemplateParser();
		const xml = await options.store.transact((state, tx) => {
			incoming.clock.offsetMs = state.clockOffsetMs;
			const region = regionState(state, incoming.region);
			const ctx = contextFor(options, incoming, sandboxNow(state));
			tickKms(region.kms, ctx);
			tickCfn(region, ctx);
			const result = handleCfn(region, ctx, params);
			if (recorded) {
				recordCfnCall(tx, region.kms, ctx, incoming.caller, {
					eventId,
					params,
					outcome: {output: {}},
				});
			}
			return result;
		});
		response.writeHead(200, {'content-type': 'text/xml', 'x-amzn-requestid': incoming.requestId});
		response.end(xml);
	} catch (error) {
		const awsError = asAwsError(error);
		if (recorded && !(error instanceof SandboxStateError)) {
			await recordFailure(options, incoming, awsError, (tx, region, ctx, outcome) =>
				recordCfnCall(tx, region.kms, ctx, incoming.caller, {eventId, params, outcome}),
			);
		}
		sendXmlError(response, incoming.requestId, awsError);
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
