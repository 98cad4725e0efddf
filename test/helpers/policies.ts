/**
 * Key policy documents for the `policy` command tests, on the sandbox's account: the statements
 * in, the JSON text out, indented as a person writes a policy file.
 */
export const sandboxRoot = 'arn:aws:iam::000000000000:root';

export const policyOf = (...Statement: unknown[]) =>
	JSON.stringify({Version: '2012-10-17', Statement}, null, 2);

/** What the default key policy grants: the account root, kms:*. */
export const rootAll = {
	Sid: 'EnableIamUserPermissions',
	Effect: 'Allow',
	Principal: {AWS: sandboxRoot},
	Action: 'kms:*',
	Resource: '*',
};

/** The root may only read the key: no one could change the policy again (a lockout). */
export const rootReadOnly = policyOf({
	Sid: 'ReadOnly',
	Effect: 'Allow',
	Principal: {AWS: sandboxRoot},
	Action: ['kms:Describe*', 'kms:Get*'],
	Resource: '*',
});
