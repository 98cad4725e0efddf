/** Key lifecycle: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription. */
import {randomUUID} from 'node:crypto';
import {AwsError, type RequestContext} from '../context.js';
import {kmsIndex} from '../store-kms-index.js';
import {newKeyMaterial} from './crypto.js';
import {checkKeyState} from './key-state.js';
import {pageFields, paginate} from './pagination.js';
import {keyArnFor, resolveKey} from './resolve.js';
import {catchUpAfterEnable} from './rotation.js';
import type {KmsKey, KmsState} from './state.js';
import {toWireTime} from './state.js';
import {checkPolicyLockout, defaultKeyPolicy, readPolicy, readTags} from './tags-policy.js';
import {
	type Input,
	optionalBoolean,
	optionalEnum,
	optionalString,
	requiredKeyId,
	requiredString,
} from './validation.js';

// Enum value sets from the KMS model, so that a typo is a ValidationException, and only then is
// a real-but-unsupported value an UnsupportedOperationException.
const keyUsages = [
	'SIGN_VERIFY',
	'ENCRYPT_DECRYPT',
	'GENERATE_VERIFY_MAC',
	'KEY_AGREEMENT',
] as const;
const keySpecs = [
	'RSA_2048',
	'RSA_3072',
	'RSA_4096',
	'ECC_NIST_P256',
	'ECC_NIST_P384',
	'ECC_NIST_P521',
	'ECC_SECG_P256K1',
	'SYMMETRIC_DEFAULT',
	'HMAC_224',
	'HMAC_256',
	'HMAC_384',
	'HMAC_512',
	'SM2',
	'ML_DSA_44',
	'ML_DSA_65',
	'ML_DSA_87',
	'ECC_NIST_EDWARDS25519',
] as const;
const origins = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
const maxKeys = 100_000;

function unsupported(what: string): AwsError {
	return new AwsError(
		'UnsupportedOperationException',
		`${what} is not supported by the kms-tui sandbox, which only creates symmetric keys (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT, Origin AWS_KMS, single-Region). Use real AWS for this key type.`,
	);
}

export function keyMetadata(key: KmsKey): Record<string, unknown> {
	const current = key.materials.at(-1);
	return {
		AWSAccountId: key.accountId,
		KeyId: key.keyId,
		Arn: key.arn,
		CreationDate: toWireTime(key.creationDate),
		Enabled: key.keyState === 'Enabled',
		Description: key.description,
		KeyUsage: key.keyUsage,
		KeyState: key.keyState,
		...(key.keyState === 'PendingDeletion' && key.deletionDate !== null
			? {DeletionDate: toWireTime(key.deletionDate)}
			: {}),
		Origin: key.origin,
		KeyManager: 'CUSTOMER',
		KeySpec: key.keySpec,
		CustomerMasterKeySpec: key.keySpec,
		EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
		MultiRegion: false,
		...(current ? {CurrentKeyMaterialId: current.id} : {}),
	};
}

export function createKey(state: KmsState, ctx: RequestContext, input: Input) {
	const policy = readPolicy(input, false);
	const description = optionalString(input, 'Description', {min: 0, max: 8192}) ?? '';
	const keyUsage = optionalEnum(input, 'KeyUsage', keyUsages) ?? 'ENCRYPT_DECRYPT';
	const customerMasterKeySpec = optionalEnum(input, 'CustomerMasterKeySpec', keySpecs);
	const keySpec =
		optionalEnum(input, 'KeySpec', keySpecs) ?? customerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
	const origin = optionalEnum(input, 'Origin', origins) ?? 'AWS_KMS';
	const multiRegion = optionalBoolean(input, 'MultiRegion') ?? false;
	optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck');
	const customKeyStoreId = optionalString(input, 'CustomKeyStoreId', {min: 1, max: 64});
	const xksKeyId = optionalString(input, 'XksKeyId', {min: 1, max: 128});
	const tags = readTags(input, false);

	if (customerMasterKeySpec !== undefined && input.KeySpec !== undefined) {
		throw new AwsError(
			'ValidationException',
			'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated. Use KeySpec parameter instead.',
		);
	}
	if (keySpec !== 'SYMMETRIC_DEFAULT') {
		throw unsupported(`KeySpec ${keySpec}`);
	}
	if (keyUsage !== 'ENCRYPT_DECRYPT') {
		throw unsupported(`KeyUsage ${keyUsage}`);
	}
	if (origin !== 'AWS_KMS') {
		throw unsupported(`Origin ${origin}`);
	}
	if (multiRegion) {
		throw unsupported('MultiRegion true');
	}
	if (customKeyStoreId !== undefined || xksKeyId !== undefined) {
		throw unsupported('A custom key store');
	}
	if (policy !== undefined) checkPolicyLockout(ctx, policy, input);
	if ((kmsIndex(state)?.keyCount ?? Object.keys(state.keys).length) >= maxKeys) {
		throw new AwsError(
			'LimitExceededException',
			`The number of KMS keys in account ${ctx.accountId} and Region ${ctx.region} would exceed the quota of ${maxKeys}.`,
		);
	}

	const keyId = randomUUID();
	const key: KmsKey = {
		keyId,
		arn: keyArnFor(ctx, keyId),
		accountId: ctx.accountId,
		seq: state.nextSeq,
		creationDate: ctx.now,
		description,
		keyUsage,
		keySpec,
		origin,
		keyState: 'Enabled',
		deletionDate: null,
		pendingWindowInDays: null,
		policy: policy ?? defaultKeyPolicy(ctx.accountId),
		materials: [newKeyMaterial(ctx.now)],
		rotationEnabled: false,
		rotationPeriodInDays: 365,
		rotationAnchor: null,
		rotations: [],
		onDemandRotationCount: 0,
		tags,
	};
	state.nextSeq += 1;
	state.keys[keyId] = key;
	return {KeyMetadata: keyMetadata(key)};
}

export function describeKey(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'keyOrAlias');
	return {KeyMetadata: keyMetadata(key)};
}

export function listKeys(state: KmsState, _ctx: RequestContext, input: Input) {
	// The store's index holds the order; only the page's keys are read.
	const order =
		kmsIndex(state)?.keysBySeq ??
		Object.values(state.keys)
			.sort((a, b) => a.seq - b.seq)
			.map((key) => ({seq: key.seq, keyId: key.keyId}));
	const page = paginate(input, {
		list: 'keys',
		items: order,
		sortKey: (entry) => entry.seq,
		keyKind: 'number',
		maxLimit: 1000,
		defaultLimit: 100,
	});
	return {
		Keys: page.items.map(({keyId}) => ({KeyId: keyId, KeyArn: (state.keys[keyId] as KmsKey).arn})),
		...pageFields(page),
	};
}

export function enableKey(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	checkKeyState(key, 'enableDisable');
	if (key.keyState !== 'Enabled') {
		key.keyState = 'Enabled';
		catchUpAfterEnable(key, ctx.now);
	}
	return {};
}

export function disableKey(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	checkKeyState(key, 'enableDisable');
	key.keyState = 'Disabled';
	return {};
}

export function updateKeyDescription(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const description = requiredString(input, 'Description', {min: 0, max: 8192});
	checkKeyState(key, 'manage');
	key.description = description;
	return {};
}
