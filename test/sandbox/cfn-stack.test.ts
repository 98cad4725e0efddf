/**
 * The lifecycle of KmsKey.yaml on the sandbox, through the real SDK clients over HTTP: create
 * through a change set, events, outputs, the key as KMS sees it, updates (replacement and
 * in-place), the empty change set, deletion and the deleted stack found by its ID.
 */
import {readFileSync} from 'node:fs';
import {
	type CloudFormationClient,
	CreateChangeSetCommand,
	DeleteStackCommand,
	DescribeChangeSetCommand,
	type DescribeChangeSetOutput,
	DescribeStackEventsCommand,
	DescribeStackResourcesCommand,
	DescribeStacksCommand,
	ExecuteChangeSetCommand,
	GetTemplateCommand,
	ListChangeSetsCommand,
	ListStacksCommand,
	type Parameter,
	type Stack,
	UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import {
	DescribeKeyCommand,
	GetKeyPolicyCommand,
	GetKeyRotationStatusCommand,
	ListAliasesCommand,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

const template = readFileSync('KmsKey.yaml', 'utf8');

/** Polls until the stack leaves *_IN_PROGRESS: each request runs the steps that are due. */
async function settle(cfn: CloudFormationClient, stackName: string): Promise<Stack> {
	for (let attempt = 0; attempt < 200; attempt++) {
		const stack = (await cfn.send(new DescribeStacksCommand({StackName: stackName}))).Stacks?.[0];
		if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) {
			return stack;
		}
	}
	throw new Error(`${stackName} did not settle`);
}

async function changeSet(
	cfn: CloudFormationClient,
	name: string,
	type: 'CREATE' | 'UPDATE',
	parameters: Parameter[] = [],
	body = template,
): Promise<DescribeChangeSetOutput> {
	const created = await cfn.send(
		new CreateChangeSetCommand({
			StackName: 'KmsKey',
			ChangeSetName: name,
			ChangeSetType: type,
			TemplateBody: body,
			Parameters: parameters,
		}),
	);
	return cfn.send(new DescribeChangeSetCommand({ChangeSetName: created.Id}));
}

function outputsOf(stack: Stack): Record<string, string> {
	return Object.fromEntries(
		(stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
	);
}

describe('KmsKey.yaml on the sandbox', () => {
	let sandbox: TestSandbox;
	let cfn: CloudFormationClient;
	let stackId: string;
	let keyId: string;

	beforeAll(async () => {
		sandbox = await startTestSandbox({stackStepMs: 0});
		cfn = sandbox.cfn();
	});
	afterAll(async () => {
		await sandbox.close();
	});

	it('plans a CREATE change set and holds the stack in REVIEW_IN_PROGRESS', async () => {
		const described = await changeSet(cfn, 'create-1', 'CREATE');
		expect(described.Status).toBe('CREATE_COMPLETE');
		expect(described.ExecutionStatus).toBe('AVAILABLE');
		expect(described.ChangeSetId).toMatch(
			/^arn:aws:cloudformation:us-east-1:\d{12}:changeSet\/create-1\//,
		);
		expect(
			described.Changes?.map((c) => [
				c.Type,
				c.ResourceChange?.Action,
				c.ResourceChange?.LogicalResourceId,
			]),
		).toEqual([
			['Resource', 'Add', 'Key'],
			['Resource', 'Add', 'Alias'],
		]);
		const stack = (await cfn.send(new DescribeStacksCommand({StackName: 'KmsKey'}))).Stacks?.[0];
		expect(stack?.StackStatus).toBe('REVIEW_IN_PROGRESS');
		stackId = stack?.StackId ?? '';
		expect(stackId).toMatch(
			/^arn:aws:cloudformation:us-east-1:\d{12}:stack\/KmsKey\/[0-9a-f-]{36}$/,
		);
		// A second CREATE change set is allowed while nothing was executed; executing one deletes the other.
		await changeSet(cfn, 'create-2', 'CREATE');
		expect(
			(await cfn.send(new ListChangeSetsCommand({StackName: 'KmsKey'}))).Summaries,
		).toHaveLength(2);
	});

	it('executes the change set: CREATE_COMPLETE with outputs, events newest first', async () => {
		await cfn.send(new ExecuteChangeSetCommand({ChangeSetName: 'create-1', StackName: 'KmsKey'}));
		const stack = await settle(cfn, 'KmsKey');
		expect(stack.StackStatus).toBe('CREATE_COMPLETE');
		const outputs = outputsOf(stack);
		keyId = outputs.KeyId ?? '';
		expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
		expect(outputs.KeyArn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${keyId}`);
		expect(outputs.AliasName).toBe('alias/kms-tui-demo');
		expect(stack.Outputs?.every((o) => (o.Description ?? '').length > 0)).toBe(true);
		expect(stack.Parameters).toContainEqual({
			ParameterKey: 'PendingWindowInDays',
			ParameterValue: '7',
		});

		const summaries =
			(await cfn.send(new ListChangeSetsCommand({StackName: 'KmsKey'}))).Summaries ?? [];
		expect(summaries.map((s) => [s.ChangeSetName, s.ExecutionStatus])).toEqual([
			['create-1', 'EXECUTE_COMPLETE'],
		]);

		const events =
			(await cfn.send(new DescribeStackEventsCommand({StackName: 'KmsKey'}))).StackEvents ?? [];
		const sequence = events.map((e) =>
			`${e.LogicalResourceId} ${e.ResourceStatus} ${e.ResourceStatusReason ?? ''}`.trim(),
		);
		expect(sequence).toEqual([
			'KmsKey CREATE_COMPLETE',
			'Alias CREATE_COMPLETE',
			'Alias CREATE_IN_PROGRESS Resource creation Initiated',
			'Alias CREATE_IN_PROGRESS',
			'Key CREATE_COMPLETE',
			'Key CREATE_IN_PROGRESS Resource creation Initiated',
			'Key CREATE_IN_PROGRESS',
			'KmsKey CREATE_IN_PROGRESS User Initiated',
			'KmsKey REVIEW_IN_PROGRESS User Initiated',
		]);
		const stackEvent = events[0];
		expect(stackEvent?.ResourceType).toBe('AWS::CloudFormation::Stack');
		expect(stackEvent?.PhysicalResourceId).toBe(stackId);
		const times = events.map((e) => e.Timestamp?.getTime() ?? 0);
		expect([...times].sort((a, b) => b - a)).toEqual(times);
		expect(new Set(events.map((e) => e.EventId)).size).toBe(events.length);
	});

	it('made the key KMS sees: rotation on, policy, tags, alias', async () => {
		const kms = sandbox.kms();
		const metadata = (await kms.send(new DescribeKeyCommand({KeyId: 'alias/kms-tui-demo'})))
			.KeyMetadata;
		expect(metadata?.KeyId).toBe(keyId);
		expect(metadata?.KeyState).toBe('Enabled');
		expect(metadata?.KeySpec).toBe('SYMMETRIC_DEFAULT');
		const rotation = await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}));
		expect(rotation.KeyRotationEnabled).toBe(true);
		expect(rotation.RotationPeriodInDays).toBe(365);
		const policy = JSON.parse(
			(await kms.send(new GetKeyPolicyCommand({KeyId: keyId}))).Policy ?? '{}',
		);
		expect(policy.Statement[0].Principal.AWS).toBe('arn:aws:iam::000000000000:root');
		const aliases = (await kms.send(new ListAliasesCommand({KeyId: keyId}))).Aliases ?? [];
		expect(aliases.map((a) => a.AliasName)).toEqual(['alias/kms-tui-demo']);

		const resources =
			(await cfn.send(new DescribeStackResourcesCommand({StackName: 'KmsKey'}))).StackResources ??
			[];
		expect(
			resources.map((r) => [
				r.LogicalResourceId,
				r.PhysicalResourceId,
				r.ResourceType,
				r.ResourceStatus,
			]),
		).toEqual([
			['Key', keyId, 'AWS::KMS::Key', 'CREATE_COMPLETE'],
			['Alias', 'alias/kms-tui-demo', 'AWS::KMS::Alias', 'CREATE_COMPLETE'],
		]);
		expect((await cfn.send(new GetTemplateCommand({StackName: 'KmsKey'}))).TemplateBody).toBe(
			template,
		);
	});

	it('reports an unchanged re-deploy with the texts aws cloudformation deploy looks for', async () => {
		const described = await changeSet(cfn, 'same', 'UPDATE', [
			{ParameterKey: 'AliasName', UsePreviousValue: true},
			{ParameterKey: 'PendingWindowInDays', UsePreviousValue: true},
			{ParameterKey: 'RotationPeriodInDays', UsePreviousValue: true},
		]);
		expect(described.Status).toBe('FAILED');
		expect(described.ExecutionStatus).toBe('UNAVAILABLE');
		expect(described.StatusReason).toBe(
			"The submitted information didn't contain changes. Submit different information to create a change set.",
		);
		await expect(
			cfn.send(new ExecuteChangeSetCommand({ChangeSetName: described.ChangeSetId})),
		).rejects.toMatchObject({
			// The SDK names modelled errors by shape: code InvalidChangeSetStatus on the wire.
			name: 'InvalidChangeSetStatusException',
			message: `ChangeSet [${described.ChangeSetId}] cannot be executed in its current status of [FAILED]`,
		});
		await expect(
			cfn.send(new UpdateStackCommand({StackName: 'KmsKey', TemplateBody: template})),
		).rejects.toMatchObject({name: 'ValidationError', message: 'No updates are to be performed.'});
		await expect(
			cfn.send(new DescribeChangeSetCommand({ChangeSetName: 'nope', StackName: 'KmsKey'})),
		).rejects.toMatchObject({
			name: 'ChangeSetNotFoundException',
			message: 'ChangeSet [nope] does not exist',
		});
	});

	it('updates in place (Modify, Replacement False) and replaces the alias on a new name', async () => {
		const described = await changeSet(cfn, 'update-1', 'UPDATE', [
			{ParameterKey: 'AliasName', ParameterValue: 'alias/kms-tui-renamed'},
			{ParameterKey: 'RotationPeriodInDays', ParameterValue: '180'},
			{ParameterKey: 'PendingWindowInDays', UsePreviousValue: true},
		]);
		expect(described.Status).toBe('CREATE_COMPLETE');
		const changes = Object.fromEntries(
			(described.Changes ?? []).map((c) => [c.ResourceChange?.LogicalResourceId, c.ResourceChange]),
		);
		expect(changes.Key).toMatchObject({
			Action: 'Modify',
			Replacement: 'False',
			PhysicalResourceId: keyId,
		});
		expect(changes.Key?.Details?.[0]?.Target).toMatchObject({
			Name: 'RotationPeriodInDays',
			RequiresRecreation: 'Never',
		});
		expect(changes.Alias).toMatchObject({
			Action: 'Modify',
			Replacement: 'True',
			PhysicalResourceId: 'alias/kms-tui-demo',
		});

		await cfn.send(new ExecuteChangeSetCommand({ChangeSetName: 'update-1', StackName: 'KmsKey'}));
		const stack = await settle(cfn, 'KmsKey');
		expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
		expect(outputsOf(stack).AliasName).toBe('alias/kms-tui-renamed');
		expect(outputsOf(stack).KeyId).toBe(keyId);

		const events =
			(await cfn.send(new DescribeStackEventsCommand({StackName: 'KmsKey'}))).StackEvents ?? [];
		const update = events
			.slice(
				0,
				events.findIndex(
					(e) => e.ResourceStatus === 'UPDATE_IN_PROGRESS' && e.LogicalResourceId === 'KmsKey',
				) + 1,
			)
			.map(
				(e) =>
					`${e.LogicalResourceId} ${e.PhysicalResourceId === stackId ? '-' : e.PhysicalResourceId} ${e.ResourceStatus}`,
			);
		expect(update).toEqual([
			'KmsKey - UPDATE_COMPLETE',
			'Alias alias/kms-tui-demo DELETE_COMPLETE',
			'Alias alias/kms-tui-demo DELETE_IN_PROGRESS',
			'KmsKey - UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
			'Alias alias/kms-tui-renamed UPDATE_COMPLETE',
			'Alias alias/kms-tui-renamed UPDATE_IN_PROGRESS',
			'Alias alias/kms-tui-demo UPDATE_IN_PROGRESS',
			`Key ${keyId} UPDATE_COMPLETE`,
			`Key ${keyId} UPDATE_IN_PROGRESS`,
			'KmsKey - UPDATE_IN_PROGRESS',
		]);
		const kms = sandbox.kms();
		const aliases = (await kms.send(new ListAliasesCommand({KeyId: keyId}))).Aliases ?? [];
		expect(aliases.map((a) => a.AliasName)).toEqual(['alias/kms-tui-renamed']);
		expect(
			(await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}))).RotationPeriodInDays,
		).toBe(180);
	});

	it('applies a description change with UpdateStack as an in-place update', async () => {
		const body = template.replace('kms-tui demo key for envelope encryption', 'renamed demo key');
		await cfn.send(
			new UpdateStackCommand({
				StackName: 'KmsKey',
				TemplateBody: body,
				Parameters: [
					{ParameterKey: 'AliasName', UsePreviousValue: true},
					{ParameterKey: 'RotationPeriodInDays', UsePreviousValue: true},
				],
			}),
		);
		expect((await settle(cfn, 'KmsKey')).StackStatus).toBe('UPDATE_COMPLETE');
		const metadata = (await sandbox.kms().send(new DescribeKeyCommand({KeyId: keyId}))).KeyMetadata;
		expect(metadata?.Description).toBe('renamed demo key');
		const stack = (await cfn.send(new DescribeStacksCommand({StackName: 'KmsKey'}))).Stacks?.[0];
		expect(stack?.Parameters).toContainEqual({
			ParameterKey: 'AliasName',
			ParameterValue: 'alias/kms-tui-renamed',
		});
		expect(stack?.Parameters).toContainEqual({
			ParameterKey: 'PendingWindowInDays',
			ParameterValue: '7',
		});
	});

	it('fails an update that changes KeySpec and rolls it back', async () => {
		const body = template.replace('KeySpec: SYMMETRIC_DEFAULT', 'KeySpec: HMAC_256');
		await cfn.send(
			new UpdateStackCommand({
				StackName: 'KmsKey',
				TemplateBody: body,
				Parameters: [
					{ParameterKey: 'AliasName', UsePreviousValue: true},
					{ParameterKey: 'RotationPeriodInDays', UsePreviousValue: true},
				],
			}),
		);
		const stack = await settle(cfn, 'KmsKey');
		expect(stack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
		const events =
			(await cfn.send(new DescribeStackEventsCommand({StackName: 'KmsKey'}))).StackEvents ?? [];
		const failed = events.find((e) => e.ResourceStatus === 'UPDATE_FAILED');
		expect(failed?.LogicalResourceId).toBe('Key');
		expect(failed?.ResourceStatusReason).toContain('KeySpec');
		expect(events.map((e) => e.ResourceStatus).slice(0, 3)).toEqual([
			'UPDATE_ROLLBACK_COMPLETE',
			'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
			'UPDATE_COMPLETE',
		]);
		expect(
			events.find((e) => e.ResourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS')?.ResourceStatusReason,
		).toBe('The following resource(s) failed to update: [Key]. ');
		// The rollback restored the previous template: the same template is again "no updates".
		await expect(
			cfn.send(
				new UpdateStackCommand({
					StackName: 'KmsKey',
					TemplateBody: template.replace(
						'kms-tui demo key for envelope encryption',
						'renamed demo key',
					),
					Parameters: ['AliasName', 'RotationPeriodInDays', 'PendingWindowInDays'].map((key) => ({
						ParameterKey: key,
						UsePreviousValue: true,
					})),
				}),
			),
		).rejects.toMatchObject({message: 'No updates are to be performed.'});
	});

	it('deletes: the key goes PendingDeletion with PendingWindowInDays, the stack stays findable by ID', async () => {
		await cfn.send(new DeleteStackCommand({StackName: 'KmsKey'}));
		const deleted = (await cfn.send(new DescribeStacksCommand({StackName: stackId}))).Stacks?.[0];
		expect(deleted?.StackStatus).toMatch(/^DELETE_/);
		let status = deleted?.StackStatus;
		for (let attempt = 0; attempt < 50 && status === 'DELETE_IN_PROGRESS'; attempt++) {
			status = (await cfn.send(new DescribeStacksCommand({StackName: stackId}))).Stacks?.[0]
				?.StackStatus;
		}
		expect(status).toBe('DELETE_COMPLETE');
		await expect(cfn.send(new DescribeStacksCommand({StackName: 'KmsKey'}))).rejects.toMatchObject({
			name: 'ValidationError',
			message: 'Stack with id KmsKey does not exist',
		});
		await expect(
			cfn.send(new DescribeStackEventsCommand({StackName: 'KmsKey'})),
		).rejects.toMatchObject({
			message: 'Stack [KmsKey] does not exist',
		});
		const metadata = (await sandbox.kms().send(new DescribeKeyCommand({KeyId: keyId}))).KeyMetadata;
		expect(metadata?.KeyState).toBe('PendingDeletion');
		const days = ((metadata?.DeletionDate?.getTime() ?? 0) - Date.now()) / 86_400_000;
		expect(days).toBeGreaterThan(6.9);
		expect(days).toBeLessThan(7.1);
		expect((await sandbox.kms().send(new ListAliasesCommand({KeyId: keyId}))).Aliases).toEqual([]);

		const summaries = (
			await cfn.send(new ListStacksCommand({StackStatusFilter: ['DELETE_COMPLETE']}))
		).StackSummaries;
		expect(summaries?.map((s) => s.StackId)).toContain(stackId);
		const byId =
			(await cfn.send(new DescribeStackResourcesCommand({StackName: stackId}))).StackResources ??
			[];
		expect(byId.map((r) => r.ResourceStatus)).toEqual(['DELETE_COMPLETE', 'DELETE_COMPLETE']);
		// Deleting again (by name, now unknown) is accepted silently, as in AWS.
		await cfn.send(new DeleteStackCommand({StackName: 'KmsKey'}));
	});
});
