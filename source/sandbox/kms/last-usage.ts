/**
 * GetKeyLastUsage: the last successful cryptographic operation of a key, as KMS reports it
 * (`{KeyId, KeyLastUsage: {Operation, Timestamp, CloudTrailEventId, KmsRequestId} | {},
 * TrackingStartDate, KeyCreationDate}`). The server notes each use in the transaction of the
 * request itself (`noteKeyUse`, O(1): one small entity per key), so the answer survives the
 * 90 days the CloudTrail-style events are kept, as KMS's own tracking does.
 */
import {cryptographicOperations} from '../../kms-operations.js';
import type {RequestContext} from '../context.js';
import {ownEntry} from '../context.js';
import {resolveKey} from './resolve.js';
import {type KmsState, toWireTime} from './state.js';
import {type Input, requiredKeyId} from './validation.js';

/** The operations KMS tracks (the SDK model's KeyLastUsageTrackingOperation). */
export const trackedOperations = cryptographicOperations;

/** The first request a tracking build answers in a Region starts the tracking there. */
export function startUsageTracking(state: KmsState, now: number): void {
	if (state.usageTrackingSince === undefined) state.usageTrackingSince = now;
}

/** Records a successful use of each of `keyIds` by a tracked operation. */
export function noteKeyUse(
	state: KmsState,
	keyIds: readonly string[],
	use: {operation: string; timestamp: number; eventId: string; requestId: string},
): void {
	if (!trackedOperations.has(use.operation)) return;
	state.keyUsage ??= {};
	for (const keyId of keyIds) {
		if (!ownEntry(state.keys, keyId)) continue;
		// Defined, not assigned: the id came from the state, but stay safe with any name.
		Object.defineProperty(state.keyUsage, keyId, {
			value: {
				operation: use.operation,
				timestamp: use.timestamp,
				cloudTrailEventId: use.eventId,
				kmsRequestId: use.requestId,
			},
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
}

export function getKeyLastUsage(state: KmsState, ctx: RequestContext, input: Input) {
	// Key ID or key ARN only: the model says alias names are not supported.
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const usage = state.keyUsage ? ownEntry(state.keyUsage, key.keyId) : undefined;
	// Not yet set on the Region's very first request: it starts with this one (whole seconds, as
	// the server records it after this handler).
	const trackingSince = state.usageTrackingSince ?? Math.floor(ctx.now / 1000) * 1000;
	const trackingStart = Math.max(key.creationDate, trackingSince);
	return {
		KeyId: key.keyId,
		KeyLastUsage: usage
			? {
					Operation: usage.operation,
					Timestamp: toWireTime(usage.timestamp),
					CloudTrailEventId: usage.cloudTrailEventId,
					KmsRequestId: usage.kmsRequestId,
				}
			: {},
		TrackingStartDate: toWireTime(trackingStart),
		KeyCreationDate: toWireTime(key.creationDate),
	};
}
