/**
 * What is risky in a key policy statement, worded so that the words alone carry it (colour is
 * extra): anyone allowed without a condition, every KMS action or the power to change the policy
 * or delete the key for someone other than an account root, and a Deny that binds the root.
 */
import {describeWho} from './explain.js';
import {
	coversAction,
	coversEveryKmsAction,
	coversPrincipal,
	isOnlyRoots,
	rootAccountOf,
} from './match.js';
import type {ParsedPolicy, Statement} from './parse.js';

export type Risk = {
	/** `high`: anyone, or a lockout; `warning`: more power than most principals need. */
	readonly level: 'high' | 'warning';
	readonly message: string;
};

/** Roots named by the statement, or the key's account when the caller knows it. */
function rootAccounts(statement: Statement, account?: string): string[] {
	if (account !== undefined) return [account];
	// A NotPrincipal naming a role still covers that role's account root.
	return statement.principals.aws.flatMap(
		(entry) => rootAccountOf(entry) ?? /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(entry)?.[1] ?? [],
	);
}

export function risksOf(statement: Statement, options: {readonly account?: string} = {}): Risk[] {
	const risks: Risk[] = [];
	const who = describeWho(statement);
	const unconditional = statement.conditions.length === 0;
	if (statement.effect === 'Allow') {
		if (statement.principals.isAnyone && !statement.isNotPrincipal && unconditional)
			risks.push({
				level: 'high',
				message:
					'Principal "*" with no condition: anyone in any AWS account is allowed this. Name the principals, or add a condition such as aws:PrincipalOrgID or kms:CallerAccount.',
			});
		if (statement.isNotPrincipal)
			risks.push({
				level: 'high',
				message: `Allow with NotPrincipal allows ${who}, in every account. Name the principals with Principal instead.`,
			});
		const isRootOnly = !statement.isNotPrincipal && isOnlyRoots(statement.principals);
		if (!isRootOnly) {
			if (coversEveryKmsAction(statement)) {
				risks.push({
					level: 'warning',
					message: `${capitalise(who)} gets kms:*: that includes changing this policy and scheduling the key's deletion. Grant only the actions it needs.`,
				});
			} else {
				if (statement.isNotAction)
					risks.push({
						level: 'warning',
						message: `${capitalise(who)} gets every action except those listed (NotAction), actions KMS adds later included. List the actions it needs instead.`,
					});
				if (coversAction(statement, 'kms:PutKeyPolicy'))
					risks.push({
						level: 'warning',
						message: `${capitalise(who)} may change this key policy (kms:PutKeyPolicy), and so give itself anything.`,
					});
				if (coversAction(statement, 'kms:ScheduleKeyDeletion'))
					risks.push({
						level: 'warning',
						message: `${capitalise(who)} may schedule the key's deletion (kms:ScheduleKeyDeletion): after 7–30 days, everything encrypted under it is lost.`,
					});
			}
		}
		return risks;
	}
	const deniesRoot =
		rootAccounts(statement, options.account).some((account) =>
			coversPrincipal(statement, {account}),
		) ||
		(statement.principals.isAnyone && !statement.isNotPrincipal);
	if (deniesRoot) {
		const blocksPolicy = coversAction(statement, 'kms:PutKeyPolicy');
		risks.push(
			blocksPolicy && unconditional
				? {
						level: 'high',
						message:
							'This Deny applies to the account root and covers kms:PutKeyPolicy: nobody, administrators included, could change the policy again.',
					}
				: {
						level: 'warning',
						message: `This Deny applies to the account root${unconditional ? '' : ' (under its conditions)'}: no IAM policy in the account can grant what it denies.`,
					},
		);
	}
	return risks;
}

export type PolicyRisks = ReadonlyArray<{
	readonly statement: Statement;
	readonly risks: readonly Risk[];
}>;

export function policyRisks(
	policy: ParsedPolicy,
	options: {readonly account?: string} = {},
): PolicyRisks {
	return policy.statements.map((statement) => ({statement, risks: risksOf(statement, options)}));
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
