/**
 * What AWS's policy lockout safety check protects against: a key policy that lets nobody call
 * PutKeyPolicy again, so that the key can never be managed (AWS Support is the only way back).
 * A new policy is safe when an Allow statement that no unconditional Deny cancels grants
 * kms:PutKeyPolicy to the account root — which hands the decision to the account's IAM policies —
 * or to the caller, when the caller's ARN is known. `policy put` runs this before KMS does, and
 * the sandbox's PutKeyPolicy/CreateKey run the same rule, as KMS would.
 */
import {appliesToKey, coversAction, coversPrincipal, rootAccountOf} from './match.js';
import type {ParsedPolicy, Statement} from './parse.js';

export const lockoutMessage =
	'The new key policy will not allow you to update the key policy in the future.';

export type LockoutOptions = {
	/** The key's account; taken from `keyArn` when not given. */
	readonly account?: string;
	readonly keyArn?: string;
	/** The caller's IAM ARN, when known: a grant to it directly also counts. */
	readonly callerArn?: string;
};

export type LockoutCheck =
	| {
			readonly isSafe: true;
			/** The statement that keeps PutKeyPolicy open, and to whom. */
			readonly grantedBy: Statement;
			readonly grantee: string;
			/** The grant holds only under its conditions (KMS evaluates them; a mismatch would lock you out). */
			readonly isConditional: boolean;
	  }
	| {
			readonly isSafe: false;
			readonly reason: string;
			readonly deniedBy?: Statement;
			/** Non-root principals the policy does give kms:PutKeyPolicy (one may be the caller). */
			readonly otherGrantees: readonly string[];
	  };

const putKeyPolicy = 'kms:PutKeyPolicy';

function accountOfArn(arn: string | undefined): string | undefined {
	return arn === undefined ? undefined : /^arn:[^:]+:kms:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

function label(statement: Statement): string {
	return statement.sid === undefined
		? `statement ${statement.index + 1}`
		: `statement ${statement.index + 1} ("${statement.sid}")`;
}

export function checkLockout(policy: ParsedPolicy, options: LockoutOptions = {}): LockoutCheck {
	const account = options.account ?? accountOfArn(options.keyArn);
	const allows = policy.statements.filter(
		(statement) =>
			statement.effect === 'Allow' &&
			coversAction(statement, putKeyPolicy) &&
			appliesToKey(statement, options.keyArn),
	);
	// Without the key's account, any account root a statement names is a candidate.
	const accounts =
		account !== undefined
			? [account]
			: [
					...new Set(
						allows.flatMap((statement) =>
							statement.principals.aws.flatMap((entry) => rootAccountOf(entry) ?? []),
						),
					),
				];
	const grantees: Array<{who: {account?: string; arn?: string}; name: string}> = [
		...accounts.map((id) => ({
			who: {account: id},
			name: `the account root (arn:aws:iam::${id}:root)`,
		})),
		...(options.callerArn ? [{who: {arn: options.callerArn}, name: options.callerArn}] : []),
	];
	if (grantees.length === 0 && allows.some((statement) => statement.principals.isAnyone))
		grantees.push({who: {account: '*'}, name: 'everyone'});
	let deniedBy: Statement | undefined;
	for (const grantee of grantees) {
		const covers = (statement: Statement) =>
			grantee.who.account === '*'
				? statement.principals.isAnyone
				: coversPrincipal(statement, grantee.who);
		const deny = policy.statements.find(
			(statement) =>
				statement.effect === 'Deny' &&
				statement.conditions.length === 0 &&
				coversAction(statement, putKeyPolicy) &&
				appliesToKey(statement, options.keyArn) &&
				covers(statement),
		);
		if (deny) {
			deniedBy ??= deny;
			continue;
		}
		const grant = allows.find(covers);
		if (grant)
			return {
				isSafe: true,
				grantedBy: grant,
				grantee: grantee.name,
				isConditional: grant.conditions.length > 0,
			};
	}
	const otherGrantees = [
		...new Set(
			allows.flatMap((statement) =>
				statement.isNotPrincipal
					? []
					: statement.principals.aws.filter((entry) => rootAccountOf(entry) === undefined),
			),
		),
	];
	const root =
		account === undefined ? 'the account root' : `the account root (arn:aws:iam::${account}:root)`;
	if (deniedBy)
		return {
			isSafe: false,
			deniedBy,
			otherGrantees,
			reason: `${capitalise(label(deniedBy))} denies kms:PutKeyPolicy to ${root}, so once this policy is in place nobody could change it again.`,
		};
	return {
		isSafe: false,
		otherGrantees,
		reason: `No statement allows ${root}${options.callerArn ? ` or you (${options.callerArn})` : ''} kms:PutKeyPolicy, so once this policy is in place nobody could change it again.`,
	};
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
