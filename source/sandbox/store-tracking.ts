/**
 * Entity-level change tracking for the sandbox store. A transaction's handlers see the in-memory
 * state through proxies that record, for every write, which entity it changed (a key, an alias, a
 * stack, a change set, a Region's `nextSeq`, the clock offset) and what the property held before.
 * The store then journals only those entities, and undoes the writes when the transaction fails,
 * so that no request ever reads, stringifies or writes the whole document.
 *
 * An entity is the value at `regions/<Region>/<service>/<collection>/<id>` (a path of 5), or the
 * shorter path a write replaced as a whole (a new Region, `regions/<Region>/kms/nextSeq`), or a
 * top-level member (`clockOffsetMs`).
 */

export type EntityPath = readonly string[];

type UndoEntry = {
	readonly target: Record<PropertyKey, unknown>;
	readonly prop: PropertyKey;
	readonly had: boolean;
	readonly old: unknown;
};

/** Every proxy handed out, to its raw target: what gets stored is always the raw object. */
const rawOfProxy = new WeakMap<object, object>();

/** The raw object behind a tracking proxy (or the value itself). */
export function rawOf<T>(value: T): T {
	return typeof value === 'object' && value !== null
		? ((rawOfProxy.get(value) as T | undefined) ?? value)
		: value;
}

/** True for a value a store transaction handed out, i.e. state the store persists and indexes. */
export function isTracked(value: object): boolean {
	return rawOfProxy.has(value);
}

export function entityOf(path: readonly string[]): EntityPath {
	return path.slice(0, path[0] === 'regions' ? 5 : 1);
}

export function entityKey(path: EntityPath): string {
	return path.join('\u0000');
}

/**
 * Replaces, inside a value about to be stored, every tracking proxy by its raw object, so the raw
 * state never holds a proxy (structuredClone and the next transaction rely on that). The walk
 * covers only what is being stored: a proxy found stops it, since raw state holds no proxy.
 */
function unwrapDeep(value: unknown): unknown {
	if (typeof value !== 'object' || value === null) return value;
	const raw = rawOfProxy.get(value);
	if (raw) return raw;
	const record = value as Record<string, unknown>;
	for (const name of Object.keys(record)) {
		const child = record[name];
		if (typeof child === 'object' && child !== null) {
			const unwrapped = unwrapDeep(child);
			if (unwrapped !== child) record[name] = unwrapped;
		}
	}
	return value;
}

export type EntityListener = (root: object, entity: EntityPath) => void;

const listeners = new Set<EntityListener>();

/**
 * Derived indexes (the KMS engine's sorted aliases, due dates, …) hear of every entity that
 * changes in store-managed state: a write inside a transaction, one undone, one replayed from the
 * journal. They are dropped with the root object when the store reloads.
 */
export function onEntityChange(listener: EntityListener): void {
	listeners.add(listener);
}

export function notifyEntity(root: object, entity: EntityPath): void {
	for (const listener of listeners) listener(root, entity);
}

export type Tracking<T extends object> = {
	/** The state as the transaction sees it. */
	readonly view: T;
	/** Entities written, in first-write order. */
	readonly dirty: ReadonlyMap<string, EntityPath>;
	/** Puts every written property back as it was, newest first. */
	undo(): void;
	/** Any later write through a proxy of this transaction is a bug: it throws. */
	close(): void;
};

export function track<T extends object>(root: T): Tracking<T> {
	const dirty = new Map<string, EntityPath>();
	const log: UndoEntry[] = [];
	const proxies = new WeakMap<object, object>();
	let open = true;

	const record = (
		target: Record<PropertyKey, unknown>,
		path: readonly string[],
		prop: PropertyKey,
	) => {
		if (!open) throw new Error('kms-tui sandbox: state changed after its transaction ended.');
		log.push({target, prop, had: Object.hasOwn(target, prop), old: target[prop]});
		const entity = entityOf(typeof prop === 'string' ? [...path, prop] : path);
		const key = entityKey(entity);
		if (!dirty.has(key)) dirty.set(key, entity);
		return entity;
	};

	const wrap = (target: object, path: readonly string[]): object => {
		const existing = proxies.get(target);
		if (existing) return existing;
		const proxy = new Proxy(target as Record<PropertyKey, unknown>, {
			get(object, prop) {
				const value = object[prop];
				if (typeof value !== 'object' || value === null || typeof prop !== 'string') return value;
				// A frozen property must be returned as-is (a proxy invariant).
				if (!Object.isExtensible(object)) {
					const descriptor = Object.getOwnPropertyDescriptor(object, prop);
					if (descriptor && !descriptor.configurable && !descriptor.writable) return value;
				}
				return wrap(value, path.length < 5 ? [...path, prop] : path);
			},
			set(object, prop, value) {
				const entity = record(object, path, prop);
				object[prop] = unwrapDeep(value);
				notifyEntity(root, entity);
				return true;
			},
			deleteProperty(object, prop) {
				if (!Object.hasOwn(object, prop)) return true;
				const entity = record(object, path, prop);
				delete object[prop];
				notifyEntity(root, entity);
				return true;
			},
			defineProperty(object, prop, descriptor) {
				const entity = record(object, path, prop);
				const stored =
					'value' in descriptor ? {...descriptor, value: unwrapDeep(descriptor.value)} : descriptor;
				const done = Reflect.defineProperty(object, prop, stored);
				notifyEntity(root, entity);
				return done;
			},
		});
		proxies.set(target, proxy);
		rawOfProxy.set(proxy, target);
		return proxy;
	};

	return {
		view: wrap(root, []) as T,
		dirty,
		undo() {
			for (let index = log.length - 1; index >= 0; index--) {
				const entry = log[index] as UndoEntry;
				if (entry.had) entry.target[entry.prop] = entry.old;
				else delete entry.target[entry.prop];
			}
			log.length = 0;
			for (const entity of dirty.values()) notifyEntity(root, entity);
		},
		close() {
			open = false;
		},
	};
}
