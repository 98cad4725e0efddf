/**
 * CloudFormation: read a stack, deploy it with `aws cloudformation deploy` semantics (create or
 * update through a change set; an empty change set is success), stream its events while waiting,
 * and delete it.
 */
import {
	CloudFormationClient,
	CreateChangeSetCommand,
	DeleteChangeSetCommand,
	DeleteStackCommand,
	DescribeStackResourcesCommand,
	DescribeStacksCommand,
	ExecuteChangeSetCommand,
	type Stack,
	ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import {type Connection, clientConfig} from './clients.js';
import {mapErrors, ServiceError, toServiceError} from './errors.js';
import type {SceneDefaults} from './key-service.js';
import {existingEventIds, type Watcher, waitForChangeSet, watchStack} from './stack-watch.js';
import {
	changeSetParameters,
	checkGivenParameters,
	parametersDeclaredIn,
} from './template-parameters.js';
import {
	type CallOptions,
	type DeployPlan,
	type DeployRequest,
	type DeployResult,
	type DestroyResult,
	isFailedStackStatus,
	type StackEvent,
	type StackInfo,
	type TemplateParameter,
} from './types.js';

const emptyChangeSetReason = "The submitted information didn't contain changes";

/** A StackService with its own CloudFormation client, configured like the connection's KMS client. */
export function createStackService(
	connection: Connection,
	scene: SceneDefaults,
	pollMs: number,
): StackService {
	return new StackService(new CloudFormationClient(clientConfig(connection)), scene, pollMs);
}

export class StackService {
	private readonly cfn: CloudFormationClient;
	private readonly scene: SceneDefaults;
	private readonly pollMs: number;

	constructor(cfn: CloudFormationClient, scene: SceneDefaults, pollMs: number) {
		this.cfn = cfn;
		this.scene = scene;
		this.pollMs = pollMs;
	}

	/** Releases the client's sockets. */
	close(): void {
		this.cfn.destroy();
	}

	/** Undefined when no stack of that name exists (or only one that is waiting for review). */
	async findStack(stackName: string, options: CallOptions = {}): Promise<StackInfo | undefined> {
		try {
			const output = await this.cfn.send(new DescribeStacksCommand({StackName: stackName}), {
				abortSignal: options.signal,
			});
			const stack = output.Stacks?.[0];
			return stack ? toStackInfo(stack) : undefined;
		} catch (error) {
			// CloudFormation's exact words for a missing stack: "Stack with id NAME does not exist".
			if (
				(error as Error).name === 'ValidationError' &&
				(error as Error).message === `Stack with id ${stackName} does not exist`
			)
				return undefined;
			throw toServiceError(error, {...this.scene, action: 'read the stack', resource: stackName});
		}
	}

	async requireStack(stackName: string, options: CallOptions = {}): Promise<StackInfo> {
		const stack = await this.findStack(stackName, options);
		if (!stack || stack.status === 'REVIEW_IN_PROGRESS') {
			throw new ServiceError(
				'not-found',
				`The stack ${stackName} does not exist in ${this.scene.region ?? 'this region'}.`,
				'Deploy it with `kms-tui deploy`, or pass the right --stack-name and --region.',
			);
		}
		return stack;
	}

	/**
	 * The stack's outputs; when the stack reports none although it holds a key (moto drops the
	 * outputs of stacks created through change sets), the key and alias are read from its
	 * resources instead, and `derived` says so.
	 */
	async keyOutputs(
		stack: StackInfo,
		options: CallOptions = {},
	): Promise<{outputs: Record<string, string>; derived: boolean}> {
		if (stack.outputs.KeyId) return {outputs: {...stack.outputs}, derived: false};
		const resources = await this.call('list the stack resources', stack.name, () =>
			this.cfn.send(new DescribeStackResourcesCommand({StackName: stack.id}), {
				abortSignal: options.signal,
			}),
		);
		const physical = (type: string) =>
			resources.StackResources?.find((resource) => resource.ResourceType === type)
				?.PhysicalResourceId;
		const keyId = physical('AWS::KMS::Key');
		if (!keyId) return {outputs: {...stack.outputs}, derived: false};
		const alias = physical('AWS::KMS::Alias');
		return {
			outputs: {...stack.outputs, KeyId: keyId, ...(alias ? {AliasName: alias} : {})},
			derived: true,
		};
	}

	async templateParameters(
		templateBody: string,
		options: CallOptions = {},
	): Promise<TemplateParameter[]> {
		return this.call('validate the template', undefined, async () => {
			const output = await this.cfn.send(
				new ValidateTemplateCommand({TemplateBody: templateBody}),
				{
					abortSignal: options.signal,
				},
			);
			const declared = parametersDeclaredIn(templateBody);
			const reported = (output.Parameters ?? []).map((parameter) => {
				const key = parameter.ParameterKey ?? '';
				return {
					key,
					defaultValue: parameter.DefaultValue,
					description: parameter.Description,
					noEcho: parameter.NoEcho ?? false,
					rules: declared.find((local) => local.key === key)?.rules ?? {type: 'String'},
				};
			});
			// Some emulators (moto) validate but report no parameters; read them from the template.
			return reported.length > 0 ? reported : declared;
		});
	}

	async deploy(request: DeployRequest): Promise<DeployResult> {
		const {stackName, signal} = request;
		const declared = await this.templateParameters(request.templateBody, {signal});
		checkGivenParameters(declared, request.parameters);
		const existing = await this.findStack(stackName, {signal});
		if (existing?.status === 'ROLLBACK_COMPLETE' || existing?.status === 'ROLLBACK_FAILED') {
			throw new ServiceError(
				'stack',
				`The stack ${stackName} is in ${existing.status}: its creation failed and was rolled back, so it cannot be updated.`,
				'Delete it with `kms-tui destroy`, then run `kms-tui deploy` again.',
			);
		}
		const isCreate = !existing || existing.status === 'REVIEW_IN_PROGRESS';
		const parameters = changeSetParameters(
			declared,
			request.parameters,
			isCreate ? undefined : existing?.parameters,
		);

		const changeSetType = isCreate ? 'CREATE' : 'UPDATE';
		let created: {Id?: string};
		try {
			created = await this.cfn.send(
				new CreateChangeSetCommand({
					StackName: stackName,
					ChangeSetName: `kms-tui-${Date.now()}`,
					ChangeSetType: changeSetType,
					TemplateBody: request.templateBody,
					Parameters: parameters,
					Description: `Created by kms-tui at ${new Date().toISOString()}`,
				}),
				{abortSignal: signal},
			);
		} catch (error) {
			// AWS reports an empty change set through its status; some emulators (moto) refuse it outright.
			if (/^No updates are to be performed\.?$/.test((error as Error).message)) {
				return {outcome: 'no-changes', stack: await this.requireStack(stackName, {signal})};
			}
			throw toServiceError(error, {
				...this.scene,
				action: 'create the change set',
				resource: stackName,
			});
		}
		const changeSetId = created.Id ?? '';
		const described = await waitForChangeSet(this.watcher(), changeSetId, stackName, signal);
		if (described.Status === 'FAILED') {
			const reason = described.StatusReason ?? '';
			if (reason.includes(emptyChangeSetReason) || /No updates are to be performed/.test(reason)) {
				await this.cfn
					.send(new DeleteChangeSetCommand({ChangeSetName: changeSetId, StackName: stackName}))
					.catch(() => undefined);
				return {outcome: 'no-changes', stack: await this.requireStack(stackName, {signal})};
			}
			throw new ServiceError(
				'stack',
				`CloudFormation could not plan the deployment of ${stackName}: ${reason}`,
				'Fix the template or parameters and deploy again.',
			);
		}
		const plan: DeployPlan = {
			stackName,
			changeSetId,
			changeSetType,
			changes: (described.Changes ?? []).map((change) => ({
				action: change.ResourceChange?.Action ?? 'Unknown',
				logicalId: change.ResourceChange?.LogicalResourceId ?? '',
				physicalId: change.ResourceChange?.PhysicalResourceId,
				resourceType: change.ResourceChange?.ResourceType ?? '',
				replacement: change.ResourceChange?.Replacement,
			})),
		};
		if (!(await request.confirm(plan))) {
			// Leave nothing behind: a declined CREATE would otherwise leave a REVIEW_IN_PROGRESS stack.
			await this.cfn
				.send(new DeleteChangeSetCommand({ChangeSetName: changeSetId, StackName: stackName}))
				.catch(() => undefined);
			if (isCreate)
				await this.cfn.send(new DeleteStackCommand({StackName: stackName})).catch(() => undefined);
			return {outcome: 'declined', plan};
		}
		const seen = await existingEventIds(this.cfn, stackName, signal);
		await this.call('execute the change set', stackName, () =>
			this.cfn.send(
				new ExecuteChangeSetCommand({ChangeSetName: changeSetId, StackName: stackName}),
				{abortSignal: signal},
			),
		);
		const stackId = described.StackId ?? stackName;
		const {stack, failures} = await watchStack(
			this.watcher(),
			stackId,
			seen,
			request.onEvent,
			signal,
		);
		return isFailedStackStatus(stack.status)
			? {outcome: 'failed', plan, stack, failures}
			: {outcome: 'succeeded', plan, stack};
	}

	/** Deletes the stack and waits; returns the key ids the stack held so callers can say what became of them. */
	async destroy(
		stackName: string,
		options: CallOptions & {onEvent?: (event: StackEvent) => void} = {},
	): Promise<DestroyResult> {
		const stack = await this.requireStack(stackName, options);
		const resources = await this.call('list the stack resources', stackName, () =>
			this.cfn.send(new DescribeStackResourcesCommand({StackName: stack.id}), {
				abortSignal: options.signal,
			}),
		);
		const keyIds = (resources.StackResources ?? [])
			.filter(
				(resource) => resource.ResourceType === 'AWS::KMS::Key' && resource.PhysicalResourceId,
			)
			.map((resource) => resource.PhysicalResourceId as string);
		const seen = await existingEventIds(this.cfn, stack.id, options.signal);
		await this.call('delete the stack', stackName, () =>
			this.cfn.send(new DeleteStackCommand({StackName: stack.id}), {abortSignal: options.signal}),
		);
		const result = await watchStack(
			this.watcher(),
			stack.id,
			seen,
			options.onEvent,
			options.signal,
		);
		return {stack: result.stack, keyIds, failures: result.failures};
	}

	private watcher(): Watcher {
		return {
			cfn: this.cfn,
			pollMs: this.pollMs,
			call: (action, resource, work) => this.call(action, resource, work),
			findStack: (nameOrId, options) => this.findStack(nameOrId, options),
		};
	}

	private call<T>(
		action: string,
		resource: string | undefined,
		work: () => Promise<T>,
	): Promise<T> {
		return mapErrors({...this.scene, action, resource}, work);
	}
}

export function toStackInfo(stack: Stack): StackInfo {
	return {
		name: stack.StackName ?? '',
		id: stack.StackId ?? '',
		status: stack.StackStatus ?? 'UNKNOWN',
		statusReason: stack.StackStatusReason,
		createdAt: stack.CreationTime,
		updatedAt: stack.LastUpdatedTime,
		outputs: Object.fromEntries(
			(stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
		),
		parameters: Object.fromEntries(
			(stack.Parameters ?? []).map((parameter) => [
				parameter.ParameterKey ?? '',
				parameter.ParameterValue ?? '',
			]),
		),
	};
}
