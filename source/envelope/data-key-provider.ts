/**
 * The envelope engine's only door to KMS. The service layer implements it with GenerateDataKey and
 * Decrypt; tests use an in-memory implementation. The engine makes exactly one call per file.
 */

export type DataKey = {
	readonly plaintext: Buffer;
	readonly ciphertextBlob: Uint8Array;
	readonly keyArn: string;
};

export type DataKeyProvider = {
	/** One GenerateDataKey (AES_256) call. The caller owns `plaintext` and must zero it. */
	generateDataKey(request: {
		keyId: string;
		encryptionContext: Readonly<Record<string, string>>;
		signal?: AbortSignal;
	}): Promise<DataKey>;
	/** One Decrypt call. The caller owns `plaintext` and must zero it. */
	decryptDataKey(request: {
		ciphertextBlob: Uint8Array;
		encryptionContext: Readonly<Record<string, string>>;
		keyArn: string;
		signal?: AbortSignal;
	}): Promise<{plaintext: Buffer; keyArn: string}>;
};
