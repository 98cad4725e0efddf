/**
 * Stack actions: CreateStack, UpdateStack, DeleteStack, the Describe/List reads, GetTemplate and
 * ValidateTemplate, with the exact texts `aws cloudformation deploy` and the SDK waiters rely on.
 */
import {randomUUID} from 'node:crypto';
import {AwsError, type RequestContext} from '../context.js';
import {setStatus, startCreate, startDelete, startUpdate, userInitiated} from './engine.js';
import {partitionOf} from './intrinsics.js';
import {type ParameterInput, resolveParameters} from './parameters.js';
import {sameDefinition} from './plan.js';
import {bool, optional, type Params, required, stringList, structList} from './query.js';
import {
	type CfnState,
	findStack,
	type Operation,
	type StackDefinition,
	type StoredStack,
} from './state.js';
import {parseTemplate} from './template.js';

export const updatableStatuses = [
	'CREATE_COMPLETE',
	'UPDATE_COMPLETE',
	'UPDATE_ROLLBACK_COMPLETE',
	'IMPORT_COMPLETE',
	'IMPORT_ROLLBACK_COMPLETE',
];

const namePattern = /^[a-zA-Z][-a-zA-Z0-9]*$/;

export function validation(message: string): AwsError {
	return new AwsError('ValidationError', message);
}

export function checkName(value: string, member: string, allowArn: boolean): void {
	if (value.length > 128 || !(namePattern.test(value) || (allowArn && value.startsWith('arn:')))) {
		const pattern = allowArn
			? '[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*'
			: '[a-zA-Z][-a-zA-Z0-9]*';
		throw validation(
			`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`,
		);
	}
}

export function arnPrefix(ctx: RequestContext): string {
	return `arn:${partitionOf(ctx.region).partition}:cloudformation:${ctx.region}:${ctx.accountId}`;
}

/** The definition a CreateStack/UpdateStack/CreateChangeSet request describes. */
export function readDefinition(params: Params, previous: StoredStack | undefined): StackDefinition {
	let templateBody = optional(params, 'TemplateBody');
	if (templateBody === undefined && bool(params, 'UsePreviousTemplate') && previous) {
		templateBody = previous.templateBody;
	}
	if (templateBody === undefined) {
		if (optional(params, 'TemplateURL') !== undefined) {
			throw validation(
				'TemplateURL is not supported by the kms-tui sandbox: pass the template inline with TemplateBody (aws cloudformation deploy does this for templates up to 51,200 bytes).',
			);
		}
		throw validation('Either Template URL or Template Body must be specified.');
	}
	const template = parseTemplate(templateBody);
	const given: ParameterInput[] = structList(params, 'Parameters').map((entry) => ({
		key: entry.ParameterKey ?? '',
		...(entry.ParameterValue === undefined ? {} : {value: entry.ParameterValue}),
		usePrevious: entry.UsePreviousValue?.toLowerCase() === 'true',
	}));
	const tagsGiven =
		params.Tags !== undefined || Object.keys(params).some((key) => key.startsWith('Tags.member.'));
	return {
		templateBody,
		template,
		parameters: resolveParameters(template, given, previous?.parameters),
		tags: tagsGiven
			? structList(params, 'Tags').map((tag) => ({Key: tag.Key ?? '', Value: tag.Value ?? ''}))
			: (previous?.tags ?? []),
		capabilities: stringList(params, 'Capabilities'),
		outputs: previous?.outputs ?? [],
	};
}

export function newStack(
	state: CfnState,
	ctx: RequestContext,
	stackName: string,
	definition: StackDefinition,
): StoredStack {
	const stack: StoredStack = {
		...definition,
		outputs: [],
		stackId: `${arnPrefix(ctx)}:stack/${stackName}/${randomUUID()}`,
		stackName,
		...(definition.template.Description === undefined
			? {}
			: {description: definition.template.Description}),
		creationTime: ctx.now,
		status: 'REVIEW_IN_PROGRESS',
		disableRollback: false,
		resources: {},
		events: [],
		executed: false,
	};
	state.stacks[stack.stackId] = stack;
	return stack;
}

export function notUpdatable(stack: StoredStack): AwsError {
	return validation(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
}

function onFailureOf(params: Params): Operation['onFailure'] {
	if (bool(params, 'DisableRollback')) {
		return 'DO_NOTHING';
	}
	const onFailure = optional(params, 'OnFailure') ?? 'ROLLBACK';
	if (onFailure !== 'ROLLBACK' && onFailure !== 'DO_NOTHING' && onFailure !== 'DELETE') {
		throw validation(
			`1 validation error detected: Value '${onFailure}' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]`,
		);
	}
	return onFailure;
}

export function createStack(state: CfnState, ctx: RequestContext, params: Params) {
	const stackName = required(params, 'StackName');
	checkName(stackName, 'stackName', false);
	const onFailure = onFailureOf(params);
	if (findStack(state, stackName)) {
		throw new AwsError('AlreadyExistsException', `Stack [${stackName}] already exists`);
	}
	const definition = readDefinition(params, undefined);
	const stack = newStack(state, ctx, stackName, definition);
	stack.disableRollback = onFailure === 'DO_NOTHING';
	startCreate(stack, ctx, {onFailure});
	return {StackId: stack.stackId};
}

export function liveStack(
	state: CfnState,
	nameOrId: string,
	message: (name: string) => string,
): StoredStack {
	const stack = findStack(state, nameOrId);
	if (!stack) {
		throw validation(message(nameOrId));
	}
	return stack;
}

export const doesNotExist = (name: string) => `Stack [${name}] does not exist`;

export function updateStack(state: CfnState, ctx: RequestContext, params: Params) {
	const stack = liveStack(state, required(params, 'StackName'), doesNotExist);
	if (!updatableStatuses.includes(stack.status)) {
		throw notUpdatable(stack);
	}
	const definition = readDefinition(params, stack);
	if (sameDefinition(stack, definition)) {
		throw validation('No updates are to be performed.');
	}
	startUpdate(stack, definition, ctx);
	return {StackId: stack.stackId};
}

export function deleteStack(state: CfnState, ctx: RequestContext, params: Params) {
	const stack = findStack(state, required(params, 'StackName'));
	// Deleting a stack that does not exist (or is already deleted) succeeds silently, as in AWS.
	if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') {
		return undefined;
	}
	if (stack.status === 'REVIEW_IN_PROGRESS' && !stack.executed) {
		setStatus(stack, ctx.now, 'DELETE_IN_PROGRESS', userInitiated);
		setStatus(stack, ctx.now, 'DELETE_COMPLETE');
		stack.deletionTime = ctx.now;
		for (const [id, changeSet] of Object.entries(state.changeSets)) {
			if (changeSet.stackId === stack.stackId) delete state.changeSets[id];
		}
		return undefined;
	}
	if (stack.status.endsWith('_IN_PROGRESS')) {
		throw validation(
			`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`,
		);
	}
	startDelete(stack, ctx, stringList(params, 'RetainResources'));
	return undefined;
}
