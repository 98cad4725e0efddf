/** The wire shapes of stacks, events, resources and change sets (rendered to XML by xml.ts). */
import {isLive} from './plan.js';
import type {StoredChangeSet, StoredResource, StoredStack} from './state.js';
import {iso} from './xml.js';

function nonEmpty<T>(items: readonly T[]): T[] | undefined {
	return items.length > 0 ? [...items] : undefined;
}

export function parameterView(stack: {parameters: StoredStack['parameters']}) {
	return nonEmpty(
		stack.parameters.map((parameter) => ({
			ParameterKey: parameter.key,
			// NoEcho values are never shown back, as in AWS.
			ParameterValue: parameter.noEcho ? '****' : parameter.value,
		})),
	);
}

export function stackView(stack: StoredStack) {
	return {
		StackId: stack.stackId,
		StackName: stack.stackName,
		Description: stack.description,
		Parameters: parameterView(stack),
		CreationTime: iso(stack.creationTime),
		DeletionTime: stack.deletionTime === undefined ? undefined : iso(stack.deletionTime),
		LastUpdatedTime: stack.lastUpdatedTime === undefined ? undefined : iso(stack.lastUpdatedTime),
		RollbackConfiguration: {},
		StackStatus: stack.status,
		StackStatusReason: stack.statusReason,
		DisableRollback: stack.disableRollback,
		NotificationARNs: [],
		Capabilities: nonEmpty(stack.capabilities),
		Outputs: nonEmpty(stack.outputs),
		Tags: nonEmpty(stack.tags),
		EnableTerminationProtection: false,
		DriftInformation: {StackDriftStatus: 'NOT_CHECKED'},
	};
}

export function stackSummaryView(stack: StoredStack) {
	return {
		StackId: stack.stackId,
		StackName: stack.stackName,
		TemplateDescription: stack.description,
		CreationTime: iso(stack.creationTime),
		LastUpdatedTime: stack.lastUpdatedTime === undefined ? undefined : iso(stack.lastUpdatedTime),
		DeletionTime: stack.deletionTime === undefined ? undefined : iso(stack.deletionTime),
		StackStatus: stack.status,
		StackStatusReason: stack.statusReason,
		DriftInformation: {StackDriftStatus: 'NOT_CHECKED'},
	};
}

/** Newest first, as DescribeStackEvents returns them. */
export function eventViews(stack: StoredStack) {
	return [...stack.events].reverse().map((event) => ({
		StackId: stack.stackId,
		EventId: event.eventId,
		StackName: stack.stackName,
		LogicalResourceId: event.logicalId,
		PhysicalResourceId: event.physicalId,
		ResourceType: event.resourceType,
		Timestamp: iso(event.timestamp),
		ResourceStatus: event.status,
		ResourceStatusReason: event.reason,
	}));
}

/** A live stack lists its current resources; a deleted one what became of them. */
export function visibleResources(stack: StoredStack): StoredResource[] {
	const all = Object.values(stack.resources);
	return stack.status === 'DELETE_COMPLETE' ? all : all.filter(isLive);
}

export function resourceView(stack: StoredStack, resource: StoredResource) {
	return {
		StackName: stack.stackName,
		StackId: stack.stackId,
		LogicalResourceId: resource.logicalId,
		PhysicalResourceId: resource.physicalId,
		ResourceType: resource.type,
		Timestamp: iso(resource.timestamp),
		ResourceStatus: resource.status,
		ResourceStatusReason: resource.reason,
		DriftInformation: {StackResourceDriftStatus: 'NOT_CHECKED'},
	};
}

export function resourceSummaryView(resource: StoredResource) {
	return {
		LogicalResourceId: resource.logicalId,
		PhysicalResourceId: resource.physicalId,
		ResourceType: resource.type,
		LastUpdatedTimestamp: iso(resource.timestamp),
		ResourceStatus: resource.status,
		ResourceStatusReason: resource.reason,
		DriftInformation: {StackResourceDriftStatus: 'NOT_CHECKED'},
	};
}

export function changeSetSummaryView(changeSet: StoredChangeSet) {
	return {
		StackId: changeSet.stackId,
		StackName: changeSet.stackName,
		ChangeSetId: changeSet.changeSetId,
		ChangeSetName: changeSet.changeSetName,
		ExecutionStatus: changeSet.executionStatus,
		Status: changeSet.status,
		StatusReason: changeSet.statusReason,
		CreationTime: iso(changeSet.creationTime),
		Description: changeSet.description,
		IncludeNestedStacks: false,
	};
}

export function changeSetView(changeSet: StoredChangeSet) {
	return {
		ChangeSetName: changeSet.changeSetName,
		ChangeSetId: changeSet.changeSetId,
		StackId: changeSet.stackId,
		StackName: changeSet.stackName,
		Description: changeSet.description,
		Parameters: parameterView(changeSet.definition),
		CreationTime: iso(changeSet.creationTime),
		ExecutionStatus: changeSet.executionStatus,
		Status: changeSet.status,
		StatusReason: changeSet.statusReason,
		NotificationARNs: [],
		RollbackConfiguration: {},
		Capabilities: nonEmpty(changeSet.definition.capabilities),
		Tags: nonEmpty(changeSet.definition.tags),
		Changes: changeSet.changes.map((change) => ({
			Type: 'Resource',
			ResourceChange: {
				Action: change.action,
				LogicalResourceId: change.logicalId,
				PhysicalResourceId: change.physicalId,
				ResourceType: change.resourceType,
				Replacement: change.replacement,
				Scope: change.scope,
				Details: change.details.map((detail) => ({
					Target: {
						Attribute: 'Properties',
						Name: detail.name,
						RequiresRecreation: detail.requiresRecreation,
					},
					Evaluation: detail.evaluation,
					ChangeSource: detail.changeSource,
				})),
			},
		})),
		IncludeNestedStacks: false,
	};
}
