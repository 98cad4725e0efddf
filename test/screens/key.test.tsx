import {describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

describe('Key & rotation', () => {
	it('enables rotation, validates the period inline, rotates now and shows the history', async () => {
		const keyId = await createKey(sandbox);
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings, route: {name: 'key'}});
		let frame = await waitForFrame(lastFrame, 'e enable');
		expect(frame).toMatch(/Rotation\s+off/);
		expect(frame).toContain('25 of 25 rotations left');
		expect(frame).toContain('No rotations yet.');
		expect(frame).toContain('Files encrypted before a rotation still decrypt');
		expect(frame).toContain(`(--key)`);

		frame = await press(stdin, lastFrame, 'e', 'd disable');
		expect(frame).toMatch(/Rotation\s+on, every 365 days/);
		expect(frame).toContain('✔ Automatic rotation is on');
		expect((await services.keys.rotationStatus(keyId)).enabled).toBe(true);

		frame = await press(stdin, lastFrame, 'p', 'Period (days)');
		for (let index = 0; index < 3; index++) await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, '42');
		await waitForFrame(lastFrame, '42 is not a whole number from 90 to 2560 days.');
		// Enter on an invalid period is refused: the field stays, nothing is sent.
		stdin.write(keys.enter);
		await press(stdin, lastFrame, keys.backspace);
		await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, '180');
		frame = await waitForFrame(lastFrame, 'CLI: kms-tui rotation enable --period 180');
		expect(frame).not.toContain('is not a whole number');
		expect((await services.keys.rotationStatus(keyId)).periodDays).toBe(365);
		frame = await press(stdin, lastFrame, keys.enter, 'every 180 days');
		expect((await services.keys.rotationStatus(keyId)).periodDays).toBe(180);

		frame = await press(stdin, lastFrame, 'n', 'Rotate now?');
		expect(frame).toContain('uses 1 of the 25 on-demand rotations left');
		frame = await press(stdin, lastFrame, 'y', '24 of 25 rotations left');
		expect(frame).toContain('on demand');
		expect(frame).toContain('Started an on-demand rotation');
	});

	it('explains when there is no key to work on', async () => {
		const settings = await testSettings({stackName: 'NoKeyStack'});
		const {lastFrame} = renderWithApp(undefined, {services, settings, route: {name: 'key'}});
		const frame = await waitForFrame(lastFrame, 'Could not read the key');
		expect(frame).toContain('No key to work on');
	});
});
