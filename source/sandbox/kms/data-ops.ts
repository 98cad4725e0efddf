/** Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext. */
import {randomBytes} from 'node:crypto';
import {AwsError, ownEntry, type RequestContext} from '../context.js';
import {openBlob, parseBlob, sealBlob} from './crypto.js';
import {checkKeyState} from './key-state.js';
import {resolveKey} from './resolve.js';
import type {KmsKey, KmsState} from './state.js';
import {
	encryptionContext,
	type Input,
	keyIdRule,
	optionalBoolean,
	optionalEnum,
	optionalInteger,
	optionalString,
	requiredBlob,
	requiredKeyId,
} from './validation.js';

const encryptionAlgorithms = [
	'SYMMETRIC_DEFAULT',
	'RSAES_OAEP_SHA_1',
	'RSAES_OAEP_SHA_256',
	'SM2PKE',
] as const;
const maxCiphertext = 6144;

function invalidCiphertext(): AwsError {
	// KMS says nothing about why: tampering, a wrong context and a foreign blob look the same.
	return new AwsError('InvalidCiphertextException', '');
}

function readAlgorithm(input: Input, field: string): void {
	const algorithm = optionalEnum(input, field, encryptionAlgorithms);
	if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
		throw new AwsError(
			'InvalidKeyUsageException',
			`The encryption algorithm ${algorithm} is not valid for a SYMMETRIC_DEFAULT key.`,
		);
	}
}

function checkDryRun(input: Input): void {
	if (optionalBoolean(input, 'DryRun') === true) {
		throw new AwsError(
			'DryRunOperationException',
			'The request would have succeeded, but the DryRun option is set.',
		);
	}
}

function currentMaterial(key: KmsKey) {
	const material = key.materials.at(-1);
	if (!material) {
		throw new AwsError('KMSInternalException', `${key.arn} has no key material.`, 500);
	}
	return material;
}

/**
 * The shared first half of Decrypt and ReEncrypt. An explicit KeyId is resolved first (so an
 * unknown one is NotFound), then must name the key the blob was made under (IncorrectKey).
 */
function decryptBlob(
	state: KmsState,
	ctx: RequestContext,
	blob: Buffer,
	context: Record<string, string>,
	requestedKeyId: string | undefined,
) {
	const requested =
		requestedKeyId === undefined ? undefined : resolveKey(state, ctx, requestedKeyId, 'keyOrAlias');
	const parsed = parseBlob(blob);
	if (!parsed) {
		throw invalidCiphertext();
	}
	if (requested && requested.keyId !== parsed.keyId) {
		throw new AwsError(
			'IncorrectKeyException',
			'The key ID in the request does not identify a CMK that can perform this operation.',
		);
	}
	// A blob naming a key that never existed here, or has been deleted, is undecryptable.
	const key = ownEntry(state.keys, parsed.keyId);
	if (!key) {
		throw invalidCiphertext();
	}
	checkKeyState(key, 'crypto');
	const material = key.materials.find((candidate) => candidate.id === parsed.keyMaterialId);
	if (!material) {
		throw invalidCiphertext();
	}
	const plaintext = openBlob(parsed, material, context);
	if (!plaintext) {
		throw invalidCiphertext();
	}
	return {key, material, plaintext};
}

export function encrypt(state: KmsState, ctx: RequestContext, input: Input) {
	const keyId = requiredKeyId(input);
	const plaintext = requiredBlob(input, 'Plaintext', {min: 1, max: 4096});
	const context = encryptionContext(input, 'EncryptionContext');
	readAlgorithm(input, 'EncryptionAlgorithm');
	const key = resolveKey(state, ctx, keyId, 'keyOrAlias');
	checkKeyState(key, 'crypto');
	checkDryRun(input);
	const blob = sealBlob(key.keyId, currentMaterial(key), plaintext, context);
	return {
		CiphertextBlob: blob.toString('base64'),
		KeyId: key.arn,
		EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
	};
}

export function decrypt(state: KmsState, ctx: RequestContext, input: Input) {
	const blob = requiredBlob(input, 'CiphertextBlob', {min: 1, max: maxCiphertext});
	const context = encryptionContext(input, 'EncryptionContext');
	const keyId = optionalString(input, 'KeyId', keyIdRule);
	readAlgorithm(input, 'EncryptionAlgorithm');
	const {key, material, plaintext} = decryptBlob(state, ctx, blob, context, keyId);
	checkDryRun(input);
	// As GenerateDataKey does: the decrypted key is zeroed once encoded (the string cannot be).
	const encoded = plaintext.toString('base64');
	plaintext.fill(0);
	return {
		KeyId: key.arn,
		Plaintext: encoded,
		EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
		KeyMaterialId: material.id,
	};
}

export function reEncrypt(state: KmsState, ctx: RequestContext, input: Input) {
	const blob = requiredBlob(input, 'CiphertextBlob', {min: 1, max: maxCiphertext});
	const sourceContext = encryptionContext(input, 'SourceEncryptionContext');
	const sourceKeyId = optionalString(input, 'SourceKeyId', keyIdRule);
	const destinationKeyId = requiredKeyId(input, 'DestinationKeyId');
	const destinationContext = encryptionContext(input, 'DestinationEncryptionContext');
	readAlgorithm(input, 'SourceEncryptionAlgorithm');
	readAlgorithm(input, 'DestinationEncryptionAlgorithm');
	// Resolve the destination up front so an unknown one is NotFound before any state error.
	const destination = resolveKey(state, ctx, destinationKeyId, 'keyOrAlias');
	const source = decryptBlob(state, ctx, blob, sourceContext, sourceKeyId);
	checkKeyState(destination, 'crypto');
	checkDryRun(input);
	const material = currentMaterial(destination);
	const sealed = sealBlob(destination.keyId, material, source.plaintext, destinationContext);
	source.plaintext.fill(0);
	return {
		CiphertextBlob: sealed.toString('base64'),
		SourceKeyId: source.key.arn,
		KeyId: destination.arn,
		SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
		DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
		SourceKeyMaterialId: source.material.id,
		DestinationKeyMaterialId: material.id,
	};
}

/** Exactly one of NumberOfBytes (1–1024) and KeySpec (AES_256 | AES_128). */
function dataKeyLength(input: Input): number {
	const numberOfBytes = optionalInteger(input, 'NumberOfBytes', {min: 1, max: 1024});
	const keySpec = optionalEnum(input, 'KeySpec', ['AES_256', 'AES_128'] as const);
	if ((numberOfBytes === undefined) === (keySpec === undefined)) {
		// Unverified against AWS (fact sheet §11); this is the wording emulators use.
		throw new AwsError('ValidationException', 'Please specify either number of bytes or key spec.');
	}
	return numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32);
}

function generateDataKeyCommon(state: KmsState, ctx: RequestContext, input: Input) {
	const keyId = requiredKeyId(input);
	const context = encryptionContext(input, 'EncryptionContext');
	const length = dataKeyLength(input);
	if (input.Recipient !== undefined && input.Recipient !== null) {
		throw new AwsError(
			'UnsupportedOperationException',
			'Recipient (Nitro Enclaves attestation) is not supported by the kms-tui sandbox.',
		);
	}
	const key = resolveKey(state, ctx, keyId, 'keyOrAlias');
	checkKeyState(key, 'crypto');
	checkDryRun(input);
	const material = currentMaterial(key);
	const plaintext = randomBytes(length);
	const blob = sealBlob(key.keyId, material, plaintext, context);
	return {key, material, plaintext, blob};
}

export function generateDataKey(state: KmsState, ctx: RequestContext, input: Input) {
	const {key, material, plaintext, blob} = generateDataKeyCommon(state, ctx, input);
	const encoded = plaintext.toString('base64');
	plaintext.fill(0);
	return {
		CiphertextBlob: blob.toString('base64'),
		Plaintext: encoded,
		KeyId: key.arn,
		KeyMaterialId: material.id,
	};
}

export function generateDataKeyWithoutPlaintext(
	state: KmsState,
	ctx: RequestContext,
	input: Input,
) {
	const {key, material, plaintext, blob} = generateDataKeyCommon(state, ctx, input);
	plaintext.fill(0);
	return {CiphertextBlob: blob.toString('base64'), KeyId: key.arn, KeyMaterialId: material.id};
}
