/** The read-only stack actions: Describe*, List*, GetTemplate, GetTemplateSummary, ValidateTemplate. */
import {AwsError} from '../context.js';
import {declaredParameters} from './parameters.js';
import {optional, type Params, required, stringList} from './query.js';
import {doesNotExist, liveStack, validation} from './stacks.js';
import {type CfnState, findStack, type StoredStack} from './state.js';
import {parseTemplate} from './template.js';
import {
	eventViews,
	resourceSummaryView,
	resourceView,
	stackSummaryView,
	stackView,
	visibleResources,
} from './views.js';

export function describeStacks(state: CfnState, params: Params) {
	const name = optional(params, 'StackName');
	if (name !== undefined && name !== '') {
		const stack = liveStack(state, name, (missing) => `Stack with id ${missing} does not exist`);
		return {Stacks: [stackView(stack)]};
	}
	const live = Object.values(state.stacks).filter((stack) => stack.status !== 'DELETE_COMPLETE');
	return {Stacks: live.reverse().map(stackView)};
}

export function describeStackEvents(state: CfnState, params: Params) {
	const stack = liveStack(state, required(params, 'StackName'), doesNotExist);
	return {StackEvents: eventViews(stack)};
}

function stackForResources(state: CfnState, params: Params): StoredStack {
	const name = optional(params, 'StackName');
	if (name) {
		return liveStack(state, name, (missing) => `Stack with id ${missing} does not exist`);
	}
	const physicalId = optional(params, 'PhysicalResourceId');
	if (!physicalId) {
		throw validation('Either StackName or PhysicalResourceId must be specified.');
	}
	const stack = Object.values(state.stacks).find((candidate) =>
		visibleResources(candidate).some((resource) => resource.physicalId === physicalId),
	);
	if (!stack) {
		throw validation(`Stack for ${physicalId} does not exist`);
	}
	return stack;
}

export function describeStackResources(state: CfnState, params: Params) {
	const stack = stackForResources(state, params);
	const logicalId = optional(params, 'LogicalResourceId');
	const resources = visibleResources(stack).filter(
		(resource) => !logicalId || resource.logicalId === logicalId,
	);
	return {StackResources: resources.map((resource) => resourceView(stack, resource))};
}

export function describeStackResource(state: CfnState, params: Params) {
	const stack = liveStack(
		state,
		required(params, 'StackName'),
		(missing) => `Stack with id ${missing} does not exist`,
	);
	const logicalId = required(params, 'LogicalResourceId');
	const resource = visibleResources(stack).find((candidate) => candidate.logicalId === logicalId);
	if (!resource) {
		throw validation(`Resource ${logicalId} does not exist for stack ${stack.stackName}`);
	}
	return {
		StackResourceDetail: {
			...resourceView(stack, resource),
			LastUpdatedTimestamp: resourceView(stack, resource).Timestamp,
			Timestamp: undefined,
		},
	};
}

export function listStackResources(state: CfnState, params: Params) {
	const stack = liveStack(
		state,
		required(params, 'StackName'),
		(missing) => `Stack with id ${missing} does not exist`,
	);
	return {StackResourceSummaries: visibleResources(stack).map(resourceSummaryView)};
}

export function listStacks(state: CfnState, params: Params) {
	const filter = stringList(params, 'StackStatusFilter');
	const stacks = Object.values(state.stacks)
		.filter((stack) => filter.length === 0 || filter.includes(stack.status))
		.reverse();
	return {StackSummaries: stacks.map(stackSummaryView)};
}

export function getTemplate(state: CfnState, params: Params) {
	const changeSetName = optional(params, 'ChangeSetName');
	if (changeSetName) {
		const changeSet = Object.values(state.changeSets).find(
			(candidate) =>
				candidate.changeSetId === changeSetName ||
				(candidate.changeSetName === changeSetName &&
					findStack(state, params.StackName ?? '')?.stackId === candidate.stackId),
		);
		if (!changeSet) {
			throw new AwsError('ChangeSetNotFound', `ChangeSet [${changeSetName}] does not exist`, 404);
		}
		return {
			TemplateBody: changeSet.definition.templateBody,
			StagesAvailable: ['Original', 'Processed'],
		};
	}
	const stack = liveStack(
		state,
		required(params, 'StackName'),
		(missing) => `Stack with id ${missing} does not exist`,
	);
	return {TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed']};
}

function templateBodyOf(params: Params): string {
	const body = optional(params, 'TemplateBody');
	if (body === undefined) {
		if (optional(params, 'TemplateURL') !== undefined) {
			throw validation(
				'TemplateURL is not supported by the kms-tui sandbox: pass the template inline with TemplateBody.',
			);
		}
		throw validation('Either Template URL or Template Body must be specified.');
	}
	return body;
}

export function validateTemplate(params: Params) {
	const template = parseTemplate(templateBodyOf(params));
	return {
		Parameters: declaredParameters(template),
		Description: template.Description,
		Capabilities: [],
		DeclaredTransforms: [],
	};
}

/** What `aws cloudformation deploy` reads to learn a template's parameters (for UsePreviousValue). */
export function getTemplateSummary(state: CfnState, params: Params) {
	const stackName = optional(params, 'StackName');
	const template = stackName
		? liveStack(state, stackName, (missing) => `Stack with id ${missing} does not exist`).template
		: parseTemplate(templateBodyOf(params));
	return {
		Parameters: Object.entries(template.Parameters).map(([key, declaration]) => ({
			ParameterKey: key,
			DefaultValue: declaration.Default === undefined ? undefined : String(declaration.Default),
			ParameterType: String(declaration.Type),
			NoEcho: declaration.NoEcho === true || declaration.NoEcho === 'true',
			Description:
				declaration.Description === undefined ? undefined : String(declaration.Description),
			ParameterConstraints: Array.isArray(declaration.AllowedValues)
				? {AllowedValues: declaration.AllowedValues.map(String)}
				: {},
		})),
		Description: template.Description,
		Capabilities: [],
		ResourceTypes: [...new Set(Object.values(template.Resources).map((resource) => resource.Type))],
		Version: template.AWSTemplateFormatVersion,
		DeclaredTransforms: [],
	};
}
