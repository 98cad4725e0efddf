/**
 * Marker-based pagination shared by the List* operations. A marker is opaque to the caller:
 * base64url of `[listName, lastSortKey]`. Paging by the last sort key rather than by offset
 * means a page is neither skipped nor repeated when items are deleted between calls.
 */
import {AwsError} from '../context.js';
import {type Input, optionalInteger, optionalString} from './validation.js';

type SortKey = string | number;

function encodeMarker(list: string, after: SortKey): string {
	return Buffer.from(JSON.stringify([list, after]), 'utf8').toString('base64url');
}

function invalidMarker(): AwsError {
	// The model defines InvalidMarkerException for exactly this on every KMS List* operation.
	return new AwsError(
		'InvalidMarkerException',
		'The request was rejected because the marker that specifies where pagination should next begin is not valid.',
	);
}

function decodeMarker(list: string, marker: string, kind: 'string' | 'number'): SortKey {
	let decoded: unknown;
	try {
		decoded = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
	} catch {
		throw invalidMarker();
	}
	if (
		!Array.isArray(decoded) ||
		decoded.length !== 2 ||
		decoded[0] !== list ||
		typeof decoded[1] !== kind
	) {
		throw invalidMarker();
	}
	return decoded[1] as SortKey;
}

export type Page<T> = {items: T[]; nextMarker: string | undefined; truncated: boolean};

/**
 * Reads Limit and Marker from the input and returns one page of `items`, which must already
 * be sorted ascending by `sortKey`.
 */
export function paginate<T>(
	input: Input,
	options: {
		list: string;
		items: readonly T[];
		sortKey: (item: T) => SortKey;
		keyKind: 'string' | 'number';
		maxLimit: number;
		defaultLimit: number;
	},
): Page<T> {
	const limit = optionalInteger(input, 'Limit', {min: 1, max: options.maxLimit});
	const marker = optionalString(input, 'Marker', {
		min: 1,
		max: 1024,
		pattern: /^[\u0020-\u00FF]*$/,
	});
	let start = 0;
	if (marker !== undefined) {
		const after = decodeMarker(options.list, marker, options.keyKind);
		start = options.items.findIndex((item) => options.sortKey(item) > after);
		if (start === -1) {
			start = options.items.length;
		}
	}
	const size = limit ?? options.defaultLimit;
	const items = options.items.slice(start, start + size);
	const truncated = start + size < options.items.length;
	const last = items.at(-1);
	return {
		items,
		truncated,
		nextMarker:
			truncated && last !== undefined
				? encodeMarker(options.list, options.sortKey(last))
				: undefined,
	};
}

/** Adds NextMarker (only when truncated) and Truncated to a List* response. */
export function pageFields(page: Page<unknown>): Record<string, unknown> {
	return page.nextMarker === undefined
		? {Truncated: page.truncated}
		: {NextMarker: page.nextMarker, Truncated: page.truncated};
}
