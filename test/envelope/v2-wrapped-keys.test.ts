/**
 * wrapNewDataKey / unwrapDataKey (source/envelope/wrapped-keys.ts) through the real service layer
 * against the embedded sandbox: one data key under several KMS keys, opened by whichever key still
 * works, and a failure that names every key tried.
 */
import {CreateKeyCommand, DisableKeyCommand, ScheduleKeyDeletionCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {EnvelopeError} from '../../source/envelope/errors.js';
import {unwrapDataKey, wrapNewDataKey} from '../../source/envelope/wrapped-keys.js';
import type {Services} from '../../source/service/index.js';
import {combineLocalDataKeys, createLocalDataKeys, rejection} from '../helpers/local-data-keys.js';
import {createKey, sandboxServices} from '../helpers/render.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let services: Services;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	services = sandboxServices(sandbox);
});
afterAll(async () => {
	services.close();
	await sandbox.close();
});

const context = {purpose: 'wrapped-keys test'};

async function keyArn(keyId: string): Promise<string> {
	return (await services.keys.describeKey(keyId)).arn;
}

describe('wrapNewDataKey', () => {
	test('one data key under each key, in the order given, each opening on its own', async () => {
		const ids = [await createKey(sandbox), await createKey(sandbox), await createKey(sandbox)];
		const {plaintext, wrapped} = await wrapNewDataKey(services.keys, ids, context);
		expect(plaintext.length).toBe(32);
		expect(wrapped.map((key) => key.keyArn)).toEqual(await Promise.all(ids.map(keyArn)));
		for (const [index, key] of wrapped.entries()) {
			const opened = await unwrapDataKey(services.keys, [key], context, 'test');
			expect(opened.plaintext.equals(plaintext)).toBe(true);
			expect(opened.index).toBe(0);
			expect(opened.keyArn).toBe(wrapped[index]?.keyArn);
			opened.plaintext.fill(0);
		}
		plaintext.fill(0);
	});

	test('a failing extra key names that key and leaves no key behind', async () => {
		const first = await createKey(sandbox);
		const disabled = await createKey(sandbox);
		await sandbox.kms().send(new DisableKeyCommand({KeyId: disabled}));
		const error = await rejection(wrapNewDataKey(services.keys, [first, disabled], context));
		expect(error.code).toBe('kms');
		expect(error.message).toContain(`extra key ${disabled}`);
		expect(error.message).toContain('disabled');
	});

	test('an empty or repeated key list is refused before KMS is called', async () => {
		const id = await createKey(sandbox);
		expect((await rejection(wrapNewDataKey(services.keys, [], context))).code).toBe(
			'invalid-argument',
		);
		const twice = await rejection(wrapNewDataKey(services.keys, [id, id], context));
		expect(twice.code).toBe('invalid-argument');
		expect(twice.message).toContain('given twice');
		const local = createLocalDataKeys();
		const eleven = Array.from({length: 11}, (_, n) => `alias/key-${n}`);
		const tooMany = await rejection(wrapNewDataKey(local, eleven, context));
		expect(tooMany.code).toBe('invalid-argument');
		expect(tooMany.message).toContain('at most 10');
		expect(local.calls.generate).toBe(0);
	});
});

describe('unwrapDataKey', () => {
	test('a disabled first key is skipped: the second opens', async () => {
		const ids = [await createKey(sandbox), await createKey(sandbox)];
		const {plaintext, wrapped} = await wrapNewDataKey(services.keys, ids, context);
		await sandbox.kms().send(new DisableKeyCommand({KeyId: ids[0]}));
		const opened = await unwrapDataKey(services.keys, wrapped, context, 'test');
		expect(opened.index).toBe(1);
		expect(opened.keyArn).toBe(wrapped[1]?.keyArn);
		expect(opened.plaintext.equals(plaintext)).toBe(true);
		opened.plaintext.fill(0);
		plaintext.fill(0);
	});

	test('when none opens, every key is named with its reason', async () => {
		const ids = [await createKey(sandbox), await createKey(sandbox), await createKey(sandbox)];
		const {plaintext, wrapped} = await wrapNewDataKey(services.keys, ids, context);
		plaintext.fill(0);
		await sandbox.kms().send(new DisableKeyCommand({KeyId: ids[0]}));
		await sandbox
			.kms()
			.send(new ScheduleKeyDeletionCommand({KeyId: ids[1], PendingWindowInDays: 7}));
		const error = await rejection(
			unwrapDataKey(services.keys, wrapped, {purpose: 'another context'}, 'file.kms'),
		);
		expect(error).toBeInstanceOf(EnvelopeError);
		expect(error.code).toBe('kms');
		expect(error.message).toMatch(/^file\.kms: none of the 3 KMS keys/);
		expect(error.message).toContain(`1. ${wrapped[0]?.keyArn}: the key is disabled`);
		expect(error.message).toContain(`2. ${wrapped[1]?.keyArn}: the key is pending deletion`);
		expect(error.message).toContain(`3. ${wrapped[2]?.keyArn}: KMS refused the wrapped data key`);
		expect(error.message).toContain('Nothing was written.');
	});

	test('a cancel stops at once, before the next key is tried', async () => {
		const ids = [await createKey(sandbox), await createKey(sandbox)];
		const {plaintext, wrapped} = await wrapNewDataKey(services.keys, ids, context);
		plaintext.fill(0);
		const controller = new AbortController();
		controller.abort();
		const error = await rejection(
			unwrapDataKey(services.keys, wrapped, context, 'test', controller.signal),
		);
		expect(error.code).toBe('aborted');
	});
});

describe('keys in other regions', () => {
	test('a key ARN of another region goes to a client of that region, both ways', async () => {
		const home = await createKey(sandbox);
		const elsewhere = sandbox.kms({region: 'eu-west-1'});
		const created = await elsewhere.send(new CreateKeyCommand({Description: 'dr key'}));
		const drArn = created.KeyMetadata?.Arn as string;
		expect(drArn).toMatch(/^arn:aws:kms:eu-west-1:/);
		const {plaintext, wrapped} = await wrapNewDataKey(services.keys, [home, drArn], context);
		expect(wrapped[1]?.keyArn).toBe(drArn);
		// The home region's key is gone: the other region's key still opens it.
		await sandbox.kms().send(new DisableKeyCommand({KeyId: home}));
		const opened = await unwrapDataKey(services.keys, wrapped, context, 'test');
		expect(opened.index).toBe(1);
		expect(opened.plaintext.equals(plaintext)).toBe(true);
		opened.plaintext.fill(0);
		plaintext.fill(0);
	});
});

describe('the data key is zeroed on every failure path', () => {
	const arn = (n: number) =>
		`arn:aws:kms:eu-west-1:000000000000:key/0000000${n}-aaaa-bbbb-cccc-dddddddddddd`;

	test('an extra key that fails: the generated data key is zeroed before the error', async () => {
		const keys = [createLocalDataKeys({keyArn: arn(1)}), createLocalDataKeys({keyArn: arn(2)})];
		const provider = combineLocalDataKeys(keys, {disabled: new Set([arn(2)])});
		const error = await rejection(
			wrapNewDataKey(provider, [arn(1), arn(2)], context, undefined, 'f'),
		);
		expect(error.message).toMatch(/^f: KMS could not encrypt the data key under the extra key/);
		expect(error.message).toContain(`${arn(2)} is disabled`);
		expect(keys[0]?.issued).toHaveLength(1);
		expect(keys[0]?.issued[0]?.equals(Buffer.alloc(32))).toBe(true);
	});

	test('a cancel between GenerateDataKey and Encrypt: zeroed, and Encrypt never called', async () => {
		const keys = [createLocalDataKeys({keyArn: arn(1)}), createLocalDataKeys({keyArn: arn(2)})];
		const controller = new AbortController();
		const base = combineLocalDataKeys(keys);
		const provider = {
			...base,
			generateDataKey: async (request: Parameters<typeof base.generateDataKey>[0]) => {
				const key = await base.generateDataKey(request);
				controller.abort();
				return key;
			},
		};
		const error = await rejection(
			wrapNewDataKey(provider, [arn(1), arn(2)], context, controller.signal, 'f'),
		);
		expect(error.code).toBe('aborted');
		expect(keys[0]?.issued[0]?.equals(Buffer.alloc(32))).toBe(true);
		expect(keys[1]?.calls.encrypt).toBeUndefined();
	});

	test('an alias and the ARN it names are one key: wrapped once', async () => {
		const local = createLocalDataKeys({keyArn: arn(3)});
		const {plaintext, wrapped} = await wrapNewDataKey(local, ['alias/local', arn(3)], context);
		plaintext.fill(0);
		expect(wrapped.map((key) => key.keyArn)).toEqual([arn(3)]);
	});
});
