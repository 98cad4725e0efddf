import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {ScheduleKeyDeletionCommand} from '@aws-sdk/client-kms';
import {describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {
	createKey,
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
		expect(flat(frame)).toContain(`the stack's KeyId is ${keyId}`);
		expect(flat(frame)).toContain(
			`⚠ .env is stale: KMS_KEY_ID in .env is not-the-stack-key (a key that no longer exists), but the stack's KeyId is ${keyId}. Run \`kms-tui outputs --write-env --sandbox --stack-name HomeDeployed\``,
		);

		await writeFile(path.join(settings.cwd, '.env'), `KMS_KEY_ID=${keyId}\n`);
		frame = await press(stdin, lastFrame, 'R', 'done: KMS_KEY_ID matches');
		expect(frame).toMatch(/Enable rotation\s+done: on, every 365 days/);
		expect(frame).toMatch(/Create an alias\s+done: alias\/home-test/);
		expect(frame).toMatch(/Encrypt a file\s+NEXT\s+to do: no envelope yet/);
		expect(frame).toMatch(/Schedule deletion \(or cancel\)\s+to do: key Enabled/);
	});

	it('a .env written from another stack (KMS_STACK_NAME) is not called stale against this one', async () => {
		const settings = await testSettings({stackName: 'HomeFirstStack'});
		await deployStack(services, 'HomeFirstStack', {AliasName: 'alias/home-first'});
		const second = await deployStack(services, 'HomeSecondStack', {
			AliasName: 'alias/home-second',
		});
		// As a migration to a second stack leaves it: that stack's values and its name.
		await writeFile(
			path.join(settings.cwd, '.env'),
			`KMS_KEY_ID=${second.keyId}\nKMS_KEY_ALIAS=alias/home-second\nKMS_STACK_NAME=HomeSecondStack\n`,
		);
		const {lastFrame} = renderWithApp(undefined, {services, settings});
		const frame = await waitForFrame(lastFrame, 'enter open');
		expect(frame).toMatch(/Write \.env\s+(NEXT\s+)?check: \.env follows stack HomeSecondStack/);
		expect(frame).not.toContain('is stale');
		// Nothing offers to write the session stack's values over the other stack's.
		expect(frame).not.toContain('--write-env');
	});

	it('flags a .env whose KMS_KEY_ARN or KMS_KEY_ALIAS differ from the stack outputs', async () => {
		const settings = await testSettings({stackName: 'HomeStaleAlias', envFile: 'app.env'});
		const {stack, keyId} = await deployStack(services, 'HomeStaleAlias', {
			AliasName: 'alias/home-stale-new',
		});
		await writeFile(
			path.join(settings.cwd, 'app.env'),
			`KMS_KEY_ID=${keyId}\nKMS_KEY_ARN=${stack.outputs.KeyArn}\nKMS_KEY_ALIAS=alias/home-stale-old\n`,
		);
		const {lastFrame} = renderWithApp(undefined, {services, settings});
		const frame = flat(await waitForFrame(lastFrame, 'enter open'));
		expect(frame).toMatch(/Write \.env NEXT check: KMS_KEY_ALIAS is stale/);
		expect(frame).toContain(
			"⚠ app.env is stale: KMS_KEY_ALIAS in app.env is alias/home-stale-old, but the stack's AliasName is alias/home-stale-new. Run `kms-tui outputs --write-env --sandbox --stack-name HomeStaleAlias --env-file app.env`",
		);
	});

	it('flags a .env whose key is pending deletion or gone once the stack is deleted', async () => {
		const settings = await testSettings({stackName: 'HomeNoStackAnyMore'});
		const keyId = await createKey(sandbox);
		await sandbox
			.kms()
			.send(new ScheduleKeyDeletionCommand({KeyId: keyId, PendingWindowInDays: 7}));
		await writeFile(path.join(settings.cwd, '.env'), `KMS_KEY_ID=${keyId}\n`);
		const first = renderWithApp(undefined, {services, settings});
		let frame = flat(await waitForFrame(first.lastFrame, 'enter open'));
		expect(frame).toContain(
			`⚠ .env is stale: KMS_KEY_ID in .env points at a key that is pending deletion: ${keyId}. Deploy the stack again, then run \`kms-tui outputs --write-env --sandbox --stack-name HomeNoStackAnyMore\``,
		);
		first.unmount();

		// A key that does not exist, while --key picks another one: the file is still read and judged.
		const gone = '0b5f3b0e-6a1c-4c3e-9f55-000000000001';
		await writeFile(path.join(settings.cwd, '.env'), `KMS_KEY_ID=${gone}\n`);
		const second = renderWithApp(undefined, {services, settings: {...settings, keyRef: keyId}});
		frame = flat(await waitForFrame(second.lastFrame, 'enter open'));
		expect(frame).toContain(
			`⚠ .env is stale: KMS_KEY_ID in .env points at a key that no longer exists: ${gone}.`,
		);
		expect(frame).toContain(`key ${keyId} (from --key)`);
	});

	it('names KMS_KEY_ID from the environment as the CLI does, and its hints do not turn it into --key', async () => {
		const settings = await testSettings({stackName: 'HomeEnvKey'});
		const keyId = await createKey(sandbox);
		const {lastFrame} = renderWithApp(undefined, {
			services,
			settings: {...settings, environmentKeyId: keyId},
		});
		const frame = flat(await waitForFrame(lastFrame, 'enter open'));
		expect(frame).toContain(`key ${keyId} (from KMS_KEY_ID in the environment)`);
		expect(frame).toContain('CLI: kms-tui deploy --sandbox --stack-name HomeEnvKey');
		expect(frame).not.toContain('--key');
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
		// Rows enough for the whole list (small-terminal.test.tsx scrolls it at 80×24 and 60×20).
		const normal = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'aliases'},
			rows: 60,
		});
		await waitForFrame(normal.lastFrame, /Could not read|Aliases in/);
		let frame = await press(normal.stdin, normal.lastFrame, '?', 'Everywhere');
		expect(frame).toContain('Create an alias for the key');
		frame = await press(normal.stdin, normal.lastFrame, '?', (f) => !f.includes('Everywhere'));
		normal.unmount();

		const readOnly = renderWithApp(undefined, {
			services,
			settings: {...settings, readOnly: true},
			route: {name: 'aliases'},
			rows: 60,
		});
		await waitForFrame(readOnly.lastFrame, /Could not read|Aliases in/);
		frame = await press(readOnly.stdin, readOnly.lastFrame, '?', 'Everywhere');
		expect(frame).toContain('read-only');
		expect(frame).not.toContain('Create an alias for the key');
		expect(frame).not.toContain('Delete the selected alias');
		expect(frame).toContain('Show or hide every key');
	});
});
