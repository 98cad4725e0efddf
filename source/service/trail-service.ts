/**
 * CloudTrail: one key's management events through LookupEvents, the only module that imports
 * @aws-sdk/client-cloudtrail. Its client is configured like the connection's KMS client
 * (clients.ts) and built when service/index.ts first needs it, so commands that never read
 * activity do not load it.
 *
 * CloudTrail never logs key material for KMS calls, but another endpoint might, and a record's
 * `requestParameters` is shown on screens and in --json: every member that can carry a
 * plaintext, a ciphertext, a signature or a credential is dropped here, whatever the operation.
 */
import {CloudTrailClient, type Event, LookupEventsCommand} from '@aws-sdk/client-cloudtrail';
import {type Connection, clientConfig} from './clients.js';
import {type ErrorScene, isUnimplemented, ServiceError, toServiceError} from './errors.js';
import type {SceneDefaults} from './key-service.js';
import type {CallOptions, TrailEvent, TrailEventPage} from './types.js';

export type KeyEventsQuery = CallOptions & {
	/** Oldest event time to include. */
	readonly since: Date;
	readonly until?: Date;
	/** The `nextToken` of the previous page. */
	readonly pageToken?: string;
	/** 1–50 (LookupEvents' MaxResults); default 50. */
	readonly pageSize?: number;
};

/** A TrailService with its own CloudTrail client. */
export function createTrailService(connection: Connection, scene: SceneDefaults): TrailService {
	return new TrailService(new CloudTrailClient(clientConfig(connection)), scene);
}

export class TrailService {
	private readonly trail: CloudTrailClient;
	private readonly scene: SceneDefaults;

	constructor(trail: CloudTrailClient, scene: SceneDefaults) {
		this.trail = trail;
		this.scene = scene;
	}

	/** Releases the client's sockets. */
	close(): void {
		this.trail.destroy();
	}

	/**
	 * One page of the key's events, newest first. AWS finds one key's events by the resource
	 * they name: LookupAttributes ResourceName = the key ARN (a key id or alias finds nothing).
	 */
	async keyEvents(keyArn: string, query: KeyEventsQuery): Promise<TrailEventPage> {
		const scene: ErrorScene = {
			...this.scene,
			operation: 'LookupEvents',
			action: 'read the key’s CloudTrail events',
			resource: keyArn,
		};
		const pageSize = query.pageSize ?? 50;
		if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) {
			throw new ServiceError(
				'validation',
				`A page holds 1 to 50 CloudTrail events, not ${pageSize}.`,
				'Ask for a page size from 1 to 50.',
			);
		}
		try {
			const output = await this.trail.send(
				new LookupEventsCommand({
					LookupAttributes: [{AttributeKey: 'ResourceName', AttributeValue: keyArn}],
					StartTime: query.since,
					EndTime: query.until,
					MaxResults: pageSize,
					NextToken: query.pageToken,
				}),
				{abortSignal: query.signal},
			);
			return {
				events: (output.Events ?? []).map(trailEventOf),
				...(output.NextToken ? {nextToken: output.NextToken} : {}),
			};
		} catch (error) {
			if (this.scene.isLocal && isUnimplemented(error)) {
				throw new ServiceError(
					'unknown',
					'This endpoint does not serve CloudTrail LookupEvents, so kms-tui cannot list the key’s activity here.',
					'Use the sandbox (--sandbox, or `kms-tui sandbox serve`) or AWS to see activity; `kms-tui key` still shows the key.',
					{code: 'NotImplemented', cause: error},
				);
			}
			const name = (error as {name?: unknown})?.name;
			if (typeof name === 'string' && lookupInputErrors.has(name)) {
				throw new ServiceError(
					'validation',
					`Could not ${scene.action}: ${(error as Error).message} (${name})`,
					'Start again from the first page; a page token belongs to the lookup it came from.',
					{code: name, cause: error},
				);
			}
			throw toServiceError(error, scene);
		}
	}
}

/** CloudTrail's answers to a lookup it cannot run as asked (its exception names). */
const lookupInputErrors = new Set([
	'InvalidNextTokenException',
	'InvalidTimeRangeException',
	'InvalidLookupAttributesException',
	'InvalidMaxResultsException',
	'InvalidEventCategoryException',
]);

/**
 * Members that may hold key material or authorise like a credential, as CloudTrail spells them
 * (camel case), compared lower-cased. Anything named like a secret goes too.
 */
const secretMembers = new Set(
	[
		'plaintext',
		'ciphertextBlob',
		'ciphertextForRecipient',
		'message',
		'signature',
		'mac',
		'encryptedKeyMaterial',
		'importToken',
		'publicKey',
		'privateKeyPlaintext',
		'privateKeyCiphertextBlob',
		'sharedSecret',
		'recipient',
		'grantTokens',
		'templateBody',
	].map((name) => name.toLowerCase()),
);
const secretLike = /secret|password|token|credential|plaintext|ciphertext|privatekey/i;

/** Members whose entries are the caller's own names and values (not secrets by themselves). */
const contextMembers = /encryptioncontext/i;

function withoutSecrets(value: unknown, depth: number): unknown {
	if (value === null || typeof value !== 'object') return value;
	if (depth > 6) return '…';
	if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, depth + 1));
	const out: Record<string, unknown> = {};
	for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
		const lower = name.toLowerCase();
		if (secretMembers.has(lower) || (secretLike.test(name) && !contextMembers.test(name))) {
			continue;
		}
		out[name] = contextMembers.test(name) ? member : withoutSecrets(member, depth + 1);
	}
	return out;
}

/** `keyId=…, keySpec=AES_256, encryptionContext={purpose=demo}`: one line, at most ~200 chars. */
function summaryOf(parameters: Readonly<Record<string, unknown>> | undefined): string {
	if (!parameters) return '';
	const shown = (value: unknown): string => {
		if (value === null || typeof value !== 'object') return String(value);
		if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
		return `{${Object.entries(value)
			.map(([name, member]) => `${name}=${shown(member)}`)
			.join(', ')}}`;
	};
	const text = Object.entries(parameters)
		.map(([name, value]) => `${name}=${shown(value)}`)
		.join(', ');
	return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

type TrailRecord = {
	userIdentity?: {arn?: string; principalId?: string; userName?: string; accessKeyId?: string};
	userAgent?: string;
	sourceIPAddress?: string;
	requestParameters?: unknown;
	errorCode?: string;
	errorMessage?: string;
	readOnly?: boolean;
	eventSource?: string;
};

function recordOf(event: Event): TrailRecord {
	if (!event.CloudTrailEvent) return {};
	try {
		const parsed = JSON.parse(event.CloudTrailEvent) as unknown;
		return parsed !== null && typeof parsed === 'object' ? (parsed as TrailRecord) : {};
	} catch {
		return {};
	}
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

export function trailEventOf(event: Event): TrailEvent {
	const record = recordOf(event);
	const identity = record.userIdentity ?? {};
	const raw = record.requestParameters;
	const requestParameters =
		raw !== null && typeof raw === 'object' && !Array.isArray(raw)
			? (withoutSecrets(raw, 0) as Record<string, unknown>)
			: undefined;
	const accessKeyId = text(event.AccessKeyId) ?? text(identity.accessKeyId);
	const userAgent = text(record.userAgent);
	const sourceIp = text(record.sourceIPAddress);
	const errorCode = text(record.errorCode);
	const errorMessage = text(record.errorMessage);
	return {
		eventId: event.EventId ?? '',
		time: event.EventTime ?? new Date(0),
		name: event.EventName ?? '(unnamed)',
		source: text(event.EventSource) ?? text(record.eventSource) ?? '',
		principal:
			text(event.Username) ??
			text(identity.userName) ??
			text(identity.arn) ??
			text(identity.principalId) ??
			'(unknown)',
		...(accessKeyId ? {accessKeyId} : {}),
		...(userAgent ? {userAgent} : {}),
		...(sourceIp ? {sourceIp} : {}),
		isReadOnly: event.ReadOnly === 'true' || record.readOnly === true,
		...(requestParameters ? {requestParameters} : {}),
		requestSummary: summaryOf(requestParameters),
		...(errorCode ? {errorCode} : {}),
		...(errorMessage ? {errorMessage} : {}),
	};
}
