/**
 * The engine's own contract, called directly: the wire shapes handleKms returns, a state that
 * survives a JSON round trip (the store writes it to disk), and tickKms driven by an explicit clock.
 */
import {describe, expect, test} from 'vitest';
import {AwsError, type RequestContext} from '../../source/sandbox/context.js';
import {emptyKmsState, handleKms, type KmsState, tickKms} from '../../source/sandbox/kms/index.js';

const day = 86_400_000;
const start = Date.UTC(2030, 0, 1);

function context(now: number, region = 'eu-west-1'): RequestContext {
	return {region, accountId: '000000000000', now, requestId: 'test', stackStepMs: 0};
}

function call(state: KmsState, ctx: RequestContext, operation: string, input: unknown = {}) {
	tickKms(state, ctx);
	return handleKms(state, ctx, operation, input);
}

function createKey(state: KmsState, ctx: RequestContext) {
	const {KeyMetadata} = call(state, ctx, 'CreateKey', {}) as {
		KeyMetadata: {KeyId: string; Arn: string};
	};
	return KeyMetadata;
}

describe('handleKms', () => {
	test('an unknown operation is UnknownOperationException with an empty message', () => {
		const state = emptyKmsState();
		expect(() => handleKms(state, context(start), 'MakeCoffee', {})).toThrow(AwsError);
		try {
			handleKms(state, context(start), 'MakeCoffee', {});
		} catch (error) {
			expect(error).toMatchObject({code: 'UnknownOperationException', message: '', status: 400});
		}
	});

	test('timestamps are epoch seconds and blobs base64 strings', () => {
		const state = emptyKmsState();
		const ctx = context(start + 1500);
		const key = createKey(state, ctx);
		const metadata = (
			call(state, ctx, 'DescribeKey', {KeyId: key.KeyId}) as {KeyMetadata: Record<string, unknown>}
		).KeyMetadata;
		expect(metadata.CreationDate).toBe((start + 1500) / 1000);
		const encrypted = call(state, ctx, 'Encrypt', {
			KeyId: key.KeyId,
			Plaintext: Buffer.from('hi').toString('base64'),
		});
		expect(typeof encrypted.CiphertextBlob).toBe('string');
		expect(key.Arn).toBe(`arn:aws:kms:eu-west-1:000000000000:key/${key.KeyId}`);
	});

	test('state is plain JSON: a reloaded copy still decrypts', () => {
		const state = emptyKmsState();
		const ctx = context(start);
		const key = createKey(state, ctx);
		const {CiphertextBlob} = call(state, ctx, 'Encrypt', {
			KeyId: key.KeyId,
			Plaintext: Buffer.from('persisted').toString('base64'),
			EncryptionContext: {a: 'b'},
		});
		const reloaded = JSON.parse(JSON.stringify(state)) as KmsState;
		expect(reloaded).toEqual(state);
		const decrypted = call(reloaded, ctx, 'Decrypt', {CiphertextBlob, EncryptionContext: {a: 'b'}});
		expect(Buffer.from(decrypted.Plaintext as string, 'base64').toString()).toBe('persisted');
	});

	test('a state written by the placeholder engine ({}) is accepted', () => {
		const state = {} as KmsState;
		expect(call(state, context(start), 'ListKeys')).toEqual({Keys: [], Truncated: false});
	});

	test('an ARN for another Region is "Invalid arn <region>"', () => {
		const state = emptyKmsState();
		const key = createKey(state, context(start));
		expect(() => call(state, context(start, 'us-west-2'), 'DescribeKey', {KeyId: key.Arn})).toThrow(
			'Invalid arn eu-west-1',
		);
	});
});

describe('tickKms', () => {
	test('missed automatic rotations each get their own date; a period change counts from the last one', () => {
		const state = emptyKmsState();
		const key = createKey(state, context(start));
		call(state, context(start), 'EnableKeyRotation', {KeyId: key.KeyId, RotationPeriodInDays: 90});
		tickKms(state, context(start + 3 * 90 * day + 5));
		const listed = call(state, context(start + 3 * 90 * day + 5), 'ListKeyRotations', {
			KeyId: key.KeyId,
		});
		const rotations = listed.Rotations as Array<{RotationDate: number; RotationType: string}>;
		expect(rotations.map((r) => r.RotationDate)).toEqual(
			[1, 2, 3].map((n) => (start + n * 90 * day) / 1000),
		);
		const now = start + 3 * 90 * day + 5;
		call(state, context(now), 'EnableKeyRotation', {KeyId: key.KeyId, RotationPeriodInDays: 120});
		const status = call(state, context(now), 'GetKeyRotationStatus', {KeyId: key.KeyId});
		expect(status.NextRotationDate).toBe((start + 3 * 90 * day + 120 * day) / 1000);
	});

	test('a key is deleted exactly when its DeletionDate is reached', () => {
		const state = emptyKmsState();
		const key = createKey(state, context(start));
		call(state, context(start), 'ScheduleKeyDeletion', {KeyId: key.KeyId, PendingWindowInDays: 7});
		call(state, context(start), 'CreateKey', {});
		tickKms(state, context(start + 7 * day - 1));
		expect(state.keys[key.KeyId]).toBeDefined();
		tickKms(state, context(start + 7 * day));
		expect(state.keys[key.KeyId]).toBeUndefined();
		expect(Object.keys(state.keys)).toHaveLength(1);
	});
});

describe('automatic rotation catch-up is bounded whatever the clock', () => {
	test('how many are due is computed; the schedule moves to the last due date in one go', () => {
		const state = emptyKmsState();
		const key = createKey(state, context(start));
		call(state, context(start), 'EnableKeyRotation', {KeyId: key.KeyId, RotationPeriodInDays: 90});
		// 100 years later: 405 periods of 90 days have passed.
		const later = start + 36_525 * day;
		tickKms(state, context(later));
		const stored = state.keys[key.KeyId];
		expect(stored?.rotations).toHaveLength(405);
		expect(stored?.rotations.at(-1)?.rotationDate).toBe(start + 405 * 90 * day);
		expect(stored?.rotationAnchor).toBe(start + 405 * 90 * day);
		tickKms(state, context(later));
		expect(stored?.rotations).toHaveLength(405);
	});

	test('a clock far beyond any valid range (a hand-edited state) does bounded work, once', () => {
		const state = emptyKmsState();
		const key = createKey(state, context(start));
		call(state, context(start), 'EnableKeyRotation', {KeyId: key.KeyId, RotationPeriodInDays: 90});
		const absurd = start + 1e15;
		tickKms(state, context(absurd));
		const stored = state.keys[key.KeyId];
		// Only the latest 1000 are recorded: the rest would each have been superseded at once.
		expect(stored?.rotations).toHaveLength(1000);
		expect(stored?.rotationAnchor).toBeGreaterThan(absurd - 90 * day);
		expect(stored?.rotationAnchor).toBeLessThanOrEqual(absurd);
		// Before: the schedule was left 1000 periods on, so every request rotated 1000 times more.
		tickKms(state, context(absurd));
		expect(stored?.rotations).toHaveLength(1000);
	});
});
