/**
 * AWS::KMS::Key (fact sheet §9), driven through the KMS engine so the key a stack makes is the
 * key `aws kms describe-key` sees. Ref → key ID; GetAtt Arn and KeyId.
 */
import {defaultKeyPolicy} from '../../kms/tags-policy.js';
import {
	checkProperties,
	handlerFailure,
	kmsCall,
	kmsCallUnless,
	type ResourceContext,
	type ResourceType,
	toBoolean,
	toInteger,
} from './common.js';

// Changing these makes the update fail: KMS cannot change them and the handler never replaces a key.
const createOnly = ['KeySpec', 'KeyUsage', 'Origin', 'MultiRegion'] as const;
const defaults: Record<string, unknown> = {
	KeySpec: 'SYMMETRIC_DEFAULT',
	KeyUsage: 'ENCRYPT_DECRYPT',
	Origin: 'AWS_KMS',
	MultiRegion: false,
};

function policyText(rc: ResourceContext, policy: unknown): string {
	if (policy === undefined) {
		return defaultKeyPolicy(rc.ctx.accountId);
	}
	return typeof policy === 'string' ? policy : JSON.stringify(policy);
}

function kmsTags(tags: unknown): Array<{TagKey: string; TagValue: string}> {
	return Array.isArray(tags)
		? tags.map((tag: {Key: string; Value: string}) => ({TagKey: tag.Key, TagValue: tag.Value}))
		: [];
}

function normalised(properties: Record<string, unknown>, name: string): unknown {
	const value = properties[name] ?? defaults[name];
	const asBool = toBoolean(value);
	return asBool ?? value;
}

function rotationPeriod(properties: Record<string, unknown>): number {
	return toInteger(properties.RotationPeriodInDays) ?? 365;
}

export const kmsKey: ResourceType = {
	attributes: ['Arn', 'KeyId'],

	validate(logicalId, properties) {
		checkProperties(
			logicalId,
			properties,
			{
				Description: {type: 'string', min: 0, max: 8192},
				Enabled: {type: 'boolean'},
				EnableKeyRotation: {type: 'boolean'},
				KeyPolicy: {type: 'json'},
				KeySpec: {type: 'string'},
				KeyUsage: {type: 'string'},
				Origin: {type: 'string'},
				MultiRegion: {type: 'boolean'},
				PendingWindowInDays: {type: 'integer', min: 7, max: 30},
				RotationPeriodInDays: {type: 'integer', min: 90, max: 2560},
				BypassPolicyLockoutSafetyCheck: {type: 'boolean'},
				Tags: {type: 'tags'},
			},
			[],
		);
	},

	recreation: () => 'Never',

	create(rc, properties) {
		const input: Record<string, unknown> = {
			Description: properties.Description,
			KeySpec: properties.KeySpec,
			KeyUsage: properties.KeyUsage,
			Origin: properties.Origin,
			MultiRegion: toBoolean(properties.MultiRegion),
			BypassPolicyLockoutSafetyCheck: toBoolean(properties.BypassPolicyLockoutSafetyCheck),
			Policy: properties.KeyPolicy === undefined ? undefined : policyText(rc, properties.KeyPolicy),
			Tags: properties.Tags === undefined ? undefined : kmsTags(properties.Tags),
		};
		const output = kmsCall(rc, 'CreateKey', input);
		const metadata = output.KeyMetadata as {KeyId: string; Arn: string};
		const keyId = metadata.KeyId;
		// A failure after CreateKey leaves a key behind: the physical ID lets the rollback delete it.
		if (toBoolean(properties.EnableKeyRotation) === true) {
			kmsCall(
				rc,
				'EnableKeyRotation',
				{KeyId: keyId, RotationPeriodInDays: rotationPeriod(properties)},
				keyId,
			);
		}
		if (toBoolean(properties.Enabled) === false) {
			kmsCall(rc, 'DisableKey', {KeyId: keyId}, keyId);
		}
		return {physicalId: keyId, attributes: {Arn: metadata.Arn, KeyId: keyId}};
	},

	update(rc, keyId, before, after) {
		for (const name of createOnly) {
			if (JSON.stringify(normalised(before, name)) !== JSON.stringify(normalised(after, name))) {
				throw handlerFailure(
					`Resource of type 'AWS::KMS::Key' with identifier '${keyId}' cannot be updated: ${name} is a create-only property of a KMS key and its change cannot be applied in place.`,
					'NotUpdatable',
				);
			}
		}
		const wasEnabled = toBoolean(before.Enabled) !== false;
		const isEnabled = toBoolean(after.Enabled) !== false;
		if (isEnabled && !wasEnabled) {
			kmsCall(rc, 'EnableKey', {KeyId: keyId});
		}
		if ((before.Description ?? '') !== (after.Description ?? '')) {
			kmsCall(rc, 'UpdateKeyDescription', {KeyId: keyId, Description: after.Description ?? ''});
		}
		if (JSON.stringify(before.KeyPolicy) !== JSON.stringify(after.KeyPolicy)) {
			kmsCall(rc, 'PutKeyPolicy', {
				KeyId: keyId,
				PolicyName: 'default',
				Policy: policyText(rc, after.KeyPolicy),
				BypassPolicyLockoutSafetyCheck: toBoolean(after.BypassPolicyLockoutSafetyCheck),
			});
		}
		const rotationBefore = toBoolean(before.EnableKeyRotation) === true;
		const rotationAfter = toBoolean(after.EnableKeyRotation) === true;
		if (rotationAfter && (!rotationBefore || rotationPeriod(before) !== rotationPeriod(after))) {
			kmsCall(rc, 'EnableKeyRotation', {KeyId: keyId, RotationPeriodInDays: rotationPeriod(after)});
		} else if (!rotationAfter && rotationBefore) {
			kmsCall(rc, 'DisableKeyRotation', {KeyId: keyId});
		}
		if (JSON.stringify(before.Tags ?? []) !== JSON.stringify(after.Tags ?? [])) {
			const kept = new Set(kmsTags(after.Tags).map((tag) => tag.TagKey));
			const removed = kmsTags(before.Tags)
				.map((tag) => tag.TagKey)
				.filter((key) => !kept.has(key));
			if (removed.length > 0) {
				kmsCall(rc, 'UntagResource', {KeyId: keyId, TagKeys: removed});
			}
			if (kept.size > 0) {
				kmsCall(rc, 'TagResource', {KeyId: keyId, Tags: kmsTags(after.Tags)});
			}
		}
		if (!isEnabled && wasEnabled) {
			kmsCall(rc, 'DisableKey', {KeyId: keyId});
		}
		const metadata = kmsCall(rc, 'DescribeKey', {KeyId: keyId}).KeyMetadata as {Arn: string};
		return {Arn: metadata.Arn, KeyId: keyId};
	},

	delete(rc, keyId, properties) {
		// Deleting a key schedules its deletion; a key already pending deletion (or gone) counts as deleted.
		kmsCallUnless(
			rc,
			'ScheduleKeyDeletion',
			{KeyId: keyId, PendingWindowInDays: toInteger(properties.PendingWindowInDays) ?? 30},
			(error) =>
				error.code === 'NotFoundException' ||
				(error.code === 'KMSInvalidStateException' && error.message.includes('pending deletion')),
		);
	},
};
