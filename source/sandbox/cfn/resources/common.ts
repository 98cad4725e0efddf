/**
 * What every resource type implements, and the failure texts CloudFormation shows in
 * ResourceStatusReason: schema violations ("Properties validation failed …") and errors the
 * service returned ("Resource handler returned message: …"), the two forms AWS's registry
 * handlers produce.
 */
import {randomUUID} from 'node:crypto';
import {AwsError, type RequestContext} from '../../context.js';
import {handleKms} from '../../kms/index.js';
import type {KmsState} from '../../kms/state.js';

export type ResourceContext = {
	readonly kms: KmsState;
	readonly ctx: RequestContext;
	readonly logicalId: string;
};

export type Created = {physicalId: string; attributes: Record<string, string>};

export type ResourceType = {
	/** Fn::GetAtt attribute names. */
	readonly attributes: readonly string[];
	/** Throws a ResourceFailure naming every schema violation. */
	validate(logicalId: string, properties: Record<string, unknown>): void;
	/** How a change to `property` is applied (AWS's "RequiresRecreation"). */
	recreation(property: string): 'Never' | 'Always' | 'Conditionally';
	create(rc: ResourceContext, properties: Record<string, unknown>): Created;
	update(
		rc: ResourceContext,
		physicalId: string,
		before: Record<string, unknown>,
		after: Record<string, unknown>,
	): Record<string, string>;
	/** Deleting something already gone is success, as in AWS. */
	delete(rc: ResourceContext, physicalId: string, properties: Record<string, unknown>): void;
};

/** A resource operation failed; `physicalId` is set when something was created before the failure. */
export class ResourceFailure extends Error {
	readonly physicalId: string | undefined;

	constructor(message: string, physicalId?: string) {
		super(message);
		this.physicalId = physicalId;
	}
}

// The registry handlers' HandlerErrorCode for each KMS exception.
const handlerCodes: Record<string, string> = {
	AlreadyExistsException: 'AlreadyExists',
	NotFoundException: 'NotFound',
	LimitExceededException: 'ServiceLimitExceeded',
	KMSInternalException: 'ServiceInternalError',
	DependencyTimeoutException: 'ServiceInternalError',
	KMSInvalidStateException: 'InvalidRequest',
	ValidationException: 'InvalidRequest',
	InvalidAliasNameException: 'InvalidRequest',
	MalformedPolicyDocumentException: 'InvalidRequest',
	TagException: 'InvalidRequest',
	DisabledException: 'InvalidRequest',
	UnsupportedOperationException: 'InvalidRequest',
	InvalidArnException: 'InvalidRequest',
};

export function handlerFailure(
	message: string,
	handlerCode: string,
	physicalId?: string,
): ResourceFailure {
	return new ResourceFailure(
		`Resource handler returned message: "${message}" (RequestToken: ${randomUUID()}, HandlerErrorCode: ${handlerCode})`,
		physicalId,
	);
}

/** Calls the KMS engine; its AwsError becomes the failure text a stack event shows. */
export function kmsCall(
	rc: ResourceContext,
	operation: string,
	input: Record<string, unknown>,
	physicalId?: string,
): Record<string, unknown> {
	try {
		return handleKms(rc.kms, rc.ctx, operation, input);
	} catch (error) {
		if (!(error instanceof AwsError)) {
			throw error;
		}
		const detail = `(Service: Kms, Status Code: ${error.status}, Request ID: ${randomUUID()}, Error Code: ${error.code})`;
		throw handlerFailure(
			`${error.message} ${detail}`,
			handlerCodes[error.code] ?? 'GeneralServiceException',
			physicalId,
		);
	}
}

/** Runs a KMS call whose listed error codes mean "already done" (deleting what is gone). */
export function kmsCallUnless(
	rc: ResourceContext,
	operation: string,
	input: Record<string, unknown>,
	alreadyDone: (error: AwsError) => boolean,
): void {
	try {
		handleKms(rc.kms, rc.ctx, operation, input);
	} catch (error) {
		if (error instanceof AwsError && alreadyDone(error)) {
			return;
		}
		kmsCall(rc, operation, input);
	}
}

export function validationFailure(logicalId: string, problems: string[]): ResourceFailure {
	return new ResourceFailure(
		`Properties validation failed for resource ${logicalId} with message: [${problems.join(', ')}]`,
	);
}

/** A small JSON-schema-like checker with the registry's message wording. */
export type PropertySpec =
	| {type: 'string'; min?: number; max?: number; pattern?: RegExp; enum?: readonly string[]}
	| {type: 'boolean'}
	| {type: 'integer'; min: number; max: number}
	| {type: 'json'}
	| {type: 'tags'};

export function checkProperties(
	logicalId: string,
	properties: Record<string, unknown>,
	specs: Record<string, PropertySpec>,
	requiredNames: readonly string[],
): void {
	const problems: string[] = [];
	for (const name of requiredNames) {
		if (properties[name] === undefined) {
			problems.push(`#: required key [${name}] not found`);
		}
	}
	for (const [name, value] of Object.entries(properties)) {
		const spec = specs[name];
		if (!spec) {
			problems.push(`#: extraneous key [${name}] is not permitted`);
			continue;
		}
		const problem = checkValue(value, spec);
		if (problem) {
			problems.push(`#/${name}: ${problem}`);
		}
	}
	if (problems.length > 0) {
		throw validationFailure(logicalId, problems);
	}
}

function typeName(value: unknown): string {
	if (Array.isArray(value)) return 'JSONArray';
	if (value === null) return 'Null';
	if (typeof value === 'object') return 'JSONObject';
	if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Number';
	if (typeof value === 'boolean') return 'Boolean';
	return 'String';
}

function checkValue(value: unknown, spec: PropertySpec): string | undefined {
	switch (spec.type) {
		case 'string': {
			if (typeof value !== 'string') {
				return `expected type: String, found: ${typeName(value)}`;
			}
			if (spec.min !== undefined && value.length < spec.min) {
				return `expected minLength: ${spec.min}, actual: ${value.length}`;
			}
			if (spec.max !== undefined && value.length > spec.max) {
				return `expected maxLength: ${spec.max}, actual: ${value.length}`;
			}
			if (spec.pattern && !spec.pattern.test(value)) {
				return 'failed validation constraint for keyword [pattern]';
			}
			if (spec.enum && !spec.enum.includes(value)) {
				return `${value} is not a valid enum value`;
			}
			return undefined;
		}
		case 'boolean':
			return toBoolean(value) === undefined
				? `expected type: Boolean, found: ${typeName(value)}`
				: undefined;
		case 'integer': {
			const number = toInteger(value);
			if (number === undefined) {
				return `expected type: Integer, found: ${typeName(value)}`;
			}
			if (number < spec.min) {
				return `${number} is not greater or equal to ${spec.min}`;
			}
			if (number > spec.max) {
				return `${number} is not less or equal to ${spec.max}`;
			}
			return undefined;
		}
		case 'json':
			return typeof value === 'string' ||
				(typeof value === 'object' && value !== null && !Array.isArray(value))
				? undefined
				: `expected type: JSONObject, found: ${typeName(value)}`;
		case 'tags': {
			if (!Array.isArray(value)) {
				return `expected type: JSONArray, found: ${typeName(value)}`;
			}
			for (const tag of value) {
				const entry = tag as Record<string, unknown> | null;
				if (
					typeof entry !== 'object' ||
					entry === null ||
					typeof entry.Key !== 'string' ||
					typeof entry.Value !== 'string'
				) {
					return 'each tag must be an object with string Key and Value';
				}
			}
			return undefined;
		}
	}
}

/** CloudFormation passes template scalars as strings: "true" and true are the same boolean. */
export function toBoolean(value: unknown): boolean | undefined {
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'True') return true;
	if (value === 'false' || value === 'False') return false;
	return undefined;
}

export function toInteger(value: unknown): number | undefined {
	const number =
		typeof value === 'number'
			? value
			: typeof value === 'string' && value.trim() !== ''
				? Number(value)
				: Number.NaN;
	return Number.isInteger(number) ? number : undefined;
}
