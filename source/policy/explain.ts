/**
 * Each statement of a key policy in plain words: who, which actions, on what, under which
 * conditions. The text is built from untrusted policy strings: callers pass it through
 * terminalSafe before it reaches a terminal.
 */
import {coversEveryKmsAction, expandAction, isOnlyRoots, rootAccountOf} from './match.js';
import type {Condition, ParsedPolicy, Principals, Statement} from './parse.js';

export type Explanation = {
	readonly who: string;
	readonly actions: string;
	readonly resources: string;
	readonly conditions: readonly string[];
	/** One paragraph: "Allows … to … on … — only when …". */
	readonly text: string;
};

function describeAwsPrincipal(entry: string): string {
	const root = rootAccountOf(entry);
	if (root !== undefined) return `the account ${root} (root: IAM policies decide who)`;
	const arn = /^arn:[^:]+:(iam|sts)::(\d{12}):([a-z-]+)\/(.+)$/.exec(entry);
	if (arn) {
		const [, , , kind] = arn;
		if (kind === 'role') return `the IAM role ${entry}`;
		if (kind === 'user') return `the IAM user ${entry}`;
		if (kind === 'assumed-role') return `the assumed-role session ${entry}`;
		if (kind === 'federated-user') return `the federated user ${entry}`;
	}
	return `the principal ${entry}`;
}

function list(items: readonly string[]): string {
	if (items.length <= 1) return items[0] ?? '';
	return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function describePrincipals(principals: Principals): string[] {
	return [
		...(principals.isAnyone ? ['anyone (every AWS principal, in every account)'] : []),
		...principals.aws.map(describeAwsPrincipal),
		...principals.service.map((service) => `the AWS service ${service}`),
		...principals.federated.map((provider) => `users federated through ${provider}`),
		...principals.canonicalUser.map((user) => `the canonical user ${user}`),
	];
}

export function describeWho(statement: Statement): string {
	const who = list(describePrincipals(statement.principals)) || 'nobody';
	return statement.isNotPrincipal ? `everyone except ${who}` : who;
}

/** `kms:Get*` → `kms:Get* (GetKeyLastUsage, GetKeyPolicy, …)`; `kms:Decrypt` → `Decrypt`. */
function describeAction(pattern: string): string {
	if (!/^kms:/i.test(pattern)) return pattern;
	if (!/[*?]/.test(pattern)) return pattern.slice(4);
	const names = expandAction(pattern);
	if (names.length === 0) return `${pattern} (matches no KMS action)`;
	const shown = names.slice(0, 4).join(', ');
	return `${pattern} (${shown}${names.length > 4 ? `, … ${names.length} in all` : ''})`;
}

export function describeActions(statement: Statement): string {
	if (coversEveryKmsAction(statement)) return 'every KMS action';
	const described = list(statement.actions.map(describeAction));
	return statement.isNotAction ? `every action except ${described}` : described;
}

function describeResources(statement: Statement): string {
	const named = statement.resources.map((resource) => (resource === '*' ? 'this key' : resource));
	return statement.isNotResource ? `anything except ${list(named)}` : list(named);
}

/** The condition keys KMS users meet most, named in words; the rest are shown as written. */
const knownKeys: Record<string, string> = {
	'kms:viaservice': 'the AWS service the request comes through',
	'kms:calleraccount': "the caller's account",
	'aws:principalorgid': "the caller's AWS organization",
	'aws:principalorgpaths': "the caller's organization path",
	'aws:principalarn': 'the caller',
	'aws:principalaccount': "the caller's account",
	'aws:principaltype': 'the kind of caller',
	'aws:sourceaccount': 'the account a service acts for',
	'aws:sourcearn': 'the resource a service acts for',
	'aws:sourceip': "the caller's IP address",
	'aws:sourcevpce': 'the VPC endpoint the request comes through',
	'aws:sourcevpc': 'the VPC the request comes from',
	'aws:securetransport': 'whether the request uses TLS',
	'aws:multifactorauthpresent': 'whether the caller signed in with MFA',
	'kms:grantisforawsresource': 'whether the grant is for an AWS resource (an integrated service)',
	'kms:encryptionalgorithm': 'the encryption algorithm',
	'kms:encryptioncontextkeys': "the encryption context's keys",
	'kms:grantoperations': 'the operations a grant allows',
	'kms:requestalias': 'the alias the request names the key by',
	'kms:resourcealiases': "the key's aliases",
};

function describeOperator(operator: string): {verb: string; quantifier: string; ifExists: boolean} {
	const [set, base = set] = operator.includes(':') ? operator.split(':') : ['', operator];
	const ifExists = /IfExists$/.test(base ?? '');
	const name = (base ?? '').replace(/IfExists$/, '');
	const quantifier =
		set === 'ForAnyValue' ? 'any of ' : set === 'ForAllValues' ? 'only values among ' : '';
	const verbs: Record<string, string> = {
		StringEquals: 'is',
		StringEqualsIgnoreCase: 'is (any case)',
		StringNotEquals: 'is not',
		StringNotEqualsIgnoreCase: 'is not (any case)',
		StringLike: 'matches',
		StringNotLike: 'does not match',
		ArnEquals: 'is',
		ArnLike: 'matches',
		ArnNotEquals: 'is not',
		ArnNotLike: 'does not match',
		Bool: 'is',
		NumericEquals: '=',
		NumericNotEquals: '≠',
		NumericLessThan: '<',
		NumericLessThanEquals: '≤',
		NumericGreaterThan: '>',
		NumericGreaterThanEquals: '≥',
		DateEquals: 'is',
		DateNotEquals: 'is not',
		DateLessThan: 'is before',
		DateLessThanEquals: 'is at or before',
		DateGreaterThan: 'is after',
		DateGreaterThanEquals: 'is at or after',
		IpAddress: 'is in',
		NotIpAddress: 'is not in',
		BinaryEquals: 'is',
	};
	return {verb: verbs[name] ?? name, quantifier, ifExists};
}

export function describeCondition(condition: Condition): string {
	const values = condition.values.join(' or ');
	const {verb, quantifier, ifExists} = describeOperator(condition.operator);
	const suffix = ifExists ? ` (when the request has ${condition.key})` : '';
	if (/^Null$/.test(condition.operator))
		return `${condition.key} is ${values === 'true' ? 'absent' : 'present'}`;
	const context = /^kms:EncryptionContext:(.+)$/i.exec(condition.key);
	if (context)
		return `the encryption context's ${context[1]} (${condition.key}) ${verb} ${quantifier}${values}${suffix}`;
	const known = knownKeys[condition.key.toLowerCase()];
	const subject = known ? `${known} (${condition.key})` : condition.key;
	return `${subject} ${verb} ${quantifier}${values}${suffix}`;
}

export function explainStatement(statement: Statement): Explanation {
	const who = describeWho(statement);
	const actions = describeActions(statement);
	const resources = describeResources(statement);
	const conditions = statement.conditions.map(describeCondition);
	const verb = statement.effect === 'Allow' ? 'Allows' : 'Denies';
	const delegates =
		statement.effect === 'Allow' &&
		!statement.isNotPrincipal &&
		isOnlyRoots(statement.principals) &&
		coversEveryKmsAction(statement)
			? ' IAM policies in that account can then grant any of it to its users and roles.'
			: '';
	const when = conditions.length > 0 ? `, only when ${conditions.join(', and ')}` : '';
	return {
		who,
		actions,
		resources,
		conditions,
		text: `${verb} ${who}: ${actions} on ${resources}${when}.${delegates}`,
	};
}

/** The root-only `kms:*` statement AWS writes when a key is created without a policy. */
export function isDefaultPolicy(policy: ParsedPolicy): boolean {
	const [only, ...rest] = policy.statements;
	return (
		only !== undefined &&
		rest.length === 0 &&
		only.effect === 'Allow' &&
		!only.isNotPrincipal &&
		isOnlyRoots(only.principals) &&
		only.principals.aws.length === 1 &&
		coversEveryKmsAction(only) &&
		only.resources.length === 1 &&
		only.resources[0] === '*' &&
		only.conditions.length === 0
	);
}

/** One paragraph about the policy as a whole. */
export function summarisePolicy(policy: ParsedPolicy): string {
	if (isDefaultPolicy(policy)) {
		const account = rootAccountOf(policy.statements[0]?.principals.aws[0] ?? '') ?? 'the owner';
		return `The default key policy (what KMS gives a key created without one): the account root of ${account} gets kms:*, which lets IAM policies in that account grant access to the key; nobody else gets anything from the key policy itself.`;
	}
	const allows = policy.statements.filter((statement) => statement.effect === 'Allow').length;
	const denies = policy.statements.length - allows;
	return `${policy.statements.length} statement${policy.statements.length === 1 ? '' : 's'}: ${allows} allow, ${denies} deny. A Deny always wins over an Allow; what no statement allows is denied.`;
}
