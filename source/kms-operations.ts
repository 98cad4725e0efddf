/**
 * KMS's cryptographic operations: the ones GetKeyLastUsage tracks (the SDK model's
 * KeyLastUsageTrackingOperation), as against reading or managing a key. Pure and dependency-free:
 * the sandbox tracks these, and the Activity screen filters its events by them.
 */
export const cryptographicOperations: ReadonlySet<string> = new Set([
	'Decrypt',
	'DeriveSharedSecret',
	'Encrypt',
	'GenerateDataKey',
	'GenerateDataKeyPair',
	'GenerateDataKeyPairWithoutPlaintext',
	'GenerateDataKeyWithoutPlaintext',
	'GenerateMac',
	'ReEncrypt',
	'Sign',
	'Verify',
	'VerifyMac',
	'Encapsulate',
	'Decapsulate',
]);
