/**
 * CloudTrail-style events: per Region, oldest first, bounded to 90 days of sandbox clock and a
 * count cap, indexed by time (binary search) and by key id (positions per key). Recording one is
 * O(1) amortised; a lookup reads one page, newest first, as CloudTrail's LookupEvents does.
 *
 * The events live in their own file (store-event-file.ts), never in the state document or its
 * journal: opening the store and any request but LookupEvents leave them unread. A process holds
 * an EventLog only once it has looked events up.
 */
import {AwsError} from './context.js';
import type {StoredEvent} from './store-journal.js';

export type {StoredEvent};

/** What a caller records; the store adds `seq`. */
export type SandboxEvent = Omit<StoredEvent, 'seq'>;

export type EventQuery = {
	readonly region: string;
	readonly keyId?: string;
	/** One lookup term an event was recorded with (`StoredEvent.terms`); instead of `keyId`. */
	readonly term?: string;
	/** Inclusive bounds, epoch ms of the sandbox clock. */
	readonly startTime?: number;
	readonly endTime?: number;
	/** 1–50, default 50 (CloudTrail's bounds). */
	readonly maxResults?: number;
	readonly nextToken?: string;
};

export type EventPage = {readonly events: readonly StoredEvent[]; readonly nextToken?: string};

export const eventRetentionMs = 90 * 24 * 60 * 60 * 1000;
export const defaultMaxEventsPerRegion = 100_000;

class RegionEvents {
	/** Absolute position of items[0]; positions only grow. */
	first = 0;
	items: StoredEvent[] = [];
	/** Non-decreasing times for the binary search (clocks of several processes may differ a little). */
	times: number[] = [];
	/** Increasing sequence numbers: what a NextToken names, stable across reloads and compactions. */
	seqs: number[] = [];
	byKey = new Map<string, number[]>();
	/** EventId is unique: one position, not a list per id (100,000 lists were a third of a load). */
	byId = new Map<string, number>();

	get end(): number {
		return this.first + this.items.length;
	}

	at(position: number): StoredEvent | undefined {
		return this.items[position - this.first];
	}

	push(event: StoredEvent): void {
		const position = this.end;
		this.items.push(event);
		this.times.push(Math.max(event.eventTime, this.times.at(-1) ?? event.eventTime));
		this.seqs.push(event.seq);
		this.byId.set(event.eventId, position);
		for (const keyId of indexedTerms(event)) {
			let list = this.byKey.get(keyId);
			if (!list) {
				list = [];
				this.byKey.set(keyId, list);
			}
			list.push(position);
		}
	}

	/** Drops events older than `oldest` (and beyond `cap`), from the front. */
	prune(oldest: number, cap: number): void {
		let drop = 0;
		while (
			drop < this.items.length &&
			(this.items.length - drop > cap || (this.items[drop] as StoredEvent).eventTime < oldest)
		) {
			drop++;
		}
		if (drop === 0) return;
		for (let index = 0; index < drop; index++) {
			const event = this.items[index] as StoredEvent;
			if (this.byId.get(event.eventId) === this.first + index) this.byId.delete(event.eventId);
			for (const keyId of indexedTerms(event)) {
				const list = this.byKey.get(keyId);
				if (!list) continue;
				while (list.length > 0 && (list[0] as number) < this.first + drop) list.shift();
				if (list.length === 0) this.byKey.delete(keyId);
			}
		}
		this.items.splice(0, drop);
		this.times.splice(0, drop);
		this.seqs.splice(0, drop);
		this.first += drop;
	}
}

/**
 * A lookup term: `EventName=Decrypt`. No key id holds `=`, so terms and key ids share one index.
 * An event's EventId and EventName terms come from its own fields; the recorder stores the others.
 */
export function eventTerm(attribute: string, value: string): string {
	return `${attribute}=${value}`;
}

const eventIdPrefix = eventTerm('EventId', '');

/** What an event is found by besides its EventId: its key ids and its terms. */
function indexedTerms(event: StoredEvent): Set<string> {
	const terms = new Set(event.keyIds);
	terms.add(eventTerm('EventName', event.eventName));
	for (const term of event.terms ?? []) terms.add(term);
	return terms;
}

/** A page's NextToken: the sequence number of the newest event the next page may hold. */
function tokenFor(seq: number): string {
	return Buffer.from(`events:${seq}`, 'utf8').toString('base64url');
}

function seqOf(token: string): number {
	const text = Buffer.from(token, 'base64url').toString('utf8');
	const match = /^events:(\d{1,15})$/.exec(text);
	if (!match) {
		throw new AwsError('InvalidNextTokenException', 'Invalid NextToken.');
	}
	return Number(match[1]);
}

/** Last index in `sorted` whose value is ≤ `limit`, or -1. */
function lastAtMost(sorted: readonly number[], limit: number): number {
	let low = 0;
	let high = sorted.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if ((sorted[middle] as number) <= limit) low = middle + 1;
		else high = middle;
	}
	return low - 1;
}

/** Numbers a new event (the store gives the sequence number, from the state's events tail). */
export function stampEvent(event: SandboxEvent, seq: number): StoredEvent {
	return {
		...event,
		keyIds: [...event.keyIds],
		...(event.terms ? {terms: [...event.terms]} : {}),
		seq,
	};
}

/** The positions an index term names, oldest first. */
function positionsOf(region: RegionEvents, term: string): readonly number[] {
	if (term.startsWith(eventIdPrefix)) {
		const position = region.byId.get(term.slice(eventIdPrefix.length));
		return position === undefined ? [] : [position];
	}
	return region.byKey.get(term) ?? [];
}

export class EventLog {
	private readonly regions = new Map<string, RegionEvents>();
	readonly maxPerRegion: number;

	constructor(maxPerRegion = defaultMaxEventsPerRegion) {
		this.maxPerRegion = maxPerRegion;
	}

	get count(): number {
		let total = 0;
		for (const region of this.regions.values()) total += region.items.length;
		return total;
	}

	/** Events held per Region. */
	counts(): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const [name, region] of this.regions) counts[name] = region.items.length;
		return counts;
	}

	/** Adds an event; its `seq` is above every event's before it (the file's order). */
	add(event: StoredEvent): void {
		const region = this.regionOf(event.region);
		region.push(event);
		region.prune(event.eventTime - eventRetentionMs, this.maxPerRegion);
	}

	/** Adds events read from the file (oldest first), pruning each Region once at the end. */
	addAll(events: readonly StoredEvent[]): void {
		const touched = new Map<RegionEvents, number>();
		for (const event of events) {
			const region = this.regionOf(event.region);
			region.push(event);
			touched.set(region, Math.max(touched.get(region) ?? event.eventTime, event.eventTime));
		}
		for (const [region, newest] of touched) {
			region.prune(newest - eventRetentionMs, this.maxPerRegion);
		}
	}

	private regionOf(name: string): RegionEvents {
		let region = this.regions.get(name);
		if (!region) {
			region = new RegionEvents();
			this.regions.set(name, region);
		}
		return region;
	}

	/** One page, newest first. `now` is the sandbox clock: events older than 90 days are gone. */
	lookup(query: EventQuery, now: number): EventPage {
		const limit = query.maxResults ?? 50;
		if (!(Number.isInteger(limit) && limit >= 1 && limit <= 50)) {
			throw new AwsError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
		}
		const region = this.regions.get(query.region);
		if (!region) return {events: []};
		const oldest = Math.max(now - eventRetentionMs, query.startTime ?? Number.NEGATIVE_INFINITY);
		// Positions strictly before `before` are candidates.
		let before = region.end;
		if (query.nextToken !== undefined) {
			before = Math.min(before, region.first + lastAtMost(region.seqs, seqOf(query.nextToken)) + 1);
		}
		if (query.endTime !== undefined) {
			before = Math.min(before, region.first + lastAtMost(region.times, query.endTime) + 1);
		}
		const events: StoredEvent[] = [];
		let position = before;
		const indexKey = query.term ?? query.keyId;
		const keyList = indexKey === undefined ? undefined : positionsOf(region, indexKey);
		let keyIndex = keyList ? lastAtMost(keyList, before - 1) : -1;
		for (;;) {
			position = keyList ? (keyIndex >= 0 ? (keyList[keyIndex--] as number) : -1) : position - 1;
			if (position < region.first) return {events};
			const event = region.at(position) as StoredEvent;
			if ((region.times[position - region.first] as number) < oldest) return {events};
			if (event.eventTime < oldest) continue;
			if (events.length === limit) return {events, nextToken: tokenFor(event.seq)};
			events.push(event);
		}
	}

	/** All events, oldest first: for a compaction and a reset's backup. */
	all(): StoredEvent[] {
		const out: StoredEvent[] = [];
		for (const region of this.regions.values()) out.push(...region.items);
		return out.sort((a, b) => a.seq - b.seq);
	}
}
