/** ScheduleKeyDeletion, CancelKeyDeletion, and the real deletion that tickKms performs. */
import type {RequestContext} from '../context.js';
import {kmsIndex} from '../store-kms-index.js';
import {checkKeyState} from './key-state.js';
import {resolveKey} from './resolve.js';
import {dayMs, type KmsKey, type KmsState, toWireTime} from './state.js';
import {type Input, optionalInteger, requiredKeyId} from './validation.js';

export function scheduleKeyDeletion(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const days = optionalInteger(input, 'PendingWindowInDays', {min: 7, max: 30}) ?? 30;
	checkKeyState(key, 'manage');
	key.keyState = 'PendingDeletion';
	key.deletionDate = ctx.now + days * dayMs;
	key.pendingWindowInDays = days;
	return {
		KeyId: key.arn,
		DeletionDate: toWireTime(key.deletionDate),
		KeyState: 'PendingDeletion',
		PendingWindowInDays: days,
	};
}

export function cancelKeyDeletion(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	checkKeyState(key, 'cancelDeletion');
	// KMS leaves a rescued key Disabled, whatever its state before the deletion was scheduled.
	key.keyState = 'Disabled';
	key.deletionDate = null;
	key.pendingWindowInDays = null;
	return {KeyId: key.arn};
}

/** When tickDeletion next has work for this key (Infinity: not pending deletion). */
export function deletionDueAt(key: KmsKey): number {
	return key.keyState === 'PendingDeletion' && key.deletionDate !== null
		? key.deletionDate
		: Number.POSITIVE_INFINITY;
}

/**
 * Keys whose waiting period has ended are gone for good: the key, its material (so its blobs no
 * longer decrypt) and every alias that pointed at it.
 */
export function tickDeletion(state: KmsState, now: number): void {
	const index = kmsIndex(state);
	for (const key of Object.values(state.keys)) {
		if (
			key.keyState === 'PendingDeletion' &&
			key.deletionDate !== null &&
			key.deletionDate <= now
		) {
			delete state.keys[key.keyId];
			// The store's index knows the key's aliases: no scan of every alias per deleted key.
			const names =
				index?.sortedAliasNames(key.keyId) ??
				Object.values(state.aliases)
					.filter((alias) => alias.targetKeyId === key.keyId)
					.map((alias) => alias.aliasName);
			for (const name of [...names]) delete state.aliases[name];
		}
	}
}
