/**
 * The AWS Encryption SDK algorithm suites (framework/algorithm-suites.md of the public
 * specification). Shared by the ESDK reader and writer: every property a codec needs is here,
 * so neither side hard-codes a suite id.
 */

export type EsdkSuite = {
	/** The two-byte id stored in the header, e.g. 0x0578. */
	readonly id: number;
	/** The specification's name without the `ALG_` prefix. */
	readonly name: string;
	readonly messageFormatVersion: 1 | 2;
	/** AES-GCM key length; also the data key length (the spec's key derivation input length). */
	readonly keyBytes: 16 | 24 | 32;
	readonly kdf: 'identity' | 'hkdf-sha256' | 'hkdf-sha384' | 'hkdf-sha512';
	/** Committing suites store a 32-byte commit key in the header (the suite data). */
	readonly committing: boolean;
	/** ECDSA footer signature; the public key travels in the `aws-crypto-public-key` context entry. */
	readonly signature?: {readonly curve: 'P-256' | 'P-384'; readonly hash: 'sha256' | 'sha384'};
};

/** Every suite uses AES-GCM with a 12-byte IV and a 16-byte tag. */
export const ESDK_IV_BYTES = 12;
export const ESDK_TAG_BYTES = 16;
/** Suite data (the commit key) of committing suites, message format v2 only. */
export const ESDK_COMMIT_KEY_BYTES = 32;
/** Message id length by message format version. */
export const ESDK_MESSAGE_ID_BYTES = {1: 16, 2: 32} as const;
/** The encryption context key whose value is the base64 compressed ECDSA public key. */
export const ESDK_PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key';

const P256 = {curve: 'P-256', hash: 'sha256'} as const;
const P384 = {curve: 'P-384', hash: 'sha384'} as const;

const suites: readonly EsdkSuite[] = [
	{
		id: 0x0014,
		name: 'AES_128_GCM_IV12_TAG16_NO_KDF',
		messageFormatVersion: 1,
		keyBytes: 16,
		kdf: 'identity',
		committing: false,
	},
	{
		id: 0x0046,
		name: 'AES_192_GCM_IV12_TAG16_NO_KDF',
		messageFormatVersion: 1,
		keyBytes: 24,
		kdf: 'identity',
		committing: false,
	},
	{
		id: 0x0078,
		name: 'AES_256_GCM_IV12_TAG16_NO_KDF',
		messageFormatVersion: 1,
		keyBytes: 32,
		kdf: 'identity',
		committing: false,
	},
	{
		id: 0x0114,
		name: 'AES_128_GCM_IV12_TAG16_HKDF_SHA256',
		messageFormatVersion: 1,
		keyBytes: 16,
		kdf: 'hkdf-sha256',
		committing: false,
	},
	{
		id: 0x0146,
		name: 'AES_192_GCM_IV12_TAG16_HKDF_SHA256',
		messageFormatVersion: 1,
		keyBytes: 24,
		kdf: 'hkdf-sha256',
		committing: false,
	},
	{
		id: 0x0178,
		name: 'AES_256_GCM_IV12_TAG16_HKDF_SHA256',
		messageFormatVersion: 1,
		keyBytes: 32,
		kdf: 'hkdf-sha256',
		committing: false,
	},
	{
		id: 0x0214,
		name: 'AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256',
		messageFormatVersion: 1,
		keyBytes: 16,
		kdf: 'hkdf-sha256',
		committing: false,
		signature: P256,
	},
	{
		id: 0x0346,
		name: 'AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384',
		messageFormatVersion: 1,
		keyBytes: 24,
		kdf: 'hkdf-sha384',
		committing: false,
		signature: P384,
	},
	{
		id: 0x0378,
		name: 'AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384',
		messageFormatVersion: 1,
		keyBytes: 32,
		kdf: 'hkdf-sha384',
		committing: false,
		signature: P384,
	},
	{
		id: 0x0478,
		name: 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY',
		messageFormatVersion: 2,
		keyBytes: 32,
		kdf: 'hkdf-sha512',
		committing: true,
	},
	{
		id: 0x0578,
		name: 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
		messageFormatVersion: 2,
		keyBytes: 32,
		kdf: 'hkdf-sha512',
		committing: true,
		signature: P384,
	},
];

export const ESDK_SUITES: ReadonlyMap<number, EsdkSuite> = new Map(
	suites.map((suite) => [suite.id, suite]),
);

/** The SDK's default suite (committing, signed). */
export const ESDK_DEFAULT_SUITE = 0x0578;
/** Committing without a signature. */
export const ESDK_UNSIGNED_SUITE = 0x0478;

/** `0x0578 AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384`, for messages and inspect. */
export function describeSuite(suite: EsdkSuite): string {
	return `${suiteIdHex(suite.id)} ${suite.name}`;
}

export function suiteIdHex(id: number): string {
	return `0x${id.toString(16).padStart(4, '0')}`;
}
