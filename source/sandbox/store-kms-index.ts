/**
 * Indexes over one Region's KMS state, kept in memory beside the store-managed state so that no
 * request scans every key or alias: the key count, keys in creation order (ListKeys), alias names
 * in order (ListAliases) and per key (the 50-alias limit, ListAliases by KeyId), and the earliest
 * instant any key has a deletion or rotation due (tickKms skips its scan until then).
 *
 * An index is built once per loaded state (one scan) and then follows every entity change the
 * store reports (a write, an undo, a record replayed from the journal). State that no store
 * manages (a plain object in a unit test) has no index: callers then scan, as before.
 */
import {ownEntry} from './context.js';
import {deletionDueAt} from './kms/deletion.js';
import {rotationDueAt} from './kms/rotation.js';
import type {KmsAlias, KmsKey, KmsState} from './kms/state.js';
import {isTracked, onEntityChange, rawOf} from './store-tracking.js';

export type KeyOrder = {readonly seq: number; readonly keyId: string};

export class KmsIndex {
	/** Ascending seq: ListKeys' order. */
	readonly keysBySeq: KeyOrder[] = [];
	private readonly seqOf = new Map<string, number>();
	/** Ascending by code unit, as ListAliases sorts. */
	readonly aliasNames: string[] = [];
	private readonly targetOf = new Map<string, string>();
	private readonly aliasesOf = new Map<string, Set<string>>();
	/** No key has work for tickKms before this instant (a lower bound; exact after rescan). */
	dueAt = Number.POSITIVE_INFINITY;
	private readonly kms: KmsState;

	constructor(kms: KmsState) {
		this.kms = kms;
		for (const [keyId, key] of Object.entries(kms.keys ?? {})) this.keyChanged(keyId, key);
		for (const [name, alias] of Object.entries(kms.aliases ?? {})) this.aliasChanged(name, alias);
	}

	get keyCount(): number {
		return this.seqOf.size;
	}

	aliasCountOf(keyId: string): number {
		return this.aliasesOf.get(keyId)?.size ?? 0;
	}

	/** Alias names in ListAliases order: all of them, or those of one key. */
	sortedAliasNames(keyId?: string): readonly string[] {
		if (keyId === undefined) return this.aliasNames;
		return [...(this.aliasesOf.get(keyId) ?? [])].sort(compare);
	}

	/** After tickKms ran: nothing is due up to its `now`, so the exact next instant is found. */
	rescanDue(): void {
		let due = Number.POSITIVE_INFINITY;
		for (const key of Object.values(this.kms.keys)) due = Math.min(due, dueOf(key));
		this.dueAt = due;
	}

	keyChanged(keyId: string, key: KmsKey | undefined): void {
		const known = this.seqOf.get(keyId);
		if (known !== undefined && (key === undefined || key.seq !== known)) {
			const at = lowerBound(this.keysBySeq, known, (entry) => entry.seq);
			// Seqs are unique in practice; a hand-edited file may repeat one: find this key's entry.
			let index = at;
			while (index < this.keysBySeq.length && this.keysBySeq[index]?.keyId !== keyId) index++;
			if (index < this.keysBySeq.length) this.keysBySeq.splice(index, 1);
			this.seqOf.delete(keyId);
		}
		if (key === undefined) return;
		if (!this.seqOf.has(keyId)) {
			const at = upperBound(this.keysBySeq, key.seq, (entry) => entry.seq);
			this.keysBySeq.splice(at, 0, {seq: key.seq, keyId});
			this.seqOf.set(keyId, key.seq);
		}
		this.dueAt = Math.min(this.dueAt, dueOf(key));
	}

	aliasChanged(name: string, alias: KmsAlias | undefined): void {
		const before = this.targetOf.get(name);
		const after = alias?.targetKeyId;
		if (before === after) return;
		if (before !== undefined) {
			this.aliasesOf.get(before)?.delete(name);
			if (this.aliasesOf.get(before)?.size === 0) this.aliasesOf.delete(before);
		}
		if (after === undefined) {
			this.targetOf.delete(name);
			const at = lowerBound(this.aliasNames, name, (entry) => entry);
			if (this.aliasNames[at] === name) this.aliasNames.splice(at, 1);
			return;
		}
		if (before === undefined) {
			this.aliasNames.splice(
				lowerBound(this.aliasNames, name, (entry) => entry),
				0,
				name,
			);
		}
		this.targetOf.set(name, after);
		let names = this.aliasesOf.get(after);
		if (!names) {
			names = new Set();
			this.aliasesOf.set(after, names);
		}
		names.add(name);
	}
}

function dueOf(key: KmsKey): number {
	return Math.min(deletionDueAt(key), rotationDueAt(key));
}

function compare(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** First index whose key is ≥ `value`. */
function lowerBound<T, K extends string | number>(
	items: readonly T[],
	value: K,
	keyOf: (item: T) => K,
): number {
	let low = 0;
	let high = items.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (keyOf(items[middle] as T) < value) low = middle + 1;
		else high = middle;
	}
	return low;
}

/** First index whose key is > `value`. */
function upperBound<T, K extends string | number>(
	items: readonly T[],
	value: K,
	keyOf: (item: T) => K,
): number {
	let low = 0;
	let high = items.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (keyOf(items[middle] as T) <= value) low = middle + 1;
		else high = middle;
	}
	return low;
}

/** Keyed by the raw KmsState object: a reload brings new objects, and so new indexes. */
const indexes = new WeakMap<object, KmsIndex>();

/** The index of store-managed KMS state, or undefined for a plain object (then scan). */
export function kmsIndex(state: KmsState): KmsIndex | undefined {
	if (!isTracked(state)) return undefined;
	const raw = rawOf(state);
	let index = indexes.get(raw);
	if (!index) {
		index = new KmsIndex(raw);
		indexes.set(raw, index);
	}
	return index;
}

onEntityChange((root, entity) => {
	if (entity[0] !== 'regions' || entity.length < 3) return;
	const regions = (root as {regions?: Record<string, {kms?: KmsState}>}).regions;
	const kms = regions && ownEntry(regions, entity[1] as string)?.kms;
	if (!kms) return;
	const index = indexes.get(kms);
	if (!index) return;
	if (entity.length < 5) {
		// A whole collection (or the Region's KMS) replaced: rebuilt on next use.
		if (entity[2] === 'kms' && entity[3] !== 'nextSeq') indexes.delete(kms);
		return;
	}
	if (entity[2] !== 'kms') return;
	const id = entity[4] as string;
	if (entity[3] === 'keys') index.keyChanged(id, kms.keys ? ownEntry(kms.keys, id) : undefined);
	else if (entity[3] === 'aliases') {
		index.aliasChanged(id, kms.aliases ? ownEntry(kms.aliases, id) : undefined);
	}
});
