/**
 * One CloudTrail-style event per KMS or CloudFormation request the sandbox answers, recorded in
 * the store with the request's own transaction (or, for a failed request, in a small one of its
 * own: the failed change was undone). The record has the fields of a CloudTrail management event
 * (eventTime, eventSource, eventName, userIdentity, requestParameters without secrets,
 * responseElements, errorCode/errorMessage, resources, eventID, requestID, readOnly); the store
 * indexes it by key id and by every LookupEvents attribute, so recording is O(1) and a lookup
 * reads one page.
 *
 * Not recorded: requests the guard refuses (a web page could otherwise flood the log and push
 * real events out of its 100,000-event bound), requests naming no known operation, the changes
 * the sandbox makes by itself (scheduled deletions, automatic rotations, stack steps) and
 * LookupEvents itself (a screen polling the activity would fill the log with its own reads).
 */
import {ownEntry, type RequestContext, sandboxAccountId} from '../context.js';
import type {KmsState} from '../kms/index.js';
import {noteKeyUse, startUsageTracking} from '../kms/index.js';
import {trackedOperations} from '../kms/last-usage.js';
import {resolveKey} from '../kms/resolve.js';
import {partitionOf} from '../regions.js';
import type {SandboxEvent, StoredEvent, StoreTransaction} from '../store.js';
import {eventTerm} from '../store-events.js';
import {cfnRequestParameters, kmsRequestParameters, kmsResponseElements} from './redact.js';

/** Who sent a request, as CloudTrail reports it. */
export type Caller = {
	readonly accessKeyId: string;
	readonly userAgent: string;
	readonly sourceIPAddress: string;
};

export type Outcome =
	| {readonly output: Record<string, unknown>}
	| {readonly error: {readonly code: string; readonly message: string}};

export type LookupAttributeKey =
	| 'EventId'
	| 'EventName'
	| 'ReadOnly'
	| 'Username'
	| 'ResourceType'
	| 'ResourceName'
	| 'EventSource'
	| 'AccessKeyId';

export const lookupAttributeKeys: readonly LookupAttributeKey[] = [
	'EventId',
	'EventName',
	'ReadOnly',
	'Username',
	'ResourceType',
	'ResourceName',
	'EventSource',
	'AccessKeyId',
];

/** The store's index term for one LookupEvents attribute. */
export function lookupTerm(key: LookupAttributeKey, value: string): string {
	return eventTerm(key, value);
}

/** The user name CloudTrail shows for the sandbox's caller: the account root. */
export const sandboxUserName = 'root';

const maxUserAgent = 1024;

/** KMS operations that change nothing (CloudTrail `readOnly: true`, crypto calls included). */
function kmsReadOnly(operation: string): boolean {
	return /^(Describe|List|Get)/.test(operation) || trackedOperations.has(operation);
}

function cfnReadOnly(action: string): boolean {
	return /^(Describe|List|Get|Validate|Estimate)/.test(action);
}

const eventSources = {kms: 'kms.amazonaws.com', cfn: 'cloudformation.amazonaws.com'} as const;

/**
 * What the store keeps of an event besides its id, time, name, Region and keys: only what cannot
 * be derived (about 0.6 KB a request, half the full record); `cloudTrailRecord` rebuilds the rest.
 */
type EventDetail = {
	src: keyof typeof eventSources;
	ak: string;
	ua: string;
	ip: string;
	rid: string;
	ro: boolean;
	rp: Record<string, unknown> | null;
	re: Record<string, unknown> | null;
	err?: {code: string; message: string};
};

function sandboxEvent(
	ctx: RequestContext,
	caller: Caller,
	eventTime: number,
	call: {eventId: string; eventName: string; keyIds: readonly string[]; outcome: Outcome},
	detail: Omit<EventDetail, 'ak' | 'ua' | 'ip' | 'rid' | 'err'>,
): SandboxEvent {
	const failed = 'error' in call.outcome ? call.outcome.error : undefined;
	const full: EventDetail = {
		...detail,
		ak: caller.accessKeyId,
		ua: caller.userAgent.slice(0, maxUserAgent),
		ip: caller.sourceIPAddress,
		rid: ctx.requestId,
		re: failed ? null : detail.re,
		...(failed ? {err: {code: failed.code, message: failed.message}} : {}),
	};
	const terms = [
		lookupTerm('EventSource', eventSources[detail.src]),
		lookupTerm('ReadOnly', String(detail.ro)),
		lookupTerm('Username', sandboxUserName),
		lookupTerm('AccessKeyId', caller.accessKeyId),
	];
	if (call.keyIds.length > 0) terms.push(lookupTerm('ResourceType', 'AWS::KMS::Key'));
	for (const keyId of call.keyIds) {
		terms.push(lookupTerm('ResourceName', keyArn(ctx.region, keyId)));
	}
	return {
		eventId: call.eventId,
		eventTime,
		eventName: call.eventName,
		region: ctx.region,
		keyIds: call.keyIds,
		terms,
		detail: full,
	};
}

/** The key's ARN, as KMS's resolve.ts spells it, from what an event keeps. */
function keyArn(region: string, keyId: string): string {
	return `arn:${partitionOf(region).partition}:kms:${region}:${sandboxAccountId}:key/${keyId}`;
}

/** The whole CloudTrail record of a stored event (LookupEvents' `CloudTrailEvent`). */
export function cloudTrailRecord(event: StoredEvent): Record<string, unknown> {
	const detail = event.detail as EventDetail;
	const accountId = sandboxAccountId;
	const resourceOf = (keyId: string) => ({
		accountId,
		type: 'AWS::KMS::Key',
		ARN: keyArn(event.region, keyId),
	});
	return {
		eventVersion: '1.11',
		userIdentity: {
			type: 'Root',
			principalId: accountId,
			arn: `arn:${partitionOf(event.region).partition}:iam::${accountId}:root`,
			accountId,
			accessKeyId: detail.ak,
		},
		eventTime: new Date(event.eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
		eventSource: eventSources[detail.src],
		eventName: event.eventName,
		awsRegion: event.region,
		sourceIPAddress: detail.ip,
		userAgent: detail.ua,
		...(detail.err ? {errorCode: detail.err.code, errorMessage: detail.err.message} : {}),
		requestParameters: detail.rp,
		responseElements: detail.re,
		requestID: detail.rid,
		eventID: event.eventId,
		readOnly: detail.ro,
		...(event.keyIds.length > 0 ? {resources: event.keyIds.map(resourceOf)} : {}),
		eventType: 'AwsApiCall',
		managementEvent: true,
		recipientAccountId: accountId,
		eventCategory: 'Management',
	};
}

/** CloudTrail's times have whole seconds; the events' order within a second is their order. */
function wholeSeconds(ms: number): number {
	return Math.floor(ms / 1000) * 1000;
}

function keyIdOfArnOrId(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const at = value.lastIndexOf(':key/');
	return at >= 0 ? value.slice(at + ':key/'.length) : value;
}

/** The keys a KMS call involved: from its answer when it succeeded, else from what it named. */
function involvedKeys(
	state: KmsState,
	ctx: RequestContext,
	input: unknown,
	outcome: Outcome,
): string[] {
	const found = new Set<string>();
	if ('output' in outcome) {
		const output = outcome.output;
		const metadata = output.KeyMetadata as Record<string, unknown> | undefined;
		for (const value of [output.SourceKeyId, output.KeyId, metadata?.KeyId]) {
			const keyId = keyIdOfArnOrId(value);
			if (keyId !== undefined && ownEntry(state.keys, keyId)) found.add(keyId);
		}
	}
	if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
		const named = input as Record<string, unknown>;
		for (const field of ['KeyId', 'TargetKeyId', 'DestinationKeyId']) {
			const value = named[field];
			if (typeof value !== 'string' || value.length === 0 || value.length > 2048) continue;
			try {
				found.add(resolveKey(state, ctx, value, 'keyOrAlias').keyId);
			} catch {
				// Names no key (the call's own error says so): no resource.
			}
		}
	}
	return [...found];
}

/**
 * Records a KMS call with `tx` (the request's transaction, or one of its own after a failure)
 * and notes the keys' last use when it was a successful cryptographic operation.
 */
export function recordKmsCall(
	tx: StoreTransaction,
	state: KmsState,
	ctx: RequestContext,
	caller: Caller,
	call: {eventId: string; operation: string; input: unknown; outcome: Outcome},
): void {
	const eventTime = wholeSeconds(ctx.now);
	startUsageTracking(state, eventTime);
	const keyIds = involvedKeys(state, ctx, call.input, call.outcome);
	const readOnly = kmsReadOnly(call.operation);
	tx.appendEvent(
		sandboxEvent(
			ctx,
			caller,
			eventTime,
			{eventId: call.eventId, eventName: call.operation, keyIds, outcome: call.outcome},
			{
				src: 'kms',
				ro: readOnly,
				rp: kmsRequestParameters(call.input),
				// KMS logs no response of a read or a cryptographic call (no key material, ever).
				re:
					readOnly || !('output' in call.outcome) ? null : kmsResponseElements(call.outcome.output),
			},
		),
	);
	if ('output' in call.outcome) {
		noteKeyUse(state, keyIds, {
			operation: call.operation,
			timestamp: eventTime,
			eventId: call.eventId,
			requestId: ctx.requestId,
		});
	}
}

export function recordCfnCall(
	tx: StoreTransaction,
	state: KmsState,
	ctx: RequestContext,
	caller: Caller,
	call: {eventId: string; params: Readonly<Record<string, string>>; outcome: Outcome},
): void {
	const eventTime = wholeSeconds(ctx.now);
	// A stack can create keys before any KMS request reaches this Region.
	startUsageTracking(state, eventTime);
	const action = call.params.Action ?? '';
	tx.appendEvent(
		sandboxEvent(
			ctx,
			caller,
			eventTime,
			{eventId: call.eventId, eventName: action, keyIds: [], outcome: call.outcome},
			{src: 'cfn', ro: cfnReadOnly(action), rp: cfnRequestParameters(call.params), re: null},
		),
	);
}
