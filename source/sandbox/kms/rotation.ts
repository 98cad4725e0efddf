/**
 * Key rotation: Enable/DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
 * ListKeyRotations, and the automatic schedule that tickKms applies as the clock moves.
 *
 * Each rotation appends new key material; nothing is removed, so every older blob still decrypts.
 */
import {AwsError, type RequestContext} from '../context.js';
import {newKeyMaterial} from './crypto.js';
import {checkKeyState} from './key-state.js';
import {pageFields, paginate} from './pagination.js';
import {resolveKey} from './resolve.js';
import {dayMs, type KmsKey, type KmsRotationType, type KmsState, toWireTime} from './state.js';
import {type Input, optionalEnum, optionalInteger, requiredKeyId} from './validation.js';

const maxOnDemandRotations = 25;
/** KMS refuses an on-demand rotation while an automatic one is due this soon (ConflictException). */
const conflictWindowMs = 20 * 60 * 1000;
/**
 * The most automatic rotations one catch-up records per key. The clock moves at most 100 years
 * and periods are at least 90 days, so at most 406 are ever due; the bound only matters for a
 * hand-edited state file, and keeps the work of one request bounded whatever it holds.
 */
const maxCatchUpRotations = 1000;

function rotate(key: KmsKey, at: number, rotationType: KmsRotationType): void {
	const material = newKeyMaterial(at);
	key.materials.push(material);
	key.rotations.push({keyMaterialId: material.id, rotationDate: at, rotationType});
}

function nextRotationDate(key: KmsKey): number | null {
	return key.rotationEnabled && key.rotationAnchor !== null
		? key.rotationAnchor + key.rotationPeriodInDays * dayMs
		: null;
}

/**
 * When tickRotation next has work for this key (Infinity: none scheduled), by its own conditions:
 * what lets the store's index skip the scan of every key until then.
 */
export function rotationDueAt(key: KmsKey): number {
	const next = nextRotationDate(key);
	return key.keyState !== 'Enabled' ||
		key.origin !== 'AWS_KMS' ||
		next === null ||
		!(key.rotationPeriodInDays * dayMs > 0)
		? Number.POSITIVE_INFINITY
		: next;
}

/**
 * Performs every automatic rotation that fell due while the key was Enabled, each with its own
 * RotationDate. Disabled and PendingDeletion keys are not rotated (see catchUpAfterEnable).
 * How many are due is computed, not found by stepping through the schedule, and the schedule
 * always moves to the last due date, so no later request inherits work left over.
 */
export function tickRotation(key: KmsKey, now: number): void {
	const next = nextRotationDate(key);
	if (key.keyState !== 'Enabled' || key.origin !== 'AWS_KMS' || next === null || next > now) {
		return;
	}
	const periodMs = key.rotationPeriodInDays * dayMs;
	if (!(periodMs > 0)) return; // only a hand-edited state file gets here
	const due = Math.floor((now - next) / periodMs) + 1;
	// Rotations beyond the bound would each be superseded at once: keep only the latest ones.
	for (let index = Math.max(0, due - maxCatchUpRotations); index < due; index++) {
		rotate(key, next + index * periodMs, 'AUTOMATIC');
	}
	key.rotationAnchor = next + (due - 1) * periodMs;
}

/**
 * A key that was disabled (or pending deletion) when its rotation fell due was skipped; KMS
 * rotates it once when it is enabled again and schedules the next rotation from then.
 */
export function catchUpAfterEnable(key: KmsKey, now: number): void {
	const due = nextRotationDate(key);
	if (due !== null && due <= now) {
		rotate(key, now, 'AUTOMATIC');
		key.rotationAnchor = now;
	}
}

export function enableKeyRotation(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const period = optionalInteger(input, 'RotationPeriodInDays', {min: 90, max: 2560}) ?? 365;
	checkKeyState(key, 'rotation');
	if (!key.rotationEnabled) {
		key.rotationEnabled = true;
		key.rotationAnchor = ctx.now;
	}
	// Called again on an enabled key: only the period changes; the schedule still counts from
	// the enable time or the last automatic rotation. If that is already past, tickKms rotates
	// on the next request.
	key.rotationPeriodInDays = period;
	return {};
}

export function disableKeyRotation(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	checkKeyState(key, 'rotation');
	key.rotationEnabled = false;
	key.rotationAnchor = null;
	return {};
}

export function getKeyRotationStatus(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	checkKeyState(key, 'rotationStatus');
	const next = nextRotationDate(key);
	// A key pending deletion reports false; its setting comes back if the deletion is cancelled.
	if (key.keyState === 'PendingDeletion' || next === null) {
		return {KeyRotationEnabled: false, KeyId: key.arn};
	}
	return {
		KeyRotationEnabled: true,
		KeyId: key.arn,
		RotationPeriodInDays: key.rotationPeriodInDays,
		NextRotationDate: toWireTime(next),
	};
}

export function rotateKeyOnDemand(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	checkKeyState(key, 'rotation');
	if (key.onDemandRotationCount >= maxOnDemandRotations) {
		throw new AwsError(
			'LimitExceededException',
			`The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
		);
	}
	const next = nextRotationDate(key);
	if (next !== null && next - ctx.now <= conflictWindowMs) {
		throw new AwsError(
			'ConflictException',
			`An automatic rotation of ${key.arn} is scheduled within the next 20 minutes. Try again after it completes.`,
		);
	}
	// The sandbox rotates at once, so OnDemandRotationStartDate is never reported.
	rotate(key, ctx.now, 'ON_DEMAND');
	key.onDemandRotationCount += 1;
	return {KeyId: key.arn};
}

export function listKeyRotations(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const include =
		optionalEnum(input, 'IncludeKeyMaterial', ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const) ??
		'ROTATIONS_ONLY';
	checkKeyState(key, 'rotationStatus');
	const current = key.materials.at(-1)?.id;
	const first = key.materials[0];
	// ALL_KEY_MATERIAL adds the key's original material, which no rotation produced.
	const entries = [
		...(include === 'ALL_KEY_MATERIAL' && first
			? [{keyMaterialId: first.id, rotationDate: undefined, rotationType: undefined}]
			: []),
		...key.rotations,
	].map((entry, index) => ({index, entry}));
	const page = paginate(input, {
		list: 'rotations',
		items: entries,
		sortKey: (item) => item.index,
		keyKind: 'number',
		maxLimit: 1000,
		defaultLimit: 100,
	});
	return {
		Rotations: page.items.map(({entry}) => ({
			KeyId: key.keyId,
			KeyMaterialId: entry.keyMaterialId,
			KeyMaterialState: entry.keyMaterialId === current ? 'CURRENT' : 'NON_CURRENT',
			...(entry.rotationDate === undefined ? {} : {RotationDate: toWireTime(entry.rotationDate)}),
			...(entry.rotationType === undefined ? {} : {RotationType: entry.rotationType}),
		})),
		...pageFields(page),
	};
}
