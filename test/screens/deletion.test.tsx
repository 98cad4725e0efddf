import {describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

describe('Key deletion', () => {
	it('schedules only after the alias is typed exactly, then cancels and re-enables', async () => {
		const keyId = await createKey(sandbox);
		await services.keys.createAlias('alias/doomed', keyId);
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'deletion'},
		});
		let frame = await waitForFrame(lastFrame, 's schedule deletion');
		expect(frame).toMatch(/State\s+Enabled/);

		frame = await press(stdin, lastFrame, 's', 'Waiting days');
		expect(frame).toContain('KMS would delete the key on');
		await press(stdin, lastFrame, keys.backspace);
		await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, '5');
		await waitForFrame(lastFrame, '5 is not a whole number from 7 to 30 days.');
		await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, '7');
		frame = await waitForFrame(lastFrame, 'CLI: kms-tui delete-key --days 7');
		expect(frame).toContain('(in 7 days)');
		frame = await press(stdin, lastFrame, keys.enter, 'Type alias/doomed to confirm');

		await type(stdin, lastFrame, keyId.slice(0, 8));
		frame = await press(stdin, lastFrame, keys.enter, 'That is not alias/doomed');
		expect((await services.keys.describeKey(keyId)).state).toBe('Enabled');

		frame = await press(stdin, lastFrame, keys.escape, (f) => !f.includes('Type alias/doomed'));
		frame = await press(stdin, lastFrame, 's', 'Waiting days');
		frame = await press(stdin, lastFrame, keys.enter, 'Type alias/doomed to confirm');
		await type(stdin, lastFrame, 'alias/doomed');
		frame = flat(await press(stdin, lastFrame, keys.enter, 'c cancel deletion'));
		expect(frame).toContain('is pending deletion');
		expect(frame).toMatch(/Deleted on \d{4}-\d\d-\d\d/);
		expect((await services.keys.describeKey(keyId)).state).toBe('PendingDeletion');

		frame = flat(await press(stdin, lastFrame, 'c', 'e enable key'));
		expect(frame).toContain('Deletion cancelled. The key is Disabled');
		expect((await services.keys.describeKey(keyId)).state).toBe('Disabled');
		frame = await press(stdin, lastFrame, 'e', 'is Enabled again');
		expect((await services.keys.describeKey(keyId)).state).toBe('Enabled');
	});

	it('has no schedule key under --read-only', async () => {
		const keyId = await createKey(sandbox);
		const settings = await testSettings({keyRef: keyId, readOnly: true});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'deletion'},
		});
		const frame = await waitForFrame(lastFrame, 'R refresh');
		expect(frame).not.toContain('schedule deletion');
		stdin.write('s');
		await press(stdin, lastFrame, 'R');
		expect(lastFrame()).not.toContain('Waiting days');
	});
});
