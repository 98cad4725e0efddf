/**
 * CloudFormation behaviour that the sandbox and moto must share, over the real SDK, deploying
 * KmsKey.yaml the way `aws cloudformation deploy` does. Only what both do is asserted for both;
 * where moto differs from AWS, the AWS behaviour is asserted on the sandbox alone and the
 * difference is listed here:
 *
 * moto differs (seen with moto 5.2.1):
 * - ValidateTemplate returns no Parameters for a YAML template (AWS lists them with defaults).
 * - A stack created by executing a change set has no Outputs (CreateStack's stacks do).
 * - An unchanged UPDATE change set (every parameter UsePreviousValue) is refused by
 *   CreateChangeSet with ValidationError "No updates are to be performed." instead of becoming
 *   FAILED/UNAVAILABLE with "The submitted information didn't contain changes. …".
 * - After one stack is deleted, DescribeKey on another stack's key answers HTTP 500, so the
 *   CreateStack scenario runs last.
 * - DescribeStackEvents has only the stack's own events, no resource events.
 * - Deleting the stack deletes the key at once (DescribeKey → NotFoundException) instead of
 *   scheduling its deletion (PendingDeletion), and leaves the alias behind.
 * - AWS::KMS::Key Tags crash moto's server (it expects TagKey/TagValue), so KmsKey.yaml has none.
 * - Account 123456789012 (the sandbox uses 000000000000).
 */
import {readFileSync} from 'node:fs';
import {
	type CloudFormationClient,
	CreateChangeSetCommand,
	CreateStackCommand,
	DeleteStackCommand,
	DescribeChangeSetCommand,
	DescribeStackEventsCommand,
	DescribeStackResourcesCommand,
	DescribeStacksCommand,
	ExecuteChangeSetCommand,
	type Stack,
	ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import {DescribeKeyCommand, GetKeyRotationStatusCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {conformanceTargets} from '../helpers/targets.js';

const template = readFileSync('KmsKey.yaml', 'utf8');
const targets = await conformanceTargets();

afterAll(async () => {
	for (const target of targets) await target.close();
});

/** Polls until the stack leaves *_IN_PROGRESS (the sandbox runs due steps on every request). */
async function settle(cfn: CloudFormationClient, stackName: string): Promise<Stack> {
	for (let attempt = 0; attempt < 300; attempt++) {
		const stack = (await cfn.send(new DescribeStacksCommand({StackName: stackName}))).Stacks?.[0];
		if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) {
			return stack;
		}
	}
	throw new Error(`${stackName} did not settle`);
}

function expectOutputs(stack: Stack, keyId: string, aliasName: string): void {
	const outputs = Object.fromEntries(
		(stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
	);
	expect(outputs.KeyId).toBe(keyId);
	expect(outputs.KeyArn).toMatch(new RegExp(`^arn:aws:kms:us-east-1:\\d{12}:key/${keyId}$`));
	expect(outputs.AliasName).toBe(aliasName);
	expect(stack.Outputs?.every((o) => (o.Description ?? '') !== '')).toBe(true);
}

describe.each(targets.map((target) => ({name: target.name, target})))(
	'CloudFormation conformance: $name',
	({target}) => {
		const isSandbox = target.name === 'sandbox';
		const stackName = `Conformance${target.name === 'sandbox' ? 'Sandbox' : 'Moto'}`;
		let cfn: CloudFormationClient;
		let stackId = '';
		let keyId = '';

		beforeAll(() => {
			cfn = target.cfn();
		});

		test('ValidateTemplate lists the parameters with their defaults', async () => {
			const validated = await cfn.send(new ValidateTemplateCommand({TemplateBody: template}));
			expect(validated.Description).toContain('kms-tui demo key');
			if (isSandbox) {
				const parameters = Object.fromEntries(
					(validated.Parameters ?? []).map((p) => [p.ParameterKey, p.DefaultValue]),
				);
				expect(parameters).toEqual({
					AliasName: 'alias/kms-tui-demo',
					PendingWindowInDays: '7',
					RotationPeriodInDays: '365',
				});
			}
		});

		test('an unknown stack is "Stack with id <name> does not exist"', async () => {
			await expect(
				cfn.send(new DescribeStacksCommand({StackName: 'NoSuchStack'})),
			).rejects.toMatchObject({
				name: 'ValidationError',
				message: 'Stack with id NoSuchStack does not exist',
			});
		});

		test('a CREATE change set executes to CREATE_COMPLETE with the outputs', async () => {
			const created = await cfn.send(
				new CreateChangeSetCommand({
					StackName: stackName,
					ChangeSetName: 'deploy-1',
					ChangeSetType: 'CREATE',
					TemplateBody: template,
					Parameters: [
						{ParameterKey: 'AliasName', ParameterValue: `alias/${stackName.toLowerCase()}`},
					],
					Description: 'Created by the conformance test',
				}),
			);
			expect(created.Id).toMatch(/^arn:aws:cloudformation:us-east-1:\d{12}:changeSet\/deploy-1\//);
			stackId = created.StackId ?? '';
			expect(stackId).toMatch(
				new RegExp(`^arn:aws:cloudformation:us-east-1:\\d{12}:stack/${stackName}/`),
			);
			const described = await cfn.send(new DescribeChangeSetCommand({ChangeSetName: created.Id}));
			expect(described.Status).toBe('CREATE_COMPLETE');
			expect(described.ExecutionStatus).toBe('AVAILABLE');
			const actions = (described.Changes ?? []).map((c) => [
				c.ResourceChange?.Action,
				c.ResourceChange?.LogicalResourceId,
			]);
			expect(actions).toEqual(
				expect.arrayContaining([
					['Add', 'Key'],
					['Add', 'Alias'],
				]),
			);
			const review = (await cfn.send(new DescribeStacksCommand({StackName: stackName})))
				.Stacks?.[0];
			expect(review?.StackStatus).toBe('REVIEW_IN_PROGRESS');

			await cfn.send(new ExecuteChangeSetCommand({ChangeSetName: created.Id}));
			const stack = await settle(cfn, stackName);
			expect(stack.StackStatus).toBe('CREATE_COMPLETE');
			const resources = (await cfn.send(new DescribeStackResourcesCommand({StackName: stackName})))
				.StackResources;
			keyId = resources?.find((r) => r.LogicalResourceId === 'Key')?.PhysicalResourceId ?? '';
			expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
			if (isSandbox) {
				expectOutputs(stack, keyId, `alias/${stackName.toLowerCase()}`);
			}
		});

		test('the stack made a key KMS knows, with rotation enabled', async () => {
			const kms = target.kms();
			const metadata = (await kms.send(new DescribeKeyCommand({KeyId: keyId}))).KeyMetadata;
			expect(metadata?.KeyState).toBe('Enabled');
			const rotation = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
			expect(rotation.KeyRotationEnabled).toBe(true);
			if (isSandbox) {
				expect(rotation.RotationPeriodInDays).toBe(365);
				expect(metadata?.Description).toBe('kms-tui demo key for envelope encryption');
			}
		});

		test('DescribeStackResources lists the key and the alias', async () => {
			const resources =
				(await cfn.send(new DescribeStackResourcesCommand({StackName: stackName})))
					.StackResources ?? [];
			const byId = Object.fromEntries(resources.map((r) => [r.LogicalResourceId, r]));
			expect(byId.Key).toMatchObject({
				ResourceType: 'AWS::KMS::Key',
				PhysicalResourceId: keyId,
				ResourceStatus: 'CREATE_COMPLETE',
			});
			expect(byId.Alias).toMatchObject({
				ResourceType: 'AWS::KMS::Alias',
				ResourceStatus: 'CREATE_COMPLETE',
			});
			if (isSandbox) {
				expect(byId.Alias?.PhysicalResourceId).toBe(`alias/${stackName.toLowerCase()}`);
			}
		});

		test('events are present, newest first, ending with the stack CREATE_COMPLETE', async () => {
			const events =
				(await cfn.send(new DescribeStackEventsCommand({StackName: stackName}))).StackEvents ?? [];
			expect(events.length).toBeGreaterThan(2);
			const newest = events[0];
			expect(newest).toMatchObject({
				LogicalResourceId: stackName,
				ResourceType: 'AWS::CloudFormation::Stack',
				ResourceStatus: 'CREATE_COMPLETE',
				StackId: stackId,
			});
			if (isSandbox) {
				const statuses = events.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
				expect(statuses).toEqual(
					expect.arrayContaining(['Key CREATE_COMPLETE', 'Alias CREATE_COMPLETE']),
				);
				expect(events.at(-1)).toMatchObject({
					ResourceStatus: 'REVIEW_IN_PROGRESS',
					ResourceStatusReason: 'User Initiated',
				});
				expect(newest?.PhysicalResourceId).toBe(stackId);
			}
		});

		test('an unchanged UPDATE change set FAILS with the "didn\'t contain changes" reason', async () => {
			const attempt = cfn.send(
				new CreateChangeSetCommand({
					StackName: stackName,
					ChangeSetName: 'deploy-2',
					ChangeSetType: 'UPDATE',
					TemplateBody: template,
					Parameters: [
						{ParameterKey: 'AliasName', UsePreviousValue: true},
						{ParameterKey: 'PendingWindowInDays', UsePreviousValue: true},
						{ParameterKey: 'RotationPeriodInDays', UsePreviousValue: true},
					],
				}),
			);
			if (!isSandbox) {
				await attempt.catch(() => undefined);
				return;
			}
			const created = await attempt;
			const described = await cfn.send(new DescribeChangeSetCommand({ChangeSetName: created.Id}));
			expect(described.Status).toBe('FAILED');
			expect(described.ExecutionStatus).toBe('UNAVAILABLE');
			expect(described.StatusReason).toBe(
				"The submitted information didn't contain changes. Submit different information to create a change set.",
			);
		});

		test('DeleteStack ends in DELETE_COMPLETE and the name no longer resolves', async () => {
			await cfn.send(new DeleteStackCommand({StackName: stackName}));
			let status: string | undefined = 'DELETE_IN_PROGRESS';
			for (let attempt = 0; attempt < 100 && status === 'DELETE_IN_PROGRESS'; attempt++) {
				status = (await cfn.send(new DescribeStacksCommand({StackName: stackId}))).Stacks?.[0]
					?.StackStatus;
			}
			expect(status).toBe('DELETE_COMPLETE');
			await expect(
				cfn.send(new DescribeStacksCommand({StackName: stackName})),
			).rejects.toMatchObject({
				message: `Stack with id ${stackName} does not exist`,
			});
			if (isSandbox) {
				const metadata = (await target.kms().send(new DescribeKeyCommand({KeyId: keyId})))
					.KeyMetadata;
				expect(metadata?.KeyState).toBe('PendingDeletion');
			}
		});
		test('CreateStack creates the stack with the outputs KeyId, KeyArn and AliasName', async () => {
			const name = `${stackName}Direct`;
			await cfn.send(
				new CreateStackCommand({
					StackName: name,
					TemplateBody: template,
					Parameters: [{ParameterKey: 'AliasName', ParameterValue: `alias/${name.toLowerCase()}`}],
				}),
			);
			const stack = await settle(cfn, name);
			expect(stack.StackStatus).toBe('CREATE_COMPLETE');
			const key = (
				await cfn.send(new DescribeStackResourcesCommand({StackName: name}))
			).StackResources?.find((r) => r.LogicalResourceId === 'Key');
			expectOutputs(stack, key?.PhysicalResourceId ?? '', `alias/${name.toLowerCase()}`);
			await expect(
				cfn.send(new CreateStackCommand({StackName: name, TemplateBody: template})),
			).rejects.toMatchObject({name: 'AlreadyExistsException'});
			await cfn.send(new DeleteStackCommand({StackName: name}));
		});
	},
);
