/**
 * Input checking with the messages AWS's front end produces (fact sheet §2, §5):
 * "1 validation error detected: Value '<v>' at '<camelField>' failed to satisfy constraint: …".
 * Wrong JSON types are a SerializationException, as the awsJson1_1 deserialiser reports them.
 */
import {AwsError} from '../context.js';

export type Input = Record<string, unknown>;

export function asInput(input: unknown): Input {
	if (input === undefined || input === null) {
		return {};
	}
	if (typeof input !== 'object' || Array.isArray(input)) {
		throw new AwsError('SerializationException', 'The request body must be a JSON object.');
	}
	return input as Input;
}

/** `KeyId` → `keyId`, the way AWS names members in validation messages. */
export function camel(field: string): string {
	return field.charAt(0).toLowerCase() + field.slice(1);
}

function shown(value: unknown): string {
	if (value === null || value === undefined) {
		return 'Value null';
	}
	return `Value '${String(value)}'`;
}

export function validationError(message: string): AwsError {
	return new AwsError('ValidationException', `1 validation error detected: ${message}`);
}

/** `path` is the camel-case member path, e.g. `keyId` or `tags.1.member.tagKey`. */
export function constraint(value: unknown, path: string, rule: string): AwsError {
	return validationError(`${shown(value)} at '${path}' failed to satisfy constraint: ${rule}`);
}

/** Blobs are sensitive: AWS leaves the value out of the message ("Value at 'plaintext' …"). */
export function blobConstraint(path: string, rule: string): AwsError {
	return validationError(`Value at '${path}' failed to satisfy constraint: ${rule}`);
}

function serialization(field: string, expected: string): AwsError {
	return new AwsError('SerializationException', `Expected ${expected} for member ${field}.`);
}

export type StringRule = {min?: number; max?: number; pattern?: RegExp; path?: string};

export function checkString(value: string, path: string, rule: StringRule): string {
	if (rule.min !== undefined && value.length < rule.min) {
		throw constraint(value, path, `Member must have length greater than or equal to ${rule.min}`);
	}
	if (rule.max !== undefined && value.length > rule.max) {
		throw constraint(value, path, `Member must have length less than or equal to ${rule.max}`);
	}
	if (rule.pattern && !rule.pattern.test(value)) {
		throw constraint(
			value,
			path,
			`Member must satisfy regular expression pattern: ${rule.pattern.source}`,
		);
	}
	return value;
}

export function optionalString(input: Input, field: string, rule: StringRule = {}) {
	const value = input[field];
	if (value === undefined || value === null) {
		return undefined;
	}
	if (typeof value !== 'string') {
		throw serialization(field, 'a string');
	}
	return checkString(value, rule.path ?? camel(field), rule);
}

export function requiredString(input: Input, field: string, rule: StringRule = {}): string {
	const value = optionalString(input, field, rule);
	if (value === undefined) {
		throw constraint(null, rule.path ?? camel(field), 'Member must not be null');
	}
	return value;
}

export const keyIdRule: StringRule = {min: 1, max: 2048};

export function requiredKeyId(input: Input, field = 'KeyId'): string {
	return requiredString(input, field, keyIdRule);
}

export function optionalInteger(
	input: Input,
	field: string,
	range: {min: number; max: number},
): number | undefined {
	const value = input[field];
	if (value === undefined || value === null) {
		return undefined;
	}
	if (typeof value !== 'number' || !Number.isInteger(value)) {
		throw serialization(field, 'an integer');
	}
	const path = camel(field);
	if (value < range.min) {
		throw constraint(value, path, `Member must have value greater than or equal to ${range.min}`);
	}
	if (value > range.max) {
		throw constraint(value, path, `Member must have value less than or equal to ${range.max}`);
	}
	return value;
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
	const value = input[field];
	if (value === undefined || value === null) {
		return undefined;
	}
	if (typeof value !== 'boolean') {
		throw serialization(field, 'a boolean');
	}
	return value;
}

export function optionalEnum<T extends string>(
	input: Input,
	field: string,
	values: readonly T[],
): T | undefined {
	const value = optionalString(input, field);
	if (value === undefined) {
		return undefined;
	}
	if (!(values as readonly string[]).includes(value)) {
		throw constraint(
			value,
			camel(field),
			`Member must satisfy enum value set: [${values.join(', ')}]`,
		);
	}
	return value as T;
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

/** A base64 blob member, decoded; the length limits apply to the decoded bytes as in the model. */
export function optionalBlob(
	input: Input,
	field: string,
	range: {min: number; max: number},
): Buffer | undefined {
	const value = input[field];
	if (value === undefined || value === null) {
		return undefined;
	}
	if (typeof value !== 'string' || value.length % 4 !== 0 || !base64Pattern.test(value)) {
		throw serialization(field, 'a base64-encoded blob');
	}
	const bytes = Buffer.from(value, 'base64');
	const path = camel(field);
	if (bytes.length < range.min) {
		throw blobConstraint(path, `Member must have length greater than or equal to ${range.min}`);
	}
	if (bytes.length > range.max) {
		throw blobConstraint(path, `Member must have length less than or equal to ${range.max}`);
	}
	return bytes;
}

export function requiredBlob(input: Input, field: string, range: {min: number; max: number}) {
	const bytes = optionalBlob(input, field, range);
	if (bytes === undefined) {
		throw constraint(null, camel(field), 'Member must not be null');
	}
	return bytes;
}

/** A string→string map; `{}` and absent are the same context, as in KMS. */
export function encryptionContext(input: Input, field: string): Record<string, string> {
	const value = input[field];
	if (value === undefined || value === null) {
		return {};
	}
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw serialization(field, 'a map of strings');
	}
	// No prototype: KMS binds a name such as __proto__ like any other, so the sandbox must too.
	const result: Record<string, string> = Object.create(null);
	for (const [key, entry] of Object.entries(value)) {
		if (typeof entry !== 'string') {
			throw serialization(field, 'a map of strings');
		}
		result[key] = entry;
	}
	return result;
}

export function optionalList(input: Input, field: string): unknown[] | undefined {
	const value = input[field];
	if (value === undefined || value === null) {
		return undefined;
	}
	if (!Array.isArray(value)) {
		throw serialization(field, 'a list');
	}
	return value;
}
