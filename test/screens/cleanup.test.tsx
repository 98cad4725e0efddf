import {describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {deployStack, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

describe('Cleanup', () => {
	it('deletes the stack after typing its name, with events, and says what became of the key', async () => {
		const {keyId} = await deployStack(services, 'CleanupStack', {AliasName: 'alias/cleanup-test'});
		const settings = await testSettings({stackName: 'CleanupStack'});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'cleanup'},
		});
		let frame = flat(await waitForFrame(lastFrame, 'x delete stack'));
		expect(frame).toContain('schedules its key for deletion after 7 days');
		frame = await press(stdin, lastFrame, 'x', 'Type CleanupStack to confirm');
		await type(stdin, lastFrame, 'CleanupStack');
		frame = flat(await press(stdin, lastFrame, keys.enter, 'Stack CleanupStack deleted'));
		expect(frame).toMatch(/DELETE_COMPLETE\s+Key\s+AWS::KMS::Key/);
		expect(frame).toContain(`Key ${keyId} is pending deletion until`);
		expect(frame).toContain(`kms-tui delete-key --cancel --key ${keyId}`);
		expect(await services.stacks.findStack('CleanupStack')).toBeUndefined();
	});
});
