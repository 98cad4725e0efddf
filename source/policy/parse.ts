/**
 * A KMS key policy, read into one normalised shape: every form IAM allows for Principal, Action,
 * Resource and Condition (a string or a list, `"*"`, `{"AWS": …}`, `{"Service": …}`, the Not-
 * variants) becomes lists, so explain, risks and the lockout check never look at raw JSON. Pure,
 * no I/O: the CLI, the key screen and the sandbox's lockout check all read policies through it.
 *
 * Reading is lenient: what cannot be understood is listed in `problems` and the rest is kept, so
 * that a policy KMS already holds can still be shown. `policy put` refuses a policy with problems.
 */

/** KMS's quota on a key policy (resource-limits page): 32 KB of UTF-8. */
export const maxPolicyBytes = 32 * 1024;

export const policyVersions = ['2012-10-17', '2008-10-17'] as const;

export type Principals = {
	/** `"*"` or `{"AWS": "*"}`: every principal in every account. */
	readonly isAnyone: boolean;
	/** Account ids and IAM ARNs (roots, roles, users, assumed-role sessions). */
	readonly aws: readonly string[];
	readonly service: readonly string[];
	readonly federated: readonly string[];
	readonly canonicalUser: readonly string[];
};

export type Condition = {
	/** The operator as written, e.g. `StringEquals`, `ForAnyValue:StringLike`, `BoolIfExists`. */
	readonly operator: string;
	readonly key: string;
	readonly values: readonly string[];
};

export type Statement = {
	readonly index: number;
	readonly sid?: string;
	readonly effect: 'Allow' | 'Deny';
	readonly principals: Principals;
	/** NotPrincipal: the statement is about everyone *except* `principals`. */
	readonly isNotPrincipal: boolean;
	readonly actions: readonly string[];
	/** NotAction: every action except `actions`. */
	readonly isNotAction: boolean;
	readonly resources: readonly string[];
	readonly isNotResource: boolean;
	readonly conditions: readonly Condition[];
	/** The statement as written, for --json and for comparing two policies. */
	readonly raw: Readonly<Record<string, unknown>>;
};

export type ParsedPolicy = {
	readonly version?: string;
	readonly id?: string;
	readonly statements: readonly Statement[];
	/** What does not match IAM's policy grammar, one sentence each; empty for a valid policy. */
	readonly problems: readonly string[];
	/** The document as parsed. */
	readonly document: unknown;
};

/** Not JSON at all, or not an object: nothing to show. */
export class PolicyError extends Error {
	override readonly name = 'PolicyError';
}

const noPrincipals: Principals = {
	isAnyone: false,
	aws: [],
	service: [],
	federated: [],
	canonicalUser: [],
};

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a list of strings (IAM allows both almost everywhere); anything else is a problem. */
function stringList(value: unknown, where: string, problems: string[]): string[] {
	if (typeof value === 'string') return [value];
	if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'))
		return value as string[];
	if (Array.isArray(value) && value.length === 0) {
		problems.push(`${where} is an empty list.`);
		return [];
	}
	problems.push(`${where} must be a string or a list of strings.`);
	return [];
}

function readPrincipals(value: unknown, where: string, problems: string[]): Principals {
	if (value === '*') return {...noPrincipals, isAnyone: true};
	if (!isRecord(value)) {
		problems.push(
			`${where} must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}.`,
		);
		return noPrincipals;
	}
	const principals = {
		aws: [] as string[],
		service: [] as string[],
		federated: [] as string[],
		canonicalUser: [] as string[],
	};
	for (const [kind, entries] of Object.entries(value)) {
		const list = stringList(entries, `${where}.${kind}`, problems);
		if (kind === 'AWS') principals.aws.push(...list);
		else if (kind === 'Service') principals.service.push(...list);
		else if (kind === 'Federated') principals.federated.push(...list);
		else if (kind === 'CanonicalUser') principals.canonicalUser.push(...list);
		else
			problems.push(
				`${where} has an unknown principal type "${kind}" (AWS, Service, Federated or CanonicalUser).`,
			);
	}
	const isAnyone = principals.aws.includes('*');
	return {...principals, aws: principals.aws.filter((entry) => entry !== '*'), isAnyone};
}

function readConditions(value: unknown, where: string, problems: string[]): Condition[] {
	if (value === undefined) return [];
	if (!isRecord(value)) {
		problems.push(
			`${where} must be an object of operators, e.g. {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}.`,
		);
		return [];
	}
	const conditions: Condition[] = [];
	for (const [operator, block] of Object.entries(value)) {
		if (!isRecord(block)) {
			problems.push(`${where}.${operator} must be an object of condition keys.`);
			continue;
		}
		for (const [key, raw] of Object.entries(block)) {
			// Bool and Numeric conditions may be written as JSON booleans and numbers.
			const values = (Array.isArray(raw) ? raw : [raw]).map((item) =>
				typeof item === 'boolean' || typeof item === 'number' ? String(item) : item,
			);
			conditions.push({
				operator,
				key,
				values: stringList(values, `${where}.${operator}.${key}`, problems),
			});
		}
	}
	return conditions;
}

/** Exactly one of `name` and `Not${name}`: returns which, and its value. */
function either(
	raw: Record<string, unknown>,
	name: string,
	where: string,
	problems: string[],
): {value: unknown; isNot: boolean} | undefined {
	const has = name in raw;
	const hasNot = `Not${name}` in raw;
	if (has && hasNot) {
		problems.push(`${where} has both ${name} and Not${name}; use one.`);
		return {value: raw[name], isNot: false};
	}
	if (!has && !hasNot) {
		problems.push(`${where} has no ${name} (a key policy statement needs one).`);
		return undefined;
	}
	return has ? {value: raw[name], isNot: false} : {value: raw[`Not${name}`], isNot: true};
}

const statementFields = new Set([
	'Sid',
	'Effect',
	'Principal',
	'NotPrincipal',
	'Action',
	'NotAction',
	'Resource',
	'NotResource',
	'Condition',
]);

function readStatement(raw: unknown, index: number, problems: string[]): Statement | undefined {
	const where = `Statement ${index + 1}`;
	if (!isRecord(raw)) {
		problems.push(`${where} must be an object.`);
		return undefined;
	}
	for (const field of Object.keys(raw)) {
		if (!statementFields.has(field)) problems.push(`${where} has an unknown element "${field}".`);
	}
	const sid = typeof raw.Sid === 'string' ? raw.Sid : undefined;
	if (raw.Sid !== undefined && sid === undefined) problems.push(`${where}: Sid must be a string.`);
	const effect = raw.Effect;
	if (effect !== 'Allow' && effect !== 'Deny')
		problems.push(`${where}: Effect must be "Allow" or "Deny".`);
	const principal = either(raw, 'Principal', where, problems);
	const action = either(raw, 'Action', where, problems);
	const resource = either(raw, 'Resource', where, problems);
	return {
		index,
		...(sid === undefined ? {} : {sid}),
		// An unknown effect grants nothing: treated as a Deny, and listed as a problem above.
		effect: effect === 'Allow' ? 'Allow' : 'Deny',
		principals: principal
			? readPrincipals(
					principal.value,
					`${where}: ${principal.isNot ? 'NotPrincipal' : 'Principal'}`,
					problems,
				)
			: noPrincipals,
		isNotPrincipal: principal?.isNot ?? false,
		actions: action
			? stringList(action.value, `${where}: ${action.isNot ? 'NotAction' : 'Action'}`, problems)
			: [],
		isNotAction: action?.isNot ?? false,
		resources: resource
			? stringList(
					resource.value,
					`${where}: ${resource.isNot ? 'NotResource' : 'Resource'}`,
					problems,
				)
			: [],
		isNotResource: resource?.isNot ?? false,
		conditions: readConditions(raw.Condition, `${where}: Condition`, problems),
		raw,
	};
}

/** Reads policy JSON text. Throws PolicyError only when it is not a JSON object at all. */
export function parsePolicy(text: string): ParsedPolicy {
	let document: unknown;
	try {
		document = JSON.parse(text);
	} catch (error) {
		// JSON.parse's message ends without a full stop ("… at position 2"): the sentence is ours.
		throw new PolicyError(`The policy is not valid JSON (${(error as Error).message}).`);
	}
	if (!isRecord(document)) throw new PolicyError('The policy must be a JSON object.');
	const problems: string[] = [];
	const version = typeof document.Version === 'string' ? document.Version : undefined;
	if (document.Version === undefined) {
		problems.push('The policy has no Version: add "Version": "2012-10-17".');
	} else if (!(policyVersions as readonly unknown[]).includes(document.Version)) {
		problems.push(`Version must be "2012-10-17" (or the older "2008-10-17").`);
	}
	const id = typeof document.Id === 'string' ? document.Id : undefined;
	for (const field of Object.keys(document)) {
		if (!['Version', 'Id', 'Statement'].includes(field))
			problems.push(`The policy has an unknown top-level element "${field}".`);
	}
	const rawStatements = document.Statement;
	let list: unknown[] = [];
	if (rawStatements === undefined) problems.push('The policy has no Statement.');
	else if (Array.isArray(rawStatements)) list = rawStatements;
	else if (isRecord(rawStatements)) list = [rawStatements];
	else problems.push('Statement must be an object or a list of objects.');
	if (Array.isArray(rawStatements) && rawStatements.length === 0)
		problems.push('Statement is an empty list: the policy would allow nothing.');
	const statements = list.flatMap((raw, index) => readStatement(raw, index, problems) ?? []);
	const sids = statements.flatMap((statement) => statement.sid ?? []);
	const duplicate = sids.find((sid, index) => sids.indexOf(sid) !== index);
	if (duplicate !== undefined)
		problems.push(`Two statements have the Sid "${duplicate}": each Sid must be unique.`);
	return {
		...(version === undefined ? {} : {version}),
		...(id === undefined ? {} : {id}),
		statements,
		problems,
		document,
	};
}

/**
 * What `policy put` checks before any KMS call: the size quota, JSON, and IAM's grammar. Returns
 * the parsed policy, or the reasons it would be refused.
 */
export function validatePolicyText(
	text: string,
):
	| {readonly policy: ParsedPolicy; readonly problems: readonly string[]}
	| {readonly error: string} {
	const bytes = new TextEncoder().encode(text).length;
	if (bytes > maxPolicyBytes)
		return {
			error: `The policy is ${bytes} bytes; KMS allows at most ${maxPolicyBytes} (32 KB). Shorten it (merge statements, drop whitespace).`,
		};
	try {
		const policy = parsePolicy(text);
		return {policy, problems: policy.problems};
	} catch (error) {
		return {error: (error as Error).message};
	}
}
