/**
 * Reading an awsQuery form body: members arrive flattened (`Parameters.member.2.ParameterKey=K`),
 * and an empty list arrives as `Parameters=` (the JS SDK does that).
 */
import {AwsError} from '../context.js';

export type Params = Record<string, string>;

export function optional(params: Params, name: string): string | undefined {
	const value = params[name];
	return value === undefined ? undefined : value;
}

export function required(params: Params, name: string): string {
	const value = params[name];
	if (value === undefined || value === '') {
		// The wording AWS's Query front end uses for a missing required member.
		throw new AwsError(
			'ValidationError',
			`1 validation error detected: Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
		);
	}
	return value;
}

export function bool(params: Params, name: string): boolean | undefined {
	const value = params[name];
	if (value === undefined || value === '') {
		return undefined;
	}
	return value.toLowerCase() === 'true';
}

/** `Name.member.N` → the values in index order. */
export function stringList(params: Params, name: string): string[] {
	const prefix = `${name}.member.`;
	return Object.entries(params)
		.filter(([key]) => key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length)))
		.map(([key, value]) => [Number(key.slice(prefix.length)), value] as const)
		.sort((a, b) => a[0] - b[0])
		.map(([, value]) => value);
}

/** `Name.member.N.Field` → one record per N, in index order. */
export function structList(params: Params, name: string): Array<Record<string, string>> {
	const prefix = `${name}.member.`;
	const byIndex = new Map<number, Record<string, string>>();
	for (const [key, value] of Object.entries(params)) {
		if (!key.startsWith(prefix)) {
			continue;
		}
		const rest = key.slice(prefix.length);
		const dot = rest.indexOf('.');
		if (dot <= 0) {
			continue;
		}
		const index = Number(rest.slice(0, dot));
		if (!Number.isInteger(index)) {
			continue;
		}
		const entry = byIndex.get(index) ?? {};
		entry[rest.slice(dot + 1)] = value;
		byIndex.set(index, entry);
	}
	return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
}
