import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {
	deployStack,
	renderWithApp,
	resize,
	screenSandbox,
	testSettings,
} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

describe('Home', () => {
	it('shows the lifecycle with deploy as the next step before anything exists', async () => {
		const settings = await testSettings({stackName: 'HomeEmpty'});
		const {lastFrame, stdout} = renderWithApp(undefined, {services, settings, columns: 80});
		let frame = await waitForFrame(lastFrame, 'enter open');
		expect(frame).toContain('SANDBOX');
		expect(frame).toMatch(/Deploy the stack\s+NEXT\s+to do: no stack yet/);
		expect(frame).toContain('waiting: deploy first');
		expect(frame).toContain('waiting: encrypt first');
		expect(frame).toContain('CLI: kms-tui deploy --sandbox --stack-name HomeEmpty');
		for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

		resize(stdout, 60);
		frame = await waitForFrame(lastFrame, (f) => f.split('\n').every((line) => line.length <= 60));
		expect(frame).toContain('Deploy the stack');
	});

	it('reads the statuses from real state after a deploy, and a stale .env is flagged', async () => {
		const settings = await testSettings({stackName: 'HomeDeployed'});
		const {keyId} = await deployStack(services, 'HomeDeployed', {AliasName: 'alias/home-test'});
		await writeFile(path.join(settings.cwd, '.env'), 'KMS_KEY_ID=not-the-stack-key\n');
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings});
		let frame = await waitForFrame(lastFrame, 'enter open');
		expect(frame).toMatch(/✔ 1 Deploy the stack\s+done: CREATE_COMPLETE/);
		expect(frame).toMatch(/Write \.env\s+NEXT\s+check: KMS_KEY_ID is stale/);
		expect(flat(frame)).toContain(`the stack's key is ${keyId}`);

		await writeFile(path.join(settings.cwd, '.env'), `KMS_KEY_ID=${keyId}\n`);
		frame = await press(stdin, lastFrame, 'R', 'done: KMS_KEY_ID matches');
		expect(frame).toMatch(/Enable rotation\s+done: on, every 365 days/);
		expect(frame).toMatch(/Create an alias\s+done: alias\/home-test/);
		expect(frame).toMatch(/Encrypt a file\s+NEXT\s+to do: no envelope yet/);
		expect(frame).toMatch(/Schedule deletion \(or cancel\)\s+to do: key Enabled/);
	});

	it('opens the focused step with enter and goes back with esc', async () => {
		const settings = await testSettings({stackName: 'HomeNav'});
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings});
		await waitForFrame(lastFrame, 'enter open');
		let frame = await press(stdin, lastFrame, keys.enter, 'Home › Deploy');
		await waitForFrame(lastFrame, 'RotationPeriodInDays');
		frame = await press(stdin, lastFrame, keys.escape, 'enter open');
		expect(frame).not.toContain('Home › Deploy');
		for (let step = 0; step < 4; step++) await press(stdin, lastFrame, keys.down);
		frame = await press(stdin, lastFrame, keys.enter, 'Home › Encrypt a file');
	});

	it('shows every key with ? and hides dangerous ones under --read-only', async () => {
		const settings = await testSettings({stackName: 'HomeHelp'});
		const normal = renderWithApp(undefined, {services, settings, route: {name: 'aliases'}});
		await waitForFrame(normal.lastFrame, /Could not read|Aliases in/);
		let frame = await press(normal.stdin, normal.lastFrame, '?', 'Everywhere');
		expect(frame).toContain('Create an alias for the key');
		frame = await press(normal.stdin, normal.lastFrame, '?', (f) => !f.includes('Everywhere'));
		normal.unmount();

		const readOnly = renderWithApp(undefined, {
			services,
			settings: {...settings, readOnly: true},
			route: {name: 'aliases'},
		});
		await waitForFrame(readOnly.lastFrame, /Could not read|Aliases in/);
		frame = await press(readOnly.stdin, readOnly.lastFrame, '?', 'Everywhere');
		expect(frame).toContain('read-only');
		expect(frame).not.toContain('Create an alias for the key');
		expect(frame).not.toContain('Delete the selected alias');
		expect(frame).toContain('Show or hide every key');
	});
});
