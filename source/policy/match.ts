/**
 * Who and what a statement covers: IAM's wildcard matching of actions and resources, the KMS
 * actions a pattern such as `kms:Get*` stands for, and recognising an account root (which, in a
 * key policy, hands the decision to the account's IAM policies).
 */
import type {Principals, Statement} from './parse.js';

/** Every KMS permission (the Service Authorization Reference's list for AWS KMS). */
export const kmsActions = [
	'CancelKeyDeletion',
	'ConnectCustomKeyStore',
	'CreateAlias',
	'CreateCustomKeyStore',
	'CreateGrant',
	'CreateKey',
	'Decrypt',
	'DeleteAlias',
	'DeleteCustomKeyStore',
	'DeleteImportedKeyMaterial',
	'DeriveSharedSecret',
	'DescribeCustomKeyStores',
	'DescribeKey',
	'DisableKey',
	'DisableKeyRotation',
	'DisconnectCustomKeyStore',
	'EnableKey',
	'EnableKeyRotation',
	'Encrypt',
	'GenerateDataKey',
	'GenerateDataKeyPair',
	'GenerateDataKeyPairWithoutPlaintext',
	'GenerateDataKeyWithoutPlaintext',
	'GenerateMac',
	'GenerateRandom',
	'GetKeyLastUsage',
	'GetKeyPolicy',
	'GetKeyRotationStatus',
	'GetParametersForImport',
	'GetPublicKey',
	'ImportKeyMaterial',
	'ListAliases',
	'ListGrants',
	'ListKeyPolicies',
	'ListKeyRotations',
	'ListKeys',
	'ListResourceTags',
	'ListRetirableGrants',
	'PutKeyPolicy',
	'ReEncryptFrom',
	'ReEncryptTo',
	'ReplicateKey',
	'RetireGrant',
	'RevokeGrant',
	'RotateKeyOnDemand',
	'ScheduleKeyDeletion',
	'Sign',
	'SynchronizeMultiRegionKey',
	'TagResource',
	'UntagResource',
	'UpdateAlias',
	'UpdateCustomKeyStore',
	'UpdateKeyDescription',
	'UpdatePrimaryRegion',
	'Verify',
	'VerifyMac',
] as const;

/** IAM wildcards: `*` any run of characters, `?` one; actions compare case-insensitively. */
export function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
	const source = pattern
		.split('')
		.map((character) =>
			character === '*'
				? '.*'
				: character === '?'
					? '.'
					: character.replace(/[\\^$.+()[\]{}|]/g, '\\$&'),
		)
		.join('');
	return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** Does the statement's Action (or NotAction) cover `action` (`kms:PutKeyPolicy`)? */
export function coversAction(statement: Statement, action: string): boolean {
	const listed = statement.actions.some((pattern) => wildcardMatches(pattern, action, true));
	return statement.isNotAction ? !listed : listed;
}

/** Every KMS action: `*`, `kms:*`, or a NotAction that leaves them all but a few. */
export function coversEveryKmsAction(statement: Statement): boolean {
	if (statement.isNotAction) return false;
	return statement.actions.some((pattern) => pattern === '*' || /^kms:\*$/i.test(pattern));
}

/** The KMS actions a pattern stands for, e.g. `kms:Get*` → GetKeyLastUsage, GetKeyPolicy, … */
export function expandAction(pattern: string): readonly string[] {
	return kmsActions.filter((name) => wildcardMatches(pattern, `kms:${name}`, true));
}

/** In a key policy, Resource "*" means the key the policy is attached to. */
export function appliesToKey(statement: Statement, keyArn?: string): boolean {
	const listed = statement.resources.some(
		(pattern) =>
			pattern === '*' || (keyArn !== undefined && wildcardMatches(pattern, keyArn, false)),
	);
	// Without the key's ARN a named resource cannot be checked: assume it names this key.
	const applies = listed || (keyArn === undefined && statement.resources.length > 0);
	return statement.isNotResource ? !listed : applies;
}

const rootArn = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

/** The account a root principal stands for (`arn:aws:iam::111122223333:root` or the bare id). */
export function rootAccountOf(principal: string): string | undefined {
	if (/^\d{12}$/.test(principal)) return principal;
	return rootArn.exec(principal)?.[1];
}

/** Does one AWS principal entry name `account`'s root (any account's, when `account` is unknown)? */
export function isRootOf(principal: string, account?: string): boolean {
	const root = rootAccountOf(principal);
	return root !== undefined && (account === undefined || root === account);
}

/** Is the principal list (Principal, not NotPrincipal) about some account root and nothing else? */
export function isOnlyRoots(principals: Principals): boolean {
	return (
		!principals.isAnyone &&
		principals.aws.length > 0 &&
		principals.aws.every((entry) => rootAccountOf(entry) !== undefined) &&
		principals.service.length + principals.federated.length + principals.canonicalUser.length === 0
	);
}

/**
 * Does the statement apply to `principal` (an account's root, or an IAM ARN)? `"*"` covers
 * everyone; a NotPrincipal covers everyone it does not name.
 */
export function coversPrincipal(
	statement: Statement,
	who: {readonly account?: string; readonly arn?: string},
): boolean {
	const {principals} = statement;
	const named =
		principals.isAnyone ||
		principals.aws.some(
			(entry) =>
				(who.account !== undefined && rootAccountOf(entry) === who.account) ||
				(who.arn !== undefined && entry === who.arn),
		);
	return statement.isNotPrincipal ? !named : named;
}
