/**
 * What of a request goes into its CloudTrail-style event. KMS's own rule is that no key material
 * is ever logged: the event keeps the key id, key spec, number of bytes and encryption context of
 * a GenerateDataKey, and never a plaintext, a ciphertext blob, a message, a signature or a MAC.
 * Every KMS member that carries such bytes is a Blob in the API model; all of them are dropped
 * here, whatever the operation, so a new operation cannot leak one by forgetting a rule.
 */
import {defineEntry} from '../context.js';

/** Blob members of the KMS API (and grant tokens, which authorise like a credential). */
const secretKmsMembers = new Set([
	'Plaintext',
	'CiphertextBlob',
	'CiphertextForRecipient',
	'Message',
	'Signature',
	'Mac',
	'EncryptedKeyMaterial',
	'ImportToken',
	'PublicKey',
	'PrivateKeyPlaintext',
	'PrivateKeyCiphertextBlob',
	'SharedSecret',
	'Recipient',
	'GrantTokens',
]);

/** Map members: their entries are the caller's own names, kept as sent. */
const mapMembers = new Set([
	'EncryptionContext',
	'SourceEncryptionContext',
	'DestinationEncryptionContext',
	'EncryptionContextSubset',
	'EncryptionContextEquals',
]);

function camel(name: string): string {
	return name.charAt(0).toLowerCase() + name.slice(1);
}

/** CloudTrail's spelling of a KMS structure: camel-case members, secrets left out. */
function kmsValue(value: unknown, depth: number): unknown {
	if (depth > 8 || value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((item) => kmsValue(item, depth + 1));
	const out: Record<string, unknown> = {};
	for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
		if (secretKmsMembers.has(name) || member === undefined) continue;
		defineEntry(
			out,
			camel(name),
			mapMembers.has(name) ? structuredClone(member) : kmsValue(member, depth + 1),
		);
	}
	return out;
}

/** The `requestParameters` of a KMS call (null when the request had none). */
export function kmsRequestParameters(input: unknown): Record<string, unknown> | null {
	if (input === null || typeof input !== 'object' || Array.isArray(input)) return null;
	const out = kmsValue(input, 0) as Record<string, unknown>;
	return Object.keys(out).length > 0 ? out : null;
}

/** The `responseElements` of a KMS call that changed something (never of a crypto call). */
export function kmsResponseElements(output: unknown): Record<string, unknown> | null {
	return kmsRequestParameters(output);
}

/**
 * The `requestParameters` of a CloudFormation call, from its form: `StackName=…` becomes
 * `stackName`, `Parameters.member.1.ParameterValue` stays flat. Left out: the template body
 * (up to 51,200 bytes journalled per request) and every parameter value, which may be a NoEcho
 * secret (the template that says which ones are is not parsed for this).
 */
export function cfnRequestParameters(
	params: Readonly<Record<string, string>>,
): Record<string, unknown> | null {
	const out: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(params)) {
		if (name === 'Action' || name === 'Version' || name === 'TemplateBody') continue;
		defineEntry(out, camel(name), name.endsWith('.ParameterValue') ? '****' : value);
	}
	return Object.keys(out).length > 0 ? out : null;
}
