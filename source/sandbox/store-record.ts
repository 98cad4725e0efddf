/**
 * Between the in-memory state and the journal: the record of the entities a transaction changed
 * (store-tracking.ts found them), and the replay of such a record onto raw state. Pure: no I/O.
 */
import {defineEntry, type SandboxState} from './context.js';
import type {EventsTail} from './store-event-file.js';
import type {JournalRecord} from './store-journal.js';
import {type EntityPath, entityKey, notifyEntity} from './store-tracking.js';

/** The record of what a transaction changed, or undefined when it changed nothing. */
export function recordOf(
	root: SandboxState,
	dirty: ReadonlyMap<string, EntityPath>,
	eventsTail: EventsTail | undefined,
): string | undefined {
	if (dirty.size === 0 && eventsTail === undefined) return undefined;
	const puts: Array<[EntityPath, unknown]> = [];
	const deletes: EntityPath[] = [];
	for (const entity of dirty.values()) {
		// Written as part of a larger entity replaced in the same transaction (a new Region).
		if (hasDirtyAncestor(entity, dirty)) continue;
		const value = valueAt(root, entity);
		if (value === undefined) deletes.push(entity);
		else puts.push([entity, value]);
	}
	const record: JournalRecord = {};
	if (puts.length > 0) record.p = puts;
	if (deletes.length > 0) record.d = deletes;
	if (eventsTail) record.t = eventsTail;
	return JSON.stringify(record);
}

function hasDirtyAncestor(entity: EntityPath, dirty: ReadonlyMap<string, EntityPath>): boolean {
	for (let length = 1; length < entity.length; length++) {
		if (dirty.has(entityKey(entity.slice(0, length)))) return true;
	}
	return false;
}

function valueAt(root: object, entity: EntityPath): unknown {
	let node: unknown = root;
	for (const name of entity) {
		if (typeof node !== 'object' || node === null || !Object.hasOwn(node, name)) return undefined;
		node = (node as Record<string, unknown>)[name];
	}
	return node;
}

/** Replays a record's entity puts and deletes onto raw state (no tracking), telling the indexes. */
export function applyEntities(state: SandboxState, record: JournalRecord): void {
	const root = state as unknown as Record<string, unknown>;
	for (const [entity, value] of record.p ?? []) {
		let node = root;
		for (const name of entity.slice(0, -1)) {
			let next = Object.hasOwn(node, name) ? node[name] : undefined;
			if (typeof next !== 'object' || next === null) {
				next = {};
				defineEntry(node, name, next);
			}
			node = next as Record<string, unknown>;
		}
		defineEntry(node, entity.at(-1) as string, value);
		notifyEntity(state, entity);
	}
	for (const entity of record.d ?? []) {
		const parent = valueAt(root, entity.slice(0, -1));
		if (typeof parent === 'object' && parent !== null) {
			delete (parent as Record<string, unknown>)[entity.at(-1) as string];
			notifyEntity(state, entity);
		}
	}
}
