/**
 * A key policy read, explained and checked in one step, for `kms-tui policy`, `policy put` and
 * the key screen: the summary, each statement's explanation and risks, the lockout check, and
 * (for a replacement) which statements were added and removed.
 */
import {type Explanation, explainStatement, summarisePolicy} from './explain.js';
import {checkLockout, type LockoutCheck} from './lockout.js';
import {type ParsedPolicy, parsePolicy, type Statement} from './parse.js';
import {type Risk, risksOf} from './risks.js';

export type StatementReport = {
	readonly sid?: string;
	readonly effect: 'Allow' | 'Deny';
	readonly explanation: Explanation;
	readonly risks: readonly Risk[];
	readonly statement: Statement;
};

export type PolicyReport = {
	readonly policy: ParsedPolicy;
	readonly summary: string;
	readonly statements: readonly StatementReport[];
	readonly lockout: LockoutCheck;
};

export type ReportOptions = {readonly keyArn?: string; readonly callerArn?: string};

function accountOf(keyArn: string | undefined): string | undefined {
	return keyArn === undefined ? undefined : /^arn:[^:]+:kms:[^:]*:(\d{12}):/.exec(keyArn)?.[1];
}

export function reportPolicy(policy: ParsedPolicy, options: ReportOptions = {}): PolicyReport {
	const account = accountOf(options.keyArn);
	return {
		policy,
		summary: summarisePolicy(policy),
		statements: policy.statements.map((statement) => ({
			...(statement.sid === undefined ? {} : {sid: statement.sid}),
			effect: statement.effect,
			explanation: explainStatement(statement),
			risks: risksOf(statement, account === undefined ? {} : {account}),
			statement,
		})),
		lockout: checkLockout(policy, options),
	};
}

/** Parses and reports; throws PolicyError when the text is not a JSON object. */
export function reportPolicyText(text: string, options: ReportOptions = {}): PolicyReport {
	return reportPolicy(parsePolicy(text), options);
}

/** Key order and a one-element list do not change a statement's meaning: compare without them. */
function canonical(value: unknown): string {
	const normalise = (item: unknown): unknown => {
		if (Array.isArray(item)) {
			const items = item.map(normalise);
			return items.length === 1 ? items[0] : items.map((entry) => JSON.stringify(entry)).sort();
		}
		if (typeof item === 'object' && item !== null)
			return Object.fromEntries(
				Object.entries(item)
					.filter(([key]) => key !== 'Sid')
					.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
					.map(([key, entry]) => [key, normalise(entry)]),
			);
		return item;
	};
	return JSON.stringify(normalise(value));
}

export type PolicyChange = {
	readonly added: readonly StatementReport[];
	readonly removed: readonly StatementReport[];
	readonly unchanged: number;
};

/** Which statements a replacement adds and removes (a Sid alone does not make a change). */
export function diffPolicies(before: PolicyReport, after: PolicyReport): PolicyChange {
	const left = before.statements.map((report) => canonical(report.statement.raw));
	const right = after.statements.map((report) => canonical(report.statement.raw));
	const unmatched = [...left];
	const added: StatementReport[] = [];
	after.statements.forEach((report, index) => {
		const found = unmatched.indexOf(right[index] as string);
		if (found >= 0) unmatched.splice(found, 1);
		else added.push(report);
	});
	const remaining = [...right];
	const removed: StatementReport[] = [];
	before.statements.forEach((report, index) => {
		const found = remaining.indexOf(left[index] as string);
		if (found >= 0) remaining.splice(found, 1);
		else removed.push(report);
	});
	return {added, removed, unchanged: after.statements.length - added.length};
}

/** The `--json` shape of one statement: `{sid, effect, explanation, risks}`. */
export function statementJson(report: StatementReport) {
	return {
		sid: report.sid ?? null,
		effect: report.effect,
		explanation: report.explanation.text,
		risks: report.risks.map((risk) => ({level: risk.level, message: risk.message})),
	};
}
