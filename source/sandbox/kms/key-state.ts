/**
 * The key state × operation table of fact sheet §3. Callers resolve the key first, so
 * NotFoundException always precedes these errors.
 */
import {AwsError} from '../context.js';
import type {KmsKey} from './state.js';

/**
 * - crypto: Encrypt, Decrypt, ReEncrypt, GenerateDataKey*
 * - any: DescribeKey, GetKeyPolicy, List*, DeleteAlias
 * - manage: CreateAlias, UpdateAlias (new target), Tag/UntagResource, ScheduleKeyDeletion, and
 *   (from the AWS key-state page, not in §3) UpdateKeyDescription and PutKeyPolicy
 * - enableDisable: EnableKey, DisableKey
 * - rotation: Enable/DisableKeyRotation, RotateKeyOnDemand
 * - rotationStatus: GetKeyRotationStatus
 * - cancelDeletion: CancelKeyDeletion
 */
export type StateRule =
	| 'crypto'
	| 'any'
	| 'manage'
	| 'enableDisable'
	| 'rotation'
	| 'rotationStatus'
	| 'cancelDeletion';

const disabled = (key: KmsKey) => new AwsError('DisabledException', `${key.arn} is disabled.`);
const invalidState = (key: KmsKey, what: string) =>
	new AwsError('KMSInvalidStateException', `${key.arn} is ${what}.`);
const externalOrigin = (key: KmsKey) =>
	new AwsError(
		'UnsupportedOperationException',
		`${key.arn} origin is ${key.origin} which is not valid for this operation.`,
	);

export function checkKeyState(key: KmsKey, rule: StateRule): void {
	const state = key.keyState;
	switch (rule) {
		case 'any':
			return;
		case 'crypto':
			if (state === 'Disabled') throw disabled(key);
			if (state === 'PendingDeletion') throw invalidState(key, 'pending deletion');
			if (state === 'PendingImport') throw invalidState(key, 'pending import');
			return;
		case 'manage':
			if (state === 'PendingDeletion') throw invalidState(key, 'pending deletion');
			return;
		case 'enableDisable':
			if (state === 'PendingDeletion') throw invalidState(key, 'pending deletion');
			if (state === 'PendingImport') throw invalidState(key, 'pending import');
			return;
		case 'rotation':
			if (key.origin !== 'AWS_KMS') throw externalOrigin(key);
			if (state === 'Disabled') throw disabled(key);
			if (state === 'PendingDeletion') throw invalidState(key, 'pending deletion');
			return;
		case 'rotationStatus':
			if (key.origin !== 'AWS_KMS') throw externalOrigin(key);
			return;
		case 'cancelDeletion':
			if (state !== 'PendingDeletion') throw invalidState(key, 'not pending deletion');
			return;
	}
}
