/**
 * Sandbox-only strictness of the CloudFormation engine: failures and rollbacks, parameter and
 * template validation with AWS's texts, unsupported resource types, intrinsics and conditions,
 * DeletionPolicy Retain, and stack operations that advance with the sandbox clock.
 */
import {readFileSync} from 'node:fs';
import {
	type CloudFormationClient,
	CreateChangeSetCommand,
	CreateStackCommand,
	DeleteStackCommand,
	DescribeStackEventsCommand,
	DescribeStackResourcesCommand,
	DescribeStacksCommand,
	type Stack,
	UpdateStackCommand,
	ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import {
	DescribeKeyCommand,
	GetKeyRotationStatusCommand,
	ListAliasesCommand,
} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startTestSandbox, type TestSandbox} from '../helpers/sandbox.js';

const kmsKeyTemplate = readFileSync('KmsKey.yaml', 'utf8');
const failingTemplate = readFileSync('test/fixtures/failing-alias.yaml', 'utf8');

async function settle(cfn: CloudFormationClient, stackName: string): Promise<Stack> {
	for (let attempt = 0; attempt < 200; attempt++) {
		const stack = (await cfn.send(new DescribeStacksCommand({StackName: stackName}))).Stacks?.[0];
		if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) {
			return stack;
		}
	}
	throw new Error(`${stackName} did not settle`);
}

async function events(cfn: CloudFormationClient, stackName: string) {
	return (await cfn.send(new DescribeStackEventsCommand({StackName: stackName}))).StackEvents ?? [];
}

function outputsOf(stack: Stack): Record<string, string> {
	return Object.fromEntries(
		(stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
	);
}

const keyOnly = (extra = '') => `
Resources:
  Key:
    Type: AWS::KMS::Key
${extra}`;

describe('CloudFormation engine strictness', () => {
	let sandbox: TestSandbox;
	let cfn: CloudFormationClient;

	beforeAll(async () => {
		sandbox = await startTestSandbox({stackStepMs: 0});
		cfn = sandbox.cfn();
	});
	afterAll(async () => {
		await sandbox.close();
	});

	it('rolls back a stack whose alias KMS refuses, then only allows deleting it', async () => {
		const {StackId: stackId} = await cfn.send(
			new CreateStackCommand({StackName: 'Failing', TemplateBody: failingTemplate}),
		);
		const stack = await settle(cfn, 'Failing');
		expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
		const all = await events(cfn, 'Failing');
		const sequence = all.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
		expect(sequence).toEqual([
			'Failing ROLLBACK_COMPLETE',
			'Key DELETE_COMPLETE',
			'Key DELETE_IN_PROGRESS',
			'Alias DELETE_COMPLETE',
			'Failing ROLLBACK_IN_PROGRESS',
			'Alias CREATE_FAILED',
			'Alias CREATE_IN_PROGRESS',
			'Key CREATE_COMPLETE',
			'Key CREATE_IN_PROGRESS',
			'Key CREATE_IN_PROGRESS',
			'Failing CREATE_IN_PROGRESS',
		]);
		const failed = all.find((e) => e.ResourceStatus === 'CREATE_FAILED');
		expect(failed?.ResourceStatusReason).toMatch(
			/^Resource handler returned message: ".*alias\/aws\/.*" \(RequestToken: [0-9a-f-]+, HandlerErrorCode: InvalidRequest\)$/,
		);
		expect(failed?.ResourceStatusReason).toContain('Error Code: InvalidAliasNameException');
		expect(all.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')?.ResourceStatusReason).toBe(
			'The following resource(s) failed to create: [Alias]. Rollback requested by user.',
		);
		const keyId =
			all.find((e) => e.LogicalResourceId === 'Key' && e.PhysicalResourceId)?.PhysicalResourceId ??
			'';
		const key = (await sandbox.kms().send(new DescribeKeyCommand({KeyId: keyId}))).KeyMetadata;
		expect(key?.KeyState).toBe('PendingDeletion');

		await expect(
			cfn.send(new CreateStackCommand({StackName: 'Failing', TemplateBody: failingTemplate})),
		).rejects.toMatchObject({
			name: 'AlreadyExistsException',
			message: 'Stack [Failing] already exists',
		});
		await expect(
			cfn.send(new UpdateStackCommand({StackName: 'Failing', TemplateBody: kmsKeyTemplate})),
		).rejects.toMatchObject({
			name: 'ValidationError',
			message: `Stack:${stackId} is in ROLLBACK_COMPLETE state and can not be updated.`,
		});
		await expect(
			cfn.send(
				new CreateChangeSetCommand({
					StackName: 'Failing',
					ChangeSetName: 'again',
					ChangeSetType: 'CREATE',
					TemplateBody: kmsKeyTemplate,
				}),
			),
		).rejects.toMatchObject({
			message:
				'Stack [Failing] already exists and cannot be created again with the changeSet [again].',
		});
		await cfn.send(new DeleteStackCommand({StackName: 'Failing'}));
		expect((await settle(cfn, stackId ?? '')).StackStatus).toBe('DELETE_COMPLETE');
	});

	it('reports a schema violation in the CREATE_FAILED reason, and keeps the stack with OnFailure DO_NOTHING', async () => {
		await cfn.send(
			new CreateStackCommand({
				StackName: 'BadAlias',
				TemplateBody: failingTemplate,
				Parameters: [{ParameterKey: 'AliasName', ParameterValue: 'no-prefix'}],
				OnFailure: 'DO_NOTHING',
			}),
		);
		const stack = await settle(cfn, 'BadAlias');
		expect(stack.StackStatus).toBe('CREATE_FAILED');
		expect(stack.StackStatusReason).toBe('The following resource(s) failed to create: [Alias]. ');
		const failed = (await events(cfn, 'BadAlias')).find(
			(e) => e.ResourceStatus === 'CREATE_FAILED' && e.LogicalResourceId === 'Alias',
		);
		expect(failed?.ResourceStatusReason).toBe(
			'Properties validation failed for resource Alias with message: [#/AliasName: failed validation constraint for keyword [pattern]]',
		);
		const resources =
			(await cfn.send(new DescribeStackResourcesCommand({StackName: 'BadAlias'}))).StackResources ??
			[];
		expect(resources.map((r) => [r.LogicalResourceId, r.ResourceStatus])).toEqual([
			['Key', 'CREATE_COMPLETE'],
			['Alias', 'CREATE_FAILED'],
		]);
	});

	it('validates parameters with AWS messages', async () => {
		const create = (parameters: Array<[string, string]>, body = kmsKeyTemplate) =>
			cfn.send(
				new CreateStackCommand({
					StackName: 'Params',
					TemplateBody: body,
					Parameters: parameters.map(([ParameterKey, ParameterValue]) => ({
						ParameterKey,
						ParameterValue,
					})),
				}),
			);
		await expect(create([['AliasName', 'bad name']])).rejects.toMatchObject({
			name: 'ValidationError',
			message:
				"Parameter AliasName failed to satisfy constraint: must start with alias/ followed by letters, digits, '/', '_', '-' or ':'.",
		});
		await expect(create([['PendingWindowInDays', '3']])).rejects.toMatchObject({
			message: "Parameter 'PendingWindowInDays' must be a number not less than 7",
		});
		await expect(create([['RotationPeriodInDays', '9000']])).rejects.toMatchObject({
			message: "Parameter 'RotationPeriodInDays' must be a number not greater than 2560",
		});
		await expect(create([['RotationPeriodInDays', 'soon']])).rejects.toMatchObject({
			message: "Parameter 'RotationPeriodInDays' must be a number",
		});
		await expect(create([['Nope', 'x']])).rejects.toMatchObject({
			message: 'Parameters: [Nope] do not exist in the template',
		});
		const declared = `
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod]}
  Name: {Type: String, MinLength: 3, AllowedPattern: '[a-z]+'}
${keyOnly()}`;
		await expect(create([], declared)).rejects.toMatchObject({
			message: 'Parameters: [Env, Name] must have values',
		});
		await expect(
			create(
				[
					['Env', 'test'],
					['Name', 'abc'],
				],
				declared,
			),
		).rejects.toMatchObject({
			message: "Parameter 'Env' must be one of AllowedValues",
		});
		await expect(
			create(
				[
					['Env', 'dev'],
					['Name', 'ab'],
				],
				declared,
			),
		).rejects.toMatchObject({
			message: "Parameter 'Name' must contain at least 3 characters",
		});
		await expect(
			create(
				[
					['Env', 'dev'],
					['Name', 'ABC'],
				],
				declared,
			),
		).rejects.toMatchObject({
			message: "Parameter 'Name' must match pattern [a-z]+",
		});
		await expect(cfn.send(new DescribeStacksCommand({StackName: 'Params'}))).rejects.toMatchObject({
			message: 'Stack with id Params does not exist',
		});
	});

	it('refuses resource types the sandbox does not implement, naming them', async () => {
		const body = `${keyOnly()}  Bucket:\n    Type: AWS::S3::Bucket\n`;
		const expected = {
			name: 'ValidationError',
			message: expect.stringContaining(
				'Template format error: Unrecognized resource types: [AWS::S3::Bucket]',
			),
		};
		await expect(cfn.send(new ValidateTemplateCommand({TemplateBody: body}))).rejects.toMatchObject(
			expected,
		);
		await expect(
			cfn.send(new CreateStackCommand({StackName: 'S3', TemplateBody: body})),
		).rejects.toMatchObject(expected);
		await expect(
			cfn.send(
				new CreateChangeSetCommand({
					StackName: 'S3',
					ChangeSetName: 'c',
					ChangeSetType: 'CREATE',
					TemplateBody: body,
				}),
			),
		).rejects.toMatchObject({
			message: expect.stringContaining('supports only AWS::KMS::Key and AWS::KMS::Alias'),
		});
		await expect(cfn.send(new DescribeStacksCommand({StackName: 'S3'}))).rejects.toMatchObject({
			message: 'Stack with id S3 does not exist',
		});
	});

	it('reports template format errors', async () => {
		const validate = (TemplateBody: string) =>
			cfn.send(new ValidateTemplateCommand({TemplateBody}));
		await expect(validate('Resources: [a\nb: c')).rejects.toMatchObject({
			message: expect.stringMatching(
				/^Template format error: YAML not well-formed\. \(line \d+, column \d+\)/,
			),
		});
		await expect(validate('Description: nothing\n')).rejects.toMatchObject({
			message: 'Template format error: At least one Resources member must be defined.',
		});
		await expect(
			validate(keyOnly('    Properties:\n      Description: !Ref Missing\n')),
		).rejects.toMatchObject({
			message:
				'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
		});
		await expect(
			validate(`${keyOnly()}Outputs:\n  X:\n    Value: !GetAtt Key.Nope\n`),
		).rejects.toMatchObject({
			message: 'Template error: resource Key does not support attribute type Nope in Fn::GetAtt',
		});
		const cycle = `
Resources:
  A:
    Type: AWS::KMS::Key
    DependsOn: B
  B:
    Type: AWS::KMS::Key
    Properties:
      Description: !GetAtt A.Arn
`;
		await expect(validate(cycle)).rejects.toMatchObject({
			message: expect.stringMatching(/^Circular dependency between resources: \[(A, B|B, A)/),
		});
		const json = JSON.stringify({
			Description: 'json',
			Parameters: {P: {Type: 'String', Default: 'd', NoEcho: true, Description: 'secret'}},
			Resources: {Key: {Type: 'AWS::KMS::Key'}},
		});
		const validated = await validate(json);
		expect(validated.Description).toBe('json');
		expect(validated.Parameters).toEqual([
			{ParameterKey: 'P', DefaultValue: 'd', NoEcho: true, Description: 'secret'},
		]);
	});

	it('resolves intrinsics, mappings and conditions', async () => {
		const body = `
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}
  Names: {Type: CommaDelimitedList, Default: 'first,second'}
  Secret: {Type: String, NoEcho: true, Default: hidden}
Mappings:
  Windows:
    dev: {Days: 7}
    prod: {Days: 30}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Either: !Or [!Condition IsProd, !Condition IsDev]
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: !Sub 'key in \${AWS::Region} of \${AWS::StackName} for \${Env}, literal \${!Env}'
      PendingWindowInDays: !FindInMap [Windows, !Ref Env, Days]
      EnableKeyRotation: !If [IsProd, true, !Ref AWS::NoValue]
  ProdAlias:
    Type: AWS::KMS::Alias
    Condition: IsProd
    Properties:
      AliasName: !Join ['/', [alias, !Select [1, !Ref Names]]]
      TargetKeyId: !GetAtt Key.KeyId
  Second:
    Type: AWS::KMS::Key
    DependsOn: Key
    Properties:
      Description: !Join ['', [!Select [0, !Split [',', 'a,b']], '-', !Ref AWS::Partition, '-', !Ref AWS::AccountId]]
Outputs:
  Arn: {Value: !GetAtt [Key, Arn]}
  Description: {Value: !Sub ['\${Prefix}-\${Key}', {Prefix: !Ref Env}]}
  Encoded: {Value: !Base64 abc}
  AliasOut: {Condition: IsProd, Value: !Ref ProdAlias}
  Either: {Value: !If [Either, yes, no]}
  StackId: {Value: !Ref AWS::StackId, Export: {Name: !Sub '\${AWS::StackName}-id'}}
`;
		await cfn.send(new CreateStackCommand({StackName: 'Intrinsics', TemplateBody: body}));
		const dev = await settle(cfn, 'Intrinsics');
		expect(dev.StackStatus).toBe('CREATE_COMPLETE');
		const devOutputs = outputsOf(dev);
		const keyId = devOutputs.Arn?.split('/')[1] ?? '';
		expect(devOutputs.Description).toBe(`dev-${keyId}`);
		expect(devOutputs.Encoded).toBe('YWJj');
		expect(devOutputs.Either).toBe('yes');
		expect(devOutputs.AliasOut).toBeUndefined();
		expect(dev.Outputs?.find((o) => o.OutputKey === 'StackId')).toMatchObject({
			OutputValue: dev.StackId,
			ExportName: 'Intrinsics-id',
		});
		expect(dev.Parameters).toContainEqual({ParameterKey: 'Secret', ParameterValue: '****'});
		const kms = sandbox.kms();
		const key = (await kms.send(new DescribeKeyCommand({KeyId: keyId}))).KeyMetadata;
		expect(key?.Description).toBe(`key in us-east-1 of Intrinsics for dev, literal \${Env}`);
		expect(
			(await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}))).KeyRotationEnabled,
		).toBe(false);
		const resources =
			(await cfn.send(new DescribeStackResourcesCommand({StackName: 'Intrinsics'})))
				.StackResources ?? [];
		expect(resources.map((r) => r.LogicalResourceId)).toEqual(['Key', 'Second']);
		const second =
			resources.find((r) => r.LogicalResourceId === 'Second')?.PhysicalResourceId ?? '';
		expect((await kms.send(new DescribeKeyCommand({KeyId: second}))).KeyMetadata?.Description).toBe(
			'a-aws-000000000000',
		);

		await cfn.send(
			new UpdateStackCommand({
				StackName: 'Intrinsics',
				TemplateBody: body,
				Parameters: [{ParameterKey: 'Env', ParameterValue: 'prod'}],
			}),
		);
		const prod = await settle(cfn, 'Intrinsics');
		expect(prod.StackStatus).toBe('UPDATE_COMPLETE');
		expect(outputsOf(prod).AliasOut).toBe('alias/second');
		expect(
			(await kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}))).KeyRotationEnabled,
		).toBe(true);
		const aliases = (await kms.send(new ListAliasesCommand({KeyId: keyId}))).Aliases ?? [];
		expect(aliases.map((a) => a.AliasName)).toEqual(['alias/second']);

		// Back to dev: the conditional alias is removed in the cleanup phase.
		await cfn.send(
			new UpdateStackCommand({
				StackName: 'Intrinsics',
				TemplateBody: body,
				Parameters: [{ParameterKey: 'Env', ParameterValue: 'dev'}],
			}),
		);
		expect((await settle(cfn, 'Intrinsics')).StackStatus).toBe('UPDATE_COMPLETE');
		expect((await kms.send(new ListAliasesCommand({KeyId: keyId}))).Aliases).toEqual([]);
		// Deleting schedules each key with its own PendingWindowInDays (from the mapping: 7 days for dev).
		await cfn.send(new DeleteStackCommand({StackName: 'Intrinsics'}));
		expect((await settle(cfn, dev.StackId ?? '')).StackStatus).toBe('DELETE_COMPLETE');
		const deleted = (await kms.send(new DescribeKeyCommand({KeyId: keyId}))).KeyMetadata;
		const days = ((deleted?.DeletionDate?.getTime() ?? 0) - Date.now()) / 86_400_000;
		expect(Math.round(days)).toBe(7);
		const secondDeleted = (await kms.send(new DescribeKeyCommand({KeyId: second}))).KeyMetadata;
		expect(
			Math.round(((secondDeleted?.DeletionDate?.getTime() ?? 0) - Date.now()) / 86_400_000),
		).toBe(30);
	});

	it('keeps a key with DeletionPolicy Retain when the stack is deleted', async () => {
		const body = keyOnly(
			'    DeletionPolicy: Retain\n    Properties:\n      Description: kept\nOutputs:\n  KeyId: {Value: !Ref Key}\n',
		);
		await cfn.send(new CreateStackCommand({StackName: 'Retained', TemplateBody: body}));
		const stack = await settle(cfn, 'Retained');
		const keyId = outputsOf(stack).KeyId ?? '';
		await cfn.send(new DeleteStackCommand({StackName: 'Retained'}));
		expect((await settle(cfn, stack.StackId ?? '')).StackStatus).toBe('DELETE_COMPLETE');
		const all = await events(cfn, stack.StackId ?? '');
		expect(all.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).slice(0, 3)).toEqual([
			'Retained DELETE_COMPLETE',
			'Key DELETE_SKIPPED',
			'Retained DELETE_IN_PROGRESS',
		]);
		expect(
			(await sandbox.kms().send(new DescribeKeyCommand({KeyId: keyId}))).KeyMetadata?.KeyState,
		).toBe('Enabled');
	});

	it('answers an unknown action with InvalidAction', async () => {
		const response = await fetch(sandbox.endpoint, {
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				authorization: `AWS4-HMAC-SHA256 Credential=sandbox/20240101/${sandbox.region}/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
			},
			body: 'Action=DescribeNothing&Version=2010-05-15',
		});
		expect(response.status).toBe(400);
		const text = await response.text();
		expect(text).toContain('<Code>InvalidAction</Code>');
		expect(text).toContain('The action DescribeNothing is not valid for this web service.');
	});
});

describe('stack operations advance with the sandbox clock', () => {
	let sandbox: TestSandbox;

	beforeAll(async () => {
		sandbox = await startTestSandbox({stackStepMs: 60_000});
	});
	afterAll(async () => {
		await sandbox.close();
	});

	it('runs one step per stackStepMs, so events arrive one by one', async () => {
		const cfn = sandbox.cfn();
		await cfn.send(new CreateStackCommand({StackName: 'Slow', TemplateBody: kmsKeyTemplate}));
		const statuses = async () =>
			(await events(cfn, 'Slow')).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
		expect(await statuses()).toEqual(['Slow CREATE_IN_PROGRESS']);
		await sandbox.advance(60_000);
		expect(await statuses()).toEqual(['Key CREATE_IN_PROGRESS', 'Slow CREATE_IN_PROGRESS']);
		await sandbox.advance(60_000);
		expect((await statuses())[0]).toBe('Key CREATE_IN_PROGRESS');
		expect(
			(await cfn.send(new DescribeStacksCommand({StackName: 'Slow'}))).Stacks?.[0]?.StackStatus,
		).toBe('CREATE_IN_PROGRESS');
		await sandbox.advance(10 * 60_000);
		const stack = (await cfn.send(new DescribeStacksCommand({StackName: 'Slow'}))).Stacks?.[0];
		expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
		const times = (await events(cfn, 'Slow')).map((e) => e.Timestamp?.getTime() ?? 0).reverse();
		// Each event carries the time its step was due, one step apart.
		expect(times.slice(1).map((time, index) => time - (times[index] ?? 0))).toEqual(
			Array(7).fill(60_000),
		);
	});
});
