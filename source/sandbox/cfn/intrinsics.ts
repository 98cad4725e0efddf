/**
 * Intrinsic functions and conditions over a parsed template (short-form tags are already turned
 * into their long forms by template.ts, so only `{"Fn::X": …}` objects are seen here).
 */
import {AwsError} from '../context.js';
import {pseudo} from './pseudo.js';

export {partitionOf, pseudoParameters} from './pseudo.js';

/** What `Ref: AWS::NoValue` resolves to: removed from the object or list that holds it. */
export const noValue = {__cfnNoValue: true} as const;

/**
 * Stands for a value not known yet: the attribute of a resource a change set would create.
 * A string so that it flows through Join/Sub; change sets report such properties as Dynamic.
 */
export const unresolvedMarker = '{{sandbox:unresolved}}';

export type Scope = {
	region: string;
	accountId: string;
	stackName: string;
	stackId: string;
	parameters: Record<string, string | string[]>;
	mappings: Record<string, unknown>;
	/** A condition's value; undefined when the template defines no such condition. */
	conditionValue(name: string): boolean | undefined;
	/** Names of the template's resources (whether or not they exist yet). */
	resourceNames: ReadonlySet<string>;
	/** A resource's Ref value, or undefined when it has no physical resource yet. */
	ref(logicalId: string): string | undefined;
	getAtt(logicalId: string, attribute: string): string | undefined;
};

export function templateError(message: string): AwsError {
	return new AwsError('ValidationError', `Template error: ${message}`);
}

function refValue(name: unknown, scope: Scope): unknown {
	if (typeof name !== 'string') {
		throw templateError('Ref must reference a valid name');
	}
	const fromPseudo = pseudo(name, scope);
	if (fromPseudo !== undefined) {
		return fromPseudo;
	}
	if (Object.hasOwn(scope.parameters, name)) {
		return scope.parameters[name];
	}
	if (scope.resourceNames.has(name)) {
		return scope.ref(name) ?? unresolvedMarker;
	}
	throw new AwsError(
		'ValidationError',
		`Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`,
	);
}

/** `"Res.Attr"` or `["Res", "Attr"]` → [Res, Attr]. */
export function getAttTarget(argument: unknown): [string, string] {
	if (typeof argument === 'string') {
		const dot = argument.indexOf('.');
		if (dot > 0) {
			return [argument.slice(0, dot), argument.slice(dot + 1)];
		}
	}
	if (
		Array.isArray(argument) &&
		argument.length === 2 &&
		typeof argument[0] === 'string' &&
		typeof argument[1] === 'string'
	) {
		return [argument[0], argument[1]];
	}
	throw templateError('every Fn::GetAtt object requires two non-empty parameters');
}

function asString(value: unknown, fn: string): string {
	if (typeof value === 'string') {
		return value;
	}
	if (typeof value === 'number' || typeof value === 'boolean') {
		return String(value);
	}
	throw templateError(`${fn} requires string values, got ${JSON.stringify(value)}`);
}

function asList(value: unknown, fn: string): unknown[] {
	if (!Array.isArray(value)) {
		throw templateError(`${fn} requires a list, got ${JSON.stringify(value)}`);
	}
	return value;
}

const subVariable = /\$\{([^}]*)\}/g;

/** The names a Sub string references (`${!Literal}` is escaped text, not a reference). */
export function subReferences(text: string): string[] {
	const names: string[] = [];
	for (const match of text.matchAll(subVariable)) {
		const name = (match[1] ?? '').trim();
		if (!name.startsWith('!')) {
			names.push(name);
		}
	}
	return names;
}

function resolveSub(argument: unknown, scope: Scope): string {
	const [text, variables] = Array.isArray(argument)
		? [argument[0], resolve(argument[1] ?? {}, scope)]
		: [argument, {}];
	if (typeof text !== 'string' || typeof variables !== 'object' || variables === null) {
		throw templateError('Fn::Sub requires a string, or a list of a string and a map');
	}
	const vars = variables as Record<string, unknown>;
	return text.replace(subVariable, (_whole, raw: string) => {
		const name = raw.trim();
		if (name.startsWith('!')) {
			return `\${${name.slice(1)}}`;
		}
		if (Object.hasOwn(vars, name)) {
			return asString(vars[name], 'Fn::Sub');
		}
		const dot = name.indexOf('.');
		if (dot > 0 && !name.startsWith('AWS::')) {
			return asString(resolveGetAtt([name.slice(0, dot), name.slice(dot + 1)], scope), 'Fn::Sub');
		}
		return asString(refValue(name, scope), 'Fn::Sub');
	});
}

function resolveGetAtt(argument: unknown, scope: Scope): string {
	const [logicalId, attribute] = getAttTarget(argument);
	if (!scope.resourceNames.has(logicalId)) {
		throw templateError(`instance of Fn::GetAtt references undefined resource ${logicalId}`);
	}
	return scope.getAtt(logicalId, attribute) ?? unresolvedMarker;
}

function findInMap(argument: unknown, scope: Scope): unknown {
	const [mapName, topKey, secondKey] = asList(resolve(argument, scope), 'Fn::FindInMap').map((v) =>
		asString(v, 'Fn::FindInMap'),
	);
	const map = mapName === undefined ? undefined : scope.mappings[mapName];
	const top =
		typeof map === 'object' && map !== null && topKey !== undefined
			? (map as Record<string, unknown>)[topKey]
			: undefined;
	const value =
		typeof top === 'object' && top !== null && secondKey !== undefined
			? (top as Record<string, unknown>)[secondKey]
			: undefined;
	if (value === undefined) {
		throw templateError(`Unable to get mapping for ${mapName}::${topKey}::${secondKey}`);
	}
	return value;
}

function condition(name: unknown, scope: Scope, fn: string): boolean {
	const value = typeof name === 'string' ? scope.conditionValue(name) : undefined;
	if (value === undefined) {
		throw templateError(`unresolved condition dependency ${String(name)} in ${fn}`);
	}
	return value;
}

/** A condition expression: Fn::Equals/Not/And/Or and `{Condition: name}`. */
export function evaluateCondition(expression: unknown, scope: Scope): boolean {
	if (typeof expression === 'object' && expression !== null && !Array.isArray(expression)) {
		const entries = Object.entries(expression);
		const [name, argument] = entries[0] ?? [];
		if (entries.length === 1 && name !== undefined) {
			switch (name) {
				case 'Fn::Equals': {
					const [a, b] = asList(argument, name).map((v) => resolve(v, scope));
					return JSON.stringify(normaliseScalar(a)) === JSON.stringify(normaliseScalar(b));
				}
				case 'Fn::Not':
					return !evaluateCondition(asList(argument, name)[0], scope);
				case 'Fn::And':
					return asList(argument, name).every((item) => evaluateCondition(item, scope));
				case 'Fn::Or':
					return asList(argument, name).some((item) => evaluateCondition(item, scope));
				case 'Condition':
					return condition(argument, scope, 'Condition');
			}
		}
	}
	throw templateError(`invalid condition expression ${JSON.stringify(expression)}`);
}

function normaliseScalar(value: unknown): unknown {
	return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** Evaluates the Conditions section in dependency order; a cycle is a template error. */
export function evaluateConditions(
	definitions: Record<string, unknown>,
	scope: Omit<Scope, 'conditionValue'>,
): Record<string, boolean> {
	const results: Record<string, boolean> = {};
	const visiting: string[] = [];
	const full: Scope = {
		...scope,
		conditionValue(name) {
			if (Object.hasOwn(results, name)) {
				return results[name];
			}
			if (!Object.hasOwn(definitions, name)) {
				return undefined;
			}
			if (visiting.includes(name)) {
				throw new AwsError(
					'ValidationError',
					`Template format error: Circular dependency between conditions: [${visiting.join(', ')}]`,
				);
			}
			visiting.push(name);
			const value = evaluateCondition(definitions[name], full);
			visiting.pop();
			results[name] = value;
			return value;
		},
	};
	for (const name of Object.keys(definitions)) {
		full.conditionValue(name);
	}
	return results;
}

/** A scope whose conditions are already evaluated. */
export function withConditions(
	scope: Omit<Scope, 'conditionValue'>,
	conditions: Record<string, boolean>,
): Scope {
	return {
		...scope,
		conditionValue: (name) => (Object.hasOwn(conditions, name) ? conditions[name] : undefined),
	};
}

/** Resolves every intrinsic in `value`; `AWS::NoValue` entries are dropped. */
export function resolve(value: unknown, scope: Scope): unknown {
	if (Array.isArray(value)) {
		return value.map((item) => resolve(item, scope)).filter((item) => item !== noValue);
	}
	if (typeof value !== 'object' || value === null) {
		return value;
	}
	const entries = Object.entries(value);
	const [name, argument] = entries[0] ?? [];
	if (entries.length === 1 && name !== undefined && (name === 'Ref' || name.startsWith('Fn::'))) {
		return resolveFunction(name, argument, scope);
	}
	const out: Record<string, unknown> = {};
	for (const [key, item] of entries) {
		const resolved = resolve(item, scope);
		if (resolved !== noValue) {
			out[key] = resolved;
		}
	}
	return out;
}

function resolveFunction(name: string, argument: unknown, scope: Scope): unknown {
	switch (name) {
		case 'Ref':
			return refValue(argument, scope);
		case 'Fn::GetAtt':
			return resolveGetAtt(argument, scope);
		case 'Fn::Sub':
			return resolveSub(argument, scope);
		case 'Fn::Join': {
			const [delimiter, list] = asList(argument, name);
			const items = asList(resolve(list, scope), name);
			return items.map((item) => asString(item, name)).join(asString(delimiter, name));
		}
		case 'Fn::Select': {
			const [index, list] = asList(argument, name).map((v) => resolve(v, scope));
			const items = asList(list, name);
			const position = Number(index);
			if (!Number.isInteger(position) || position < 0 || position >= items.length) {
				throw templateError(`Fn::Select cannot select nonexistent value at index ${String(index)}`);
			}
			return items[position];
		}
		case 'Fn::Split': {
			const [delimiter, text] = asList(argument, name).map((v) => resolve(v, scope));
			return asString(text, name).split(asString(delimiter, name));
		}
		case 'Fn::Base64':
			return Buffer.from(asString(resolve(argument, scope), name), 'utf8').toString('base64');
		case 'Fn::FindInMap':
			return findInMap(argument, scope);
		case 'Fn::If': {
			const [conditionName, whenTrue, whenFalse] = asList(argument, name);
			return resolve(condition(conditionName, scope, name) ? whenTrue : whenFalse, scope);
		}
		case 'Fn::GetAZs':
			return ['a', 'b', 'c'].map((zone) => `${scope.region}${zone}`);
		case 'Fn::Equals':
		case 'Fn::Not':
		case 'Fn::And':
		case 'Fn::Or':
			return evaluateCondition({[name]: argument}, scope);
		default:
			throw templateError(
				`${name} is not supported by the kms-tui sandbox (supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::Base64, Fn::FindInMap, Fn::If, Fn::GetAZs and the condition functions)`,
			);
	}
}
