/** Reading, explaining and flagging key policies: the default one, KmsKey.yaml's, risky ones. */
import {readFile} from 'node:fs/promises';
import {describe, expect, it} from 'vitest';
import {describeCondition, explainStatement, isDefaultPolicy} from '../../source/policy/explain.js';
import {checkLockout} from '../../source/policy/lockout.js';
import {expandAction} from '../../source/policy/match.js';
import {PolicyError, parsePolicy, validatePolicyText} from '../../source/policy/parse.js';
import {diffPolicies, reportPolicy, reportPolicyText} from '../../source/policy/report.js';
import {defaultKeyPolicy} from '../../source/sandbox/kms/tags-policy.js';

const account = '111122223333';
const keyArn = `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const root = `arn:aws:iam::${account}:root`;
const role = `arn:aws:iam::${account}:role/KeyUser`;

const policyOf = (...Statement: unknown[]) => JSON.stringify({Version: '2012-10-17', Statement});
const report = (...statements: unknown[]) => reportPolicyText(policyOf(...statements), {keyArn});
const rootAll = {
	Sid: 'Root',
	Effect: 'Allow',
	Principal: {AWS: root},
	Action: 'kms:*',
	Resource: '*',
};

describe('the default key policy', () => {
	it('is the root with kms:*, which hands access to IAM policies; nobody else gets anything', () => {
		const result = reportPolicyText(defaultKeyPolicy(account), {keyArn});
		expect(isDefaultPolicy(result.policy)).toBe(true);
		expect(result.summary).toContain(
			'The default key policy (what KMS gives a key created without one)',
		);
		expect(result.summary).toContain(`the account root of ${account} gets kms:*`);
		expect(result.summary).toContain('lets IAM policies in that account grant access');
		expect(result.summary).toContain('nobody else gets anything');
		const [statement] = result.statements;
		expect(statement?.explanation.text).toBe(
			`Allows the account ${account} (root: IAM policies decide who): every KMS action on this key. IAM policies in that account can then grant any of it to its users and roles.`,
		);
		expect(statement?.risks).toEqual([]);
		expect(result.lockout).toMatchObject({isSafe: true, grantee: `the account root (${root})`});
	});

	it("KmsKey.yaml's policy (after Fn::Sub) reads the same and passes the lockout check", async () => {
		const template = await readFile('KmsKey.yaml', 'utf8');
		const body = /KeyPolicy: !Sub \|\n([\s\S]*?)\n\n/.exec(template)?.[1] ?? '';
		const text = body
			.replace(/\$\{AWS::Partition\}/g, 'aws')
			.replace(/\$\{AWS::AccountId\}/g, account);
		const result = reportPolicyText(text, {keyArn});
		expect(result.policy.problems).toEqual([]);
		expect(result.policy.id).toBe('kms-tui-key-policy');
		expect(result.statements[0]?.sid).toBe('EnableIamUserPermissions');
		expect(result.statements[0]?.explanation.actions).toBe('every KMS action');
		expect(result.statements.flatMap((statement) => statement.risks)).toEqual([]);
		expect(result.lockout.isSafe).toBe(true);
	});
});

describe('every form IAM allows', () => {
	it('reads strings and lists, "*", {"AWS"}, {"Service"}, the bare account id, NotPrincipal and NotAction', () => {
		const {statements, problems} = parsePolicy(
			policyOf(
				{Effect: 'Allow', Principal: '*', Action: ['kms:Decrypt'], Resource: ['*']},
				{Effect: 'Allow', Principal: {AWS: '*'}, Action: 'kms:Encrypt', Resource: '*'},
				{
					Effect: 'Allow',
					Principal: {AWS: [account, role]},
					Action: 'kms:Describe*',
					Resource: '*',
				},
				{
					Effect: 'Allow',
					Principal: {Service: 'logs.us-east-1.amazonaws.com'},
					Action: 'kms:GenerateDataKey*',
					Resource: '*',
				},
				{
					Effect: 'Deny',
					NotPrincipal: {AWS: root},
					NotAction: ['kms:Decrypt', 'kms:Encrypt'],
					Resource: '*',
				},
			),
		);
		expect(problems).toEqual([]);
		expect(statements.map((statement) => explainStatement(statement).who)).toEqual([
			'anyone (every AWS principal, in every account)',
			'anyone (every AWS principal, in every account)',
			`the account ${account} (root: IAM policies decide who) and the IAM role ${role}`,
			'the AWS service logs.us-east-1.amazonaws.com',
			`everyone except the account ${account} (root: IAM policies decide who)`,
		]);
		expect(explainStatement(statements[0] as never).actions).toBe('Decrypt');
		expect(explainStatement(statements[2] as never).actions).toBe(
			'kms:Describe* (DescribeCustomKeyStores, DescribeKey)',
		);
		expect(explainStatement(statements[3] as never).actions).toMatch(
			/^kms:GenerateDataKey\* \(GenerateDataKey, GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, GenerateDataKeyWithoutPlaintext\)$/,
		);
		expect(explainStatement(statements[4] as never).text).toBe(
			`Denies everyone except the account ${account} (root: IAM policies decide who): every action except Decrypt and Encrypt on this key.`,
		);
	});

	it('expands wildcards against the KMS action list, case-insensitively', () => {
		expect(expandAction('kms:get*')).toEqual([
			'GetKeyLastUsage',
			'GetKeyPolicy',
			'GetKeyRotationStatus',
			'GetParametersForImport',
			'GetPublicKey',
		]);
		expect(expandAction('kms:ReEncrypt*')).toEqual(['ReEncryptFrom', 'ReEncryptTo']);
		expect(expandAction('kms:?ncrypt')).toEqual(['Encrypt']);
	});

	it('explains the conditions KMS policies use: kms:ViaService, aws:PrincipalOrgID, the encryption context', () => {
		const [statement] = parsePolicy(
			policyOf({
				Effect: 'Allow',
				Principal: {AWS: role},
				Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
				Resource: '*',
				Condition: {
					StringEquals: {
						'kms:ViaService': ['s3.us-east-1.amazonaws.com', 'rds.us-east-1.amazonaws.com'],
						'aws:PrincipalOrgID': 'o-a1b2c3d4e5',
						'kms:EncryptionContext:Department': 'Finance',
					},
					'ForAllValues:StringLike': {'kms:EncryptionContextKeys': 'app-*'},
					Bool: {'aws:SecureTransport': true},
					NumericLessThanIfExists: {'kms:RecipientAttestation:ImageSha384': 5},
				},
			}),
		).statements;
		expect(explainStatement(statement as never).conditions).toEqual([
			'the AWS service the request comes through (kms:ViaService) is s3.us-east-1.amazonaws.com or rds.us-east-1.amazonaws.com',
			"the caller's AWS organization (aws:PrincipalOrgID) is o-a1b2c3d4e5",
			"the encryption context's Department (kms:EncryptionContext:Department) is Finance",
			"the encryption context's keys (kms:EncryptionContextKeys) matches only values among app-*",
			'whether the request uses TLS (aws:SecureTransport) is true',
			'kms:RecipientAttestation:ImageSha384 < 5 (when the request has kms:RecipientAttestation:ImageSha384)',
		]);
		expect(explainStatement(statement as never).text).toContain(', only when the AWS service');
		expect(describeCondition({operator: 'Null', key: 'aws:SourceArn', values: ['false']})).toBe(
			'aws:SourceArn is present',
		);
	});

	it('lists what is not IAM grammar, and refuses what is not a JSON object at all', () => {
		expect(() => parsePolicy('{"Version": ')).toThrow(PolicyError);
		expect(() => parsePolicy('[]')).toThrow('The policy must be a JSON object.');
		const {problems} = parsePolicy(
			JSON.stringify({
				Statement: [
					{
						Effect: 'Maybe',
						Principal: {Robot: 'x'},
						Action: 'kms:*',
						NotAction: 'kms:Decrypt',
						Resource: 5,
					},
					{Sid: 'a', Effect: 'Allow', Principal: '*', Action: [], Resource: '*', Extra: 1},
					{Sid: 'a', Effect: 'Allow', Action: 'kms:*', Resource: '*'},
				],
			}),
		);
		expect(problems).toEqual([
			'The policy has no Version: add "Version": "2012-10-17".',
			'Statement 1: Effect must be "Allow" or "Deny".',
			'Statement 1 has both Action and NotAction; use one.',
			'Statement 1: Principal has an unknown principal type "Robot" (AWS, Service, Federated or CanonicalUser).',
			'Statement 1: Resource must be a string or a list of strings.',
			'Statement 2 has an unknown element "Extra".',
			'Statement 2: Action is an empty list.',
			'Statement 3 has no Principal (a key policy statement needs one).',
			'Two statements have the Sid "a": each Sid must be unique.',
		]);
	});

	it('refuses more than 32 KB before parsing', () => {
		const big = policyOf({...rootAll, Sid: 'x'.repeat(33 * 1024)});
		expect(validatePolicyText(big)).toEqual({
			error: expect.stringMatching(/^The policy is \d+ bytes; KMS allows at most 32768 \(32 KB\)/),
		});
		expect(validatePolicyText(policyOf(rootAll))).toMatchObject({problems: []});
	});
});

describe('risks', () => {
	const levels = (result: ReturnType<typeof report>) =>
		result.statements.map((statement) =>
			statement.risks.map((risk) => `${risk.level}: ${risk.message}`),
		);

	it('Principal "*" with Allow and no condition; the same with a condition is not flagged', () => {
		const result = report(
			rootAll,
			{Effect: 'Allow', Principal: {AWS: '*'}, Action: 'kms:Decrypt', Resource: '*'},
			{
				Effect: 'Allow',
				Principal: '*',
				Action: 'kms:Decrypt',
				Resource: '*',
				Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-a1b2c3d4e5'}},
			},
		);
		expect(levels(result)[1]).toEqual([
			'high: Principal "*" with no condition: anyone in any AWS account is allowed this. Name the principals, or add a condition such as aws:PrincipalOrgID or kms:CallerAccount.',
		]);
		expect(levels(result)[2]).toEqual([]);
	});

	it('kms:* for a role; PutKeyPolicy and ScheduleKeyDeletion for non-root principals', () => {
		const result = report(
			rootAll,
			{Effect: 'Allow', Principal: {AWS: role}, Action: '*', Resource: '*'},
			{
				Effect: 'Allow',
				Principal: {AWS: role},
				Action: ['kms:Put*', 'kms:ScheduleKeyDeletion'],
				Resource: '*',
			},
			{Effect: 'Allow', Principal: {AWS: account}, Action: 'kms:PutKeyPolicy', Resource: '*'},
		);
		expect(levels(result)[1]).toEqual([
			`warning: The IAM role ${role} gets kms:*: that includes changing this policy and scheduling the key's deletion. Grant only the actions it needs.`,
		]);
		expect(levels(result)[2]).toEqual([
			`warning: The IAM role ${role} may change this key policy (kms:PutKeyPolicy), and so give itself anything.`,
			`warning: The IAM role ${role} may schedule the key's deletion (kms:ScheduleKeyDeletion): after 7–30 days, everything encrypted under it is lost.`,
		]);
		// The root (as an ARN or a bare account id) is where IAM takes over: not a risk.
		expect(levels(result)[3]).toEqual([]);
	});

	it('Allow with NotPrincipal, and NotAction for a role', () => {
		const result = report(
			rootAll,
			{Effect: 'Allow', NotPrincipal: {AWS: role}, Action: 'kms:Decrypt', Resource: '*'},
			{
				Effect: 'Allow',
				Principal: {AWS: role},
				NotAction: 'kms:ScheduleKeyDeletion',
				Resource: '*',
			},
		);
		expect(levels(result)[1]).toEqual([
			`high: Allow with NotPrincipal allows everyone except the IAM role ${role}, in every account. Name the principals with Principal instead.`,
		]);
		expect(levels(result)[2]).toEqual([
			`warning: The IAM role ${role} gets every action except those listed (NotAction), actions KMS adds later included. List the actions it needs instead.`,
			`warning: The IAM role ${role} may change this key policy (kms:PutKeyPolicy), and so give itself anything.`,
		]);
		expect(result.lockout).toMatchObject({isSafe: true, isConditional: false});
	});

	it('a Deny that binds the account root, and one that locks the policy', () => {
		const result = report(
			rootAll,
			{Effect: 'Deny', Principal: {AWS: root}, Action: 'kms:ScheduleKeyDeletion', Resource: '*'},
			{Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*'},
			{Effect: 'Deny', Principal: {AWS: role}, Action: 'kms:*', Resource: '*'},
		);
		expect(levels(result)[1]).toEqual([
			'warning: This Deny applies to the account root: no IAM policy in the account can grant what it denies.',
		]);
		expect(levels(result)[2]).toEqual([
			'high: This Deny applies to the account root and covers kms:PutKeyPolicy: nobody, administrators included, could change the policy again.',
		]);
		expect(levels(result)[3]).toEqual([]);
	});
});

describe('the lockout check', () => {
	it('passes when the root gets PutKeyPolicy through kms:*, kms:Put*, "*" or the bare account id', () => {
		for (const action of [
			'kms:*',
			'kms:Put*',
			'*',
			'kms:putkeypolicy',
			['kms:Decrypt', 'kms:PutKeyPolicy'],
		])
			expect(
				report({Effect: 'Allow', Principal: {AWS: root}, Action: action, Resource: '*'}).lockout
					.isSafe,
			).toBe(true);
		expect(
			report({
				Effect: 'Allow',
				Principal: {AWS: account},
				Action: 'kms:PutKeyPolicy',
				Resource: '*',
			}).lockout.isSafe,
		).toBe(true);
		expect(
			report({Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*'}).lockout.isSafe,
		).toBe(true);
	});

	it('refuses a policy where nobody, or only another principal, may change the policy', () => {
		const refused = (...statements: unknown[]) => report(...statements).lockout;
		expect(
			refused({
				Effect: 'Allow',
				Principal: {AWS: root},
				Action: ['kms:Encrypt', 'kms:Decrypt'],
				Resource: '*',
			}),
		).toEqual({
			isSafe: false,
			otherGrantees: [],
			reason: `No statement allows the account root (${root}) kms:PutKeyPolicy, so once this policy is in place nobody could change it again.`,
		});
		// Another account's root does not keep this account's access.
		expect(
			refused({
				Effect: 'Allow',
				Principal: {AWS: 'arn:aws:iam::444455556666:root'},
				Action: 'kms:*',
				Resource: '*',
			}).isSafe,
		).toBe(false);
		expect(
			refused({Effect: 'Allow', Principal: {AWS: role}, Action: 'kms:*', Resource: '*'}).isSafe,
		).toBe(false);
		expect(
			refused({
				Effect: 'Allow',
				Principal: {AWS: root},
				NotAction: 'kms:PutKeyPolicy',
				Resource: '*',
			}).isSafe,
		).toBe(false);
		expect(
			refused({
				Effect: 'Allow',
				Principal: {AWS: root},
				Action: 'kms:*',
				Resource: 'arn:aws:kms:us-east-1:111122223333:key/other',
			}).isSafe,
		).toBe(false);
	});

	it('an unconditional Deny cancels the grant; a conditional one does not', () => {
		const locked = report(rootAll, {
			Sid: 'NoChanges',
			Effect: 'Deny',
			Principal: '*',
			Action: 'kms:PutKeyPolicy',
			Resource: '*',
		}).lockout;
		expect(locked).toMatchObject({
			isSafe: false,
			reason: `Statement 2 ("NoChanges") denies kms:PutKeyPolicy to the account root (${root}), so once this policy is in place nobody could change it again.`,
		});
		expect(
			report(rootAll, {Effect: 'Deny', NotPrincipal: {AWS: role}, Action: 'kms:*', Resource: '*'})
				.lockout.isSafe,
		).toBe(false);
		expect(
			report(rootAll, {
				Effect: 'Deny',
				Principal: '*',
				Action: 'kms:*',
				Resource: '*',
				Condition: {Bool: {'aws:SecureTransport': 'false'}},
			}).lockout.isSafe,
		).toBe(true);
	});

	it('a grant under conditions passes, marked conditional (KMS evaluates the conditions)', () => {
		const lockout = report({
			...rootAll,
			Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-a1b2c3d4e5'}},
		}).lockout;
		expect(lockout).toMatchObject({isSafe: true, isConditional: true});
	});

	it('a grant to the caller counts when the caller is known', () => {
		const policy = parsePolicy(
			policyOf({
				Effect: 'Allow',
				Principal: {AWS: role},
				Action: 'kms:PutKeyPolicy',
				Resource: '*',
			}),
		);
		// Unknown callers: the refusal names who does keep PutKeyPolicy, in case that is the caller.
		expect(checkLockout(policy, {keyArn})).toMatchObject({isSafe: false, otherGrantees: [role]});
		expect(checkLockout(policy, {keyArn, callerArn: role})).toMatchObject({
			isSafe: true,
			grantee: role,
		});
	});
});

describe('what a replacement changes', () => {
	it('lists statements added and removed; key order, Sid and one-element lists are no change', () => {
		const before = reportPolicy(
			parsePolicy(
				policyOf(rootAll, {
					Effect: 'Allow',
					Principal: {AWS: role},
					Action: 'kms:Decrypt',
					Resource: '*',
				}),
			),
		);
		const after = reportPolicy(
			parsePolicy(
				policyOf(
					{
						Resource: ['*'],
						Action: ['kms:*'],
						Principal: {AWS: [root]},
						Effect: 'Allow',
						Sid: 'Renamed',
					},
					{
						Effect: 'Allow',
						Principal: {AWS: role},
						Action: ['kms:Decrypt', 'kms:Encrypt'],
						Resource: '*',
					},
				),
			),
		);
		const change = diffPolicies(before, after);
		expect(change.unchanged).toBe(1);
		expect(change.added.map((statement) => statement.explanation.actions)).toEqual([
			'Decrypt and Encrypt',
		]);
		expect(change.removed.map((statement) => statement.explanation.actions)).toEqual(['Decrypt']);
	});
});
