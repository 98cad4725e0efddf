/**
 * A key's activity in a time window, as `kms-tui activity` and the Activity screen show it: the
 * key (its ARN is what CloudTrail files the events under), its events newest first, the number
 * of KMS requests among them and the span they cover, and its rotations (for the cost estimate).
 * LookupEvents answers at most 50 events a call and AWS allows it 2 calls a second per account,
 * so at most `maxEvents` are read: beyond that the count covers the newest events only, and the
 * span shrinks to match, so the request rate stays right.
 */
import type {KeyService} from './key-service.js';
import type {TrailService} from './trail-service.js';
import type {CallOptions, KeyInfo, TrailEvent} from './types.js';

export type KeyActivity = {
	readonly key: KeyInfo;
	readonly since: Date;
	readonly until: Date;
	readonly events: readonly TrailEvent[];
	/** More events in the window than were read. */
	readonly isTruncated: boolean;
	/** Where the span the events cover starts: `since`, the key's creation, or the oldest event read. */
	readonly coveredFrom: Date;
	/** KMS requests among the events (what KMS bills per 10,000). */
	readonly requests: number;
	readonly rotations: number;
};

export type ActivityQuery = CallOptions & {
	readonly sinceMs: number;
	/** "Now": the sandbox's clock on the sandbox (format.ts displayNow). */
	readonly now: number;
	readonly maxEvents?: number;
};

export const defaultMaxEvents = 500;

export async function readKeyActivity(
	services: {readonly keys: KeyService; readonly trail: Pick<TrailService, 'keyEvents'>},
	keyRef: string,
	query: ActivityQuery,
): Promise<KeyActivity> {
	const {signal} = query;
	const key = await services.keys.describeKey(keyRef, {signal});
	const since = new Date(query.now - query.sinceMs);
	const until = new Date(query.now);
	const maxEvents = query.maxEvents ?? defaultMaxEvents;
	// A key whose state forbids ListKeyRotations (pending import…) has had none that bill.
	const rotations = await services.keys.rotationHistory(key.keyId, {signal}).then(
		(history) => history.length,
		() => 0,
	);
	// No EndTime, and the reads above made first: what kms-tui itself asked is in the list too,
	// always, as it is in LookupEvents' answer to anyone else a moment later.
	const events: TrailEvent[] = [];
	let pageToken: string | undefined;
	do {
		const page = await services.trail.keyEvents(key.arn, {
			since,
			pageToken,
			pageSize: Math.min(50, maxEvents - events.length),
			signal,
		});
		events.push(...page.events);
		pageToken = page.nextToken;
	} while (pageToken && events.length < maxEvents);
	const read = {events, isTruncated: pageToken !== undefined};
	const created = key.createdAt && key.createdAt > since ? key.createdAt : since;
	const oldest = read.events.at(-1)?.time;
	const coveredFrom = read.isTruncated && oldest ? oldest : created;
	return {
		key,
		since,
		until,
		events: read.events,
		isTruncated: read.isTruncated,
		coveredFrom,
		requests: read.events.filter((event) => event.source === 'kms.amazonaws.com').length,
		rotations,
	};
}
