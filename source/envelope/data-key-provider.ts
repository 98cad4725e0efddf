/**
 * The envelope engine's only door to KMS. The service layer implements it with GenerateDataKey,
 * Encrypt and Decrypt; tests use an in-memory implementation. Encrypting a file makes one
 * GenerateDataKey call plus one Encrypt per extra key; decrypting makes one Decrypt per wrapped key
 * tried (wrapped-keys.ts); re-wrapping (rewrap.ts) one ReEncrypt per new wrapped key.
 *
 * `keyMaterialId` is KMS's id of the key material that made or opened a wrapped key (it changes
 * with each rotation); an endpoint that does not report it (KMS Encrypt never does, moto never)
 * leaves it out.
 */

export type DataKey = {
	readonly plaintext: Buffer;
	readonly ciphertextBlob: Uint8Array;
	readonly keyArn: string;
	readonly keyMaterialId?: string;
};

export type DataKeyProvider = {
	/** One GenerateDataKey (AES_256) call. The caller owns `plaintext` and must zero it. */
	generateDataKey(request: {
		keyId: string;
		encryptionContext: Readonly<Record<string, string>>;
		signal?: AbortSignal;
	}): Promise<DataKey>;
	/**
	 * One KMS Encrypt of an existing data key under another key (what the AWS Encryption SDK does
	 * for every key after the first). `plaintext` stays the caller's: it is neither kept nor zeroed.
	 */
	encryptDataKey(request: {
		plaintext: Buffer;
		keyId: string;
		encryptionContext: Readonly<Record<string, string>>;
		signal?: AbortSignal;
	}): Promise<{ciphertextBlob: Uint8Array; keyArn: string}>;
	/** One Decrypt call. The caller owns `plaintext` and must zero it. */
	decryptDataKey(request: {
		ciphertextBlob: Uint8Array;
		encryptionContext: Readonly<Record<string, string>>;
		keyArn: string;
		signal?: AbortSignal;
	}): Promise<{plaintext: Buffer; keyArn: string; keyMaterialId?: string}>;
	/**
	 * One ReEncrypt: the data key inside `ciphertextBlob` wrapped under `destinationKeyId` (the same
	 * key: under its current key material) without its plaintext leaving KMS. Exactly the shape of
	 * KeyService.reEncryptDataKey.
	 */
	reEncryptDataKey(request: {
		ciphertextBlob: Uint8Array;
		sourceKeyArn: string;
		destinationKeyId: string;
		sourceEncryptionContext: Readonly<Record<string, string>>;
		/** @default the source context */
		destinationEncryptionContext?: Readonly<Record<string, string>>;
		signal?: AbortSignal;
	}): Promise<{
		ciphertextBlob: Uint8Array;
		keyArn: string;
		sourceKeyArn: string;
		keyMaterialId?: string;
		sourceKeyMaterialId?: string;
	}>;
};
