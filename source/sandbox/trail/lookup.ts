/**
 * CloudTrail's LookupEvents over the store's events: at most one lookup attribute, an inclusive
 * time window, 1–50 events a page (default 50), newest first, a NextToken valid only with the
 * same attributes and window it was issued for. Errors carry CloudTrail's exception names.
 */
import {createHash} from 'node:crypto';
import {AwsError} from '../context.js';
import type {EventPage, EventQuery, StoredEvent} from '../store.js';
import {
	cloudTrailRecord,
	type LookupAttributeKey,
	lookupAttributeKeys,
	lookupTerm,
	sandboxUserName,
} from './record.js';

export type LookupPlan =
	/** EventCategory `insight`: the sandbox has no Insights events. */
	| {readonly kind: 'empty'}
	| {readonly kind: 'page'; readonly query: EventQuery; readonly fingerprint: string};

function invalid(code: string, message: string): AwsError {
	return new AwsError(code, message);
}

function timeOf(value: unknown, member: string): number | undefined {
	if (value === undefined || value === null) return undefined;
	// awsJson1_1 timestamps are epoch seconds; an ISO string is accepted too, as CloudTrail does.
	const ms =
		typeof value === 'number'
			? value * 1000
			: typeof value === 'string'
				? Date.parse(value)
				: Number.NaN;
	if (!Number.isFinite(ms)) {
		throw invalid(
			'SerializationException',
			`${member} must be a timestamp (epoch seconds or an ISO 8601 date).`,
		);
	}
	return ms;
}

function attributeTerm(value: unknown): {term?: string; shown: unknown} {
	if (value === undefined || value === null) return {shown: null};
	if (!Array.isArray(value)) {
		throw invalid('InvalidLookupAttributesException', 'LookupAttributes must be a list.');
	}
	if (value.length === 0) return {shown: null};
	if (value.length > 1) {
		throw invalid(
			'InvalidLookupAttributesException',
			`LookupAttributes holds ${value.length} attributes; CloudTrail accepts at most one. Run one lookup per attribute.`,
		);
	}
	const attribute = value[0] as Record<string, unknown> | null;
	const key = attribute?.AttributeKey;
	const attributeValue = attribute?.AttributeValue;
	if (typeof key !== 'string' || !lookupAttributeKeys.includes(key as LookupAttributeKey)) {
		throw invalid(
			'InvalidLookupAttributesException',
			`AttributeKey ${JSON.stringify(String(key)).slice(0, 60)} is not valid: use one of ${lookupAttributeKeys.join(', ')}.`,
		);
	}
	if (
		typeof attributeValue !== 'string' ||
		attributeValue.length === 0 ||
		attributeValue.length > 2000
	) {
		throw invalid(
			'InvalidLookupAttributesException',
			'AttributeValue must be a string of 1 to 2000 characters.',
		);
	}
	if (key === 'ReadOnly' && attributeValue !== 'true' && attributeValue !== 'false') {
		throw invalid(
			'InvalidLookupAttributesException',
			`The ReadOnly attribute is "true" or "false", not ${JSON.stringify(attributeValue).slice(0, 60)}.`,
		);
	}
	return {
		term: lookupTerm(key as LookupAttributeKey, attributeValue),
		shown: [key, attributeValue],
	};
}

/** Our NextToken: the store's position token, bound to the query it continues. */
function wrapToken(storeToken: string, fingerprint: string): string {
	return Buffer.from(`${storeToken}.${fingerprint}`, 'utf8').toString('base64url');
}

function unwrapToken(token: unknown, fingerprint: string): string {
	const text = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : '';
	const dot = text.lastIndexOf('.');
	if (dot <= 0 || text.slice(dot + 1) !== fingerprint) {
		throw invalid(
			'InvalidNextTokenException',
			'The NextToken is not valid, or was issued for a lookup with other attributes, times or category: repeat the first lookup without NextToken.',
		);
	}
	return text.slice(0, dot);
}

export function planLookup(input: unknown, region: string): LookupPlan {
	const request = (input ?? {}) as Record<string, unknown>;
	if (typeof request !== 'object' || Array.isArray(request)) {
		throw invalid('SerializationException', 'The request body must be a JSON object.');
	}
	const category = request.EventCategory;
	if (category !== undefined && category !== null && category !== 'insight') {
		throw invalid(
			'InvalidEventCategoryException',
			`EventCategory ${JSON.stringify(String(category)).slice(0, 60)} is not valid: the only category is "insight" (leave it out for management events).`,
		);
	}
	const attribute = attributeTerm(request.LookupAttributes);
	const startTime = timeOf(request.StartTime, 'StartTime');
	const endTime = timeOf(request.EndTime, 'EndTime');
	if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
		throw invalid(
			'InvalidTimeRangeException',
			`StartTime (${new Date(startTime).toISOString()}) is after EndTime (${new Date(endTime).toISOString()}).`,
		);
	}
	const maxResults = request.MaxResults;
	if (
		maxResults !== undefined &&
		maxResults !== null &&
		!(Number.isInteger(maxResults) && (maxResults as number) >= 1 && (maxResults as number) <= 50)
	) {
		throw invalid(
			'InvalidMaxResultsException',
			`MaxResults must be an integer from 1 to 50, not ${JSON.stringify(maxResults)}.`,
		);
	}
	const fingerprint = createHash('sha256')
		.update(
			JSON.stringify([
				region,
				attribute.shown,
				startTime ?? null,
				endTime ?? null,
				category ?? null,
			]),
		)
		.digest('base64url')
		.slice(0, 16);
	const nextToken =
		request.NextToken === undefined || request.NextToken === null
			? undefined
			: unwrapToken(request.NextToken, fingerprint);
	if (category === 'insight') return {kind: 'empty'};
	return {
		kind: 'page',
		fingerprint,
		query: {
			region,
			...(attribute.term === undefined ? {} : {term: attribute.term}),
			...(startTime === undefined ? {} : {startTime}),
			...(endTime === undefined ? {} : {endTime}),
			...(maxResults === undefined || maxResults === null
				? {}
				: {maxResults: maxResults as number}),
			...(nextToken === undefined ? {} : {nextToken}),
		},
	};
}

function apiEvent(event: StoredEvent): Record<string, unknown> {
	const record = cloudTrailRecord(event);
	const resources = (record.resources ?? []) as Array<{type: string; ARN: string}>;
	return {
		EventId: event.eventId,
		EventName: event.eventName,
		ReadOnly: String(record.readOnly),
		AccessKeyId: (record.userIdentity as {accessKeyId: string}).accessKeyId,
		EventTime: Math.floor(event.eventTime / 1000),
		EventSource: record.eventSource,
		Username: sandboxUserName,
		Resources: resources.map((resource) => ({
			ResourceType: resource.type,
			ResourceName: resource.ARN,
		})),
		CloudTrailEvent: JSON.stringify(record),
	};
}

/** The LookupEvents response body for one page of the store's events. */
export function lookupResponse(
	plan: LookupPlan,
	page: EventPage | undefined,
): Record<string, unknown> {
	if (plan.kind === 'empty' || !page) return {Events: []};
	return {
		Events: page.events.map(apiEvent),
		...(page.nextToken === undefined
			? {}
			: {NextToken: wrapToken(page.nextToken, plan.fingerprint)}),
	};
}
