/**
 * Error classification through the real service against the embedded sandbox: each AWS
 * exception is told apart by its name, the key state parsed exactly from KMS's message, and the
 * operation that raised it, so the hint fits what really happened.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ServiceError, Services} from '../../source/service/index.js';
import {createKey, sandboxServices} from '../helpers/render.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let services: Services;

beforeAll(async () => {
	sandbox = await startTestSandbox();
	// LimitExceededException is on the SDK's retry list; one attempt keeps the tests quick.
	services = sandboxServices(sandbox, {maxAttempts: 1});
});
afterAll(async () => {
	services.close();
	await sandbox.close();
});

async function failure(work: Promise<unknown>): Promise<ServiceError> {
	const error = await work.then(
		() => undefined,
		(caught: unknown) => caught,
	);
	expect(error).toMatchObject({name: 'ServiceError'});
	return error as ServiceError;
}

describe('KMSInvalidStateException is classified by the state KMS names', () => {
	it('says a key that is not pending deletion has no deletion to cancel', async () => {
		const keyId = await createKey(sandbox);
		const error = await failure(services.keys.cancelDeletion(keyId));
		expect(error.code).toBe('KMSInvalidStateException');
		expect(error.kind).toBe('invalid-state');
		expect(error.message).toContain('is not scheduled for deletion');
		expect(error.message).not.toMatch(/is scheduled for deletion/);
		expect(error.hint).not.toContain('delete-key --cancel');
		expect(error.hint).toContain('kms-tui key');
	});

	it('tells a key pending deletion to be cancelled first', async () => {
		const keyId = await createKey(sandbox);
		await services.keys.scheduleDeletion(keyId, 7);
		const error = await failure(services.keys.enableRotation(keyId));
		expect(error.kind).toBe('pending-deletion');
		expect(error.message).toContain('is scheduled for deletion');
		expect(error.hint).toContain('kms-tui delete-key --cancel');
		const again = await failure(services.keys.scheduleDeletion(keyId, 7));
		expect(again.message).toContain('is already scheduled for deletion');
	});
});

describe('each LimitExceededException gets the hint of its own quota', () => {
	it('the alias limit says to delete an alias, not to look at rotation', async () => {
		const keyId = await createKey(sandbox);
		for (let index = 0; index < 50; index++) {
			await services.keys.createAlias(`alias/limit-${index}`, keyId);
		}
		const error = await failure(services.keys.createAlias('alias/limit-50', keyId));
		expect(error.kind).toBe('limit-exceeded');
		expect(error.hint).toContain('kms-tui alias delete');
		expect(error.hint).not.toContain('rotation');
	});

	it('the on-demand rotation limit says that it cannot be raised', async () => {
		const keyId = await createKey(sandbox);
		for (let index = 0; index < 25; index++) {
			await services.keys.rotateNow(keyId);
			// Each on-demand rotation must finish before the next may start.
			await sandbox.advance(60_000);
		}
		const error = await failure(services.keys.rotateNow(keyId));
		expect(error.kind).toBe('limit-exceeded');
		expect(error.hint).toContain('at most 25 times');
		expect(error.hint).toContain('kms-tui rotation enable');
		expect(error.hint).not.toContain('alias');
	});
});

describe('NotFoundException', () => {
	it('names the region of an ARN from another region', async () => {
		const error = await failure(
			services.keys.describeKey(
				'arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000000',
			),
		);
		expect(error.kind).toBe('wrong-region');
		expect(error.hint).toContain('--region eu-west-1');
	});

	it('calls an unknown key not found, even when its id mentions a region', async () => {
		const error = await failure(services.keys.describeKey('alias/Invalid-arn-us-west-2'));
		expect(error.kind).toBe('not-found');
	});
});
