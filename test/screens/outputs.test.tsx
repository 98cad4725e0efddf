import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {deployStack, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

describe('Outputs → .env', () => {
	it('shows the outputs and the diff, then writes .env after a confirmation', async () => {
		const {keyId} = await deployStack(services, 'OutputsStack', {AliasName: 'alias/outputs-test'});
		const settings = await testSettings({stackName: 'OutputsStack'});
		const envPath = path.join(settings.cwd, '.env');
		await writeFile(envPath, '# my settings\nAPP_NAME=demo\nKMS_KEY_ID=old-key\n');
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'outputs'},
		});
		let frame = await waitForFrame(lastFrame, 'w write .env');
		expect(frame).toMatch(new RegExp(`KeyId\\s+${keyId}`));
		expect(frame).toContain(`~ KMS_KEY_ID: old-key → ${keyId}`);
		expect(frame).toContain('+ KMS_KEY_ALIAS=alias/outputs-test');
		expect(frame).toContain('CLI: kms-tui outputs --write-env --sandbox --stack-name OutputsStack');

		frame = await press(stdin, lastFrame, 'w', 'Write these changes to .env?');
		frame = await press(stdin, lastFrame, 'y', 'Wrote');
		expect(flat(frame)).toContain('previous version kept as');
		const written = await readFile(envPath, 'utf8');
		expect(written).toContain(`KMS_KEY_ID=${keyId}`);
		expect(written).toContain('APP_NAME=demo');
		expect(written).toContain('# my settings');
	});

	it('says what to do when there is no stack', async () => {
		const settings = await testSettings({stackName: 'NoSuchStack'});
		const {lastFrame} = renderWithApp(undefined, {services, settings, route: {name: 'outputs'}});
		const frame = flat(await waitForFrame(lastFrame, 'No outputs to read'));
		expect(frame).toContain('The stack NoSuchStack does not exist');
		expect(frame).toContain('→ Deploy it with `kms-tui deploy`');
	});
});
