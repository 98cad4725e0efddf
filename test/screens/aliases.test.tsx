import {describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

describe('Aliases', () => {
	it('validates a new name inline, then creates, retargets and deletes an alias', async () => {
		const keyId = await createKey(sandbox);
		const otherKeyId = await createKey(sandbox, 'other');
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'aliases'},
		});
		let frame = await waitForFrame(lastFrame, 'c create');
		expect(frame).toContain('No aliases yet');

		frame = await press(stdin, lastFrame, 'c', 'New alias');
		await type(stdin, lastFrame, 'my app');
		await waitForFrame(lastFrame, (f) =>
			flat(f).includes('contains characters KMS does not allow ( )'),
		);
		// Enter on an invalid name is refused before any call.
		stdin.write(keys.enter);
		for (let index = 0; index < 6; index++) await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, 'quick-app');
		frame = await waitForFrame(lastFrame, 'CLI: kms-tui alias create alias/quick-app');
		expect(frame).not.toContain('not a valid alias name');
		expect(await services.keys.listAliases(keyId)).toHaveLength(0);
		frame = await press(stdin, lastFrame, keys.enter, '✔ Created alias/quick-app');
		expect(frame).toMatch(/› alias\/quick-app\s+→ \S+ \(this key\)/);

		frame = await press(stdin, lastFrame, 't', 'Point at key');
		for (let index = 0; index < keyId.length; index++)
			await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, otherKeyId);
		frame = await press(stdin, lastFrame, keys.enter, '✔ Pointed alias/quick-app');
		expect((await services.keys.listAliases(otherKeyId)).map((a) => a.name)).toEqual([
			'alias/quick-app',
		]);

		frame = await press(stdin, lastFrame, 'x', 'Type alias/quick-app to confirm');
		await type(stdin, lastFrame, 'alias/wrong');
		frame = await press(stdin, lastFrame, keys.enter, 'That is not alias/quick-app');
		expect((await services.keys.listAliases(otherKeyId)).length).toBe(1);
		for (let index = 0; index < 'wrong'.length; index++)
			await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, 'quick-app');
		frame = await press(stdin, lastFrame, keys.enter, '✔ Deleted alias/quick-app');
		expect(await services.keys.listAliases(otherKeyId)).toHaveLength(0);
	});
});
