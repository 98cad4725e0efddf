/**
 * The KMS engine of the embedded sandbox: pure functions over one Region's KmsState.
 * The server runs `tickKms` then `handleKms` inside one locked transaction per request; the
 * CloudFormation engine calls `handleKms` with AWS-shaped inputs. The engine never reads the
 * wall clock: `ctx.now` is the sandbox clock, which `sandbox advance` can move days ahead.
 */
import {AwsError, type RequestContext} from '../context.js';
import {kmsIndex} from '../store-kms-index.js';
import {createAlias, deleteAlias, listAliases, updateAlias} from './aliases.js';
import {
	decrypt,
	encrypt,
	generateDataKey,
	generateDataKeyWithoutPlaintext,
	reEncrypt,
} from './data-ops.js';
import {cancelKeyDeletion, scheduleKeyDeletion, tickDeletion} from './deletion.js';
import {
	createKey,
	describeKey,
	disableKey,
	enableKey,
	listKeys,
	updateKeyDescription,
} from './keys.js';
import {getKeyLastUsage} from './last-usage.js';
import {
	disableKeyRotation,
	enableKeyRotation,
	getKeyRotationStatus,
	listKeyRotations,
	rotateKeyOnDemand,
	tickRotation,
} from './rotation.js';
import {type KmsState, normaliseKmsState} from './state.js';
import {
	getKeyPolicy,
	listResourceTags,
	putKeyPolicy,
	tagResource,
	untagResource,
} from './tags-policy.js';
import {asInput, type Input} from './validation.js';

export {noteKeyUse, startUsageTracking} from './last-usage.js';
export type {KmsState} from './state.js';
export {emptyKmsState} from './state.js';

type Handler = (state: KmsState, ctx: RequestContext, input: Input) => Record<string, unknown>;

const handlers: Record<string, Handler> = {
	CreateKey: createKey,
	DescribeKey: describeKey,
	ListKeys: listKeys,
	EnableKey: enableKey,
	DisableKey: disableKey,
	UpdateKeyDescription: updateKeyDescription,
	GenerateDataKey: generateDataKey,
	GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
	Encrypt: encrypt,
	Decrypt: decrypt,
	ReEncrypt: reEncrypt,
	CreateAlias: createAlias,
	UpdateAlias: updateAlias,
	DeleteAlias: deleteAlias,
	ListAliases: listAliases,
	EnableKeyRotation: enableKeyRotation,
	DisableKeyRotation: disableKeyRotation,
	GetKeyRotationStatus: getKeyRotationStatus,
	RotateKeyOnDemand: rotateKeyOnDemand,
	ListKeyRotations: listKeyRotations,
	ScheduleKeyDeletion: scheduleKeyDeletion,
	CancelKeyDeletion: cancelKeyDeletion,
	GetKeyPolicy: getKeyPolicy,
	PutKeyPolicy: putKeyPolicy,
	TagResource: tagResource,
	UntagResource: untagResource,
	ListResourceTags: listResourceTags,
	GetKeyLastUsage: getKeyLastUsage,
};

/** The operations the engine implements, e.g. for the server's diagnostics. */
export const kmsOperations: readonly string[] = Object.keys(handlers);

/** Applies the passage of time: ends waiting periods, then performs due automatic rotations. */
export function tickKms(state: KmsState, ctx: RequestContext): void {
	normaliseKmsState(state);
	// Store-managed state knows when the next deletion or rotation falls due: no scan before.
	const index = kmsIndex(state);
	if (index && index.dueAt > ctx.now) return;
	tickDeletion(state, ctx.now);
	for (const key of Object.values(state.keys)) {
		tickRotation(key, ctx.now);
	}
	index?.rescanDue();
}

/**
 * Runs one operation, mutating `state`, and returns the awsJson1_1 response body (blobs base64,
 * timestamps epoch seconds). Every failure is an AwsError.
 */
export function handleKms(
	state: KmsState,
	ctx: RequestContext,
	operation: string,
	input: unknown,
): Record<string, unknown> {
	normaliseKmsState(state);
	const handler = Object.hasOwn(handlers, operation) ? handlers[operation] : undefined;
	if (!handler) {
		throw new AwsError('UnknownOperationException', '', 400);
	}
	return handler(state, ctx, asInput(input));
}
