import {CreateAliasCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {
	createKey,
	renderWithApp,
	sandboxServices,
	screenSandbox,
	testSettings,
} from '../helpers/render.js';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

/** Empties the focused text field (the cursor sits at the end of its default). */
async function clearField(
	stdin: {write(data: string): void},
	lastFrame: () => string | undefined,
	length: number,
) {
	for (let index = 0; index < length; index++) await press(stdin, lastFrame, keys.backspace);
}

/** The Deploy screen for stack `stackName`, once its form is ready. */
async function openDeploy(stackName: string, on: Services = services) {
	const settings = await testSettings({stackName});
	const rendered = renderWithApp(undefined, {services: on, settings, route: {name: 'deploy'}});
	const frame = await waitForFrame(rendered.lastFrame, 'ctrl+d deploy');
	return {...rendered, frame};
}

describe('Deploy', () => {
	it('deploys KmsKey.yaml to CREATE_COMPLETE and shows the outputs', async () => {
		const opened = await openDeploy('DeployHappy');
		const {lastFrame, stdin} = opened;
		let frame = opened.frame;
		expect(frame).toContain('RotationPeriodInDays');
		expect(frame).toContain('alias/kms-tui-demo');
		expect(frame).toContain('CLI: kms-tui deploy --sandbox --stack-name DeployHappy');
		frame = await press(stdin, lastFrame, keys.ctrlD, 'Execute these changes?');
		expect(frame).toContain('Planned changes to stack DeployHappy (new stack)');
		expect(frame).toMatch(/Add\s+Key\s+AWS::KMS::Key/);
		expect(frame).toMatch(/Add\s+Alias\s+AWS::KMS::Alias/);
		frame = await press(stdin, lastFrame, 'y', 'is CREATE_COMPLETE');
		expect(frame).toMatch(/CREATE_COMPLETE\s+Key\s+AWS::KMS::Key/);
		expect(frame).toMatch(/KeyId\s+[0-9a-f-]{36}/);
		expect(frame).toContain('AliasName   alias/kms-tui-demo');
		expect((await services.stacks.findStack('DeployHappy'))?.status).toBe('CREATE_COMPLETE');
	});

	it('types q into a field instead of quitting, and esc at the change set leaves nothing behind', async () => {
		const {lastFrame, stdin} = await openDeploy('DeployDecline');
		await clearField(stdin, lastFrame, 'alias/kms-tui-demo'.length);
		await type(stdin, lastFrame, 'alias/quiet');
		let frame = await waitForFrame(lastFrame, '--param AliasName=alias/quiet');
		expect(frame).toContain('› AliasName             alias/quiet');
		frame = await press(stdin, lastFrame, keys.ctrlD, 'Execute these changes?');
		frame = await press(stdin, lastFrame, keys.escape, 'Not deployed');
		expect(frame).toContain('nothing was changed');
		expect(await services.stacks.findStack('DeployDecline')).toBeUndefined();
	});

	it('checks each value against the template as it is typed and will not plan a bad one', async () => {
		const {lastFrame, stdin} = await openDeploy('DeployInvalid');
		// AliasName: its ConstraintDescription, as CloudFormation would word it.
		await clearField(stdin, lastFrame, 'alias/kms-tui-demo'.length);
		await type(stdin, lastFrame, 'demo');
		let frame = await waitForFrame(lastFrame, '✘ must start with alias/');
		await clearField(stdin, lastFrame, 'demo'.length);
		await type(stdin, lastFrame, 'alias/fine');
		frame = await press(stdin, lastFrame, keys.tab, '› PendingWindowInDays');
		expect(frame).not.toContain('✘');
		// PendingWindowInDays: MinValue 7.
		await clearField(stdin, lastFrame, 1);
		await type(stdin, lastFrame, '3');
		frame = await waitForFrame(lastFrame, '✘ must be a number not less than 7');
		expect(frame).toContain('Fix the value marked ✘ to deploy');
		// ctrl+d from another field goes back to the bad one instead of planning.
		await press(stdin, lastFrame, keys.tab, '› RotationPeriodInDays');
		frame = await press(stdin, lastFrame, keys.ctrlD, '› PendingWindowInDays');
		expect(frame).not.toContain('Execute these changes?');
		await clearField(stdin, lastFrame, 1);
		await type(stdin, lastFrame, '30');
		frame = await waitForFrame(lastFrame, 'Enter on the last field');
		expect(frame).not.toContain('✘');
		frame = await press(stdin, lastFrame, keys.ctrlD, 'Execute these changes?');
		await press(stdin, lastFrame, keys.escape, 'Not deployed');
		expect(await services.stacks.findStack('DeployInvalid')).toBeUndefined();
	});

	it('shows the failing resource and the ROLLBACK_COMPLETE advice', async () => {
		const keyId = await createKey(sandbox);
		await sandbox
			.kms()
			.send(new CreateAliasCommand({AliasName: 'alias/taken', TargetKeyId: keyId}));
		const {lastFrame, stdin} = await openDeploy('DeployFails');
		await clearField(stdin, lastFrame, 'alias/kms-tui-demo'.length);
		await type(stdin, lastFrame, 'alias/taken');
		await press(stdin, lastFrame, keys.ctrlD, 'Execute these changes?');
		const frame = flat(await press(stdin, lastFrame, 'y', 'Deployment failed'));
		expect(frame).toContain('stack DeployFails is ROLLBACK_COMPLETE');
		expect(frame).toMatch(/Alias \(AWS::KMS::Alias\): .*alias\/taken/);
		expect(frame).toContain('can only be deleted');
	});
});

describe('Deploy with slow stack steps', () => {
	let slow: TestSandbox;
	let slowServices: Services;
	beforeAll(async () => {
		slow = await startTestSandbox({stackStepMs: 400});
		slowServices = sandboxServices(slow);
	});
	afterAll(async () => {
		slowServices.close();
		await slow.close();
	});

	it('cancels with esc while running and says what state AWS was left in', async () => {
		const {lastFrame, stdin} = await openDeploy('DeployCancel', slowServices);
		await press(stdin, lastFrame, keys.ctrlD, 'Execute these changes?');
		await press(stdin, lastFrame, 'y', 'Deploying DeployCancel');
		await waitForFrame(lastFrame, /CREATE_IN_PROGRESS\s+DeployCancel/);
		await waitForFrame(lastFrame, 'esc cancel');
		const frame = flat(await press(stdin, lastFrame, keys.escape, 'Stopped watching'));
		expect(frame).toContain('CloudFormation carries on with the deployment on its side');
		expect(frame).toMatch(/stack DeployCancel is CREATE_(IN_PROGRESS|COMPLETE)/);
	});
});
