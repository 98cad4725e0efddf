/**
 * What a definition means against a stack's current resources: the evaluation scope, the
 * resources the conditions keep, their resolved properties, the outputs, and the resource
 * changes a change set or an update shows.
 */
import {AwsError, type RequestContext} from '../context.js';
import {
	evaluateConditions,
	resolve,
	type Scope,
	unresolvedMarker,
	withConditions,
} from './intrinsics.js';
import {parameterValues} from './parameters.js';
import {resourceType} from './resources/index.js';
import type {StackDefinition, StackOutput, StoredChange, StoredResource} from './state.js';
import {dependencyOrder} from './template-checks.js';

export type StackIdentity = {
	stackId: string;
	stackName: string;
	resources: Record<string, StoredResource>;
};

/** A resource that exists now (what Ref and GetAtt can see, and what a diff compares against). */
export function isLive(resource: StoredResource | undefined): resource is StoredResource {
	return (
		resource !== undefined &&
		resource.status !== 'DELETE_COMPLETE' &&
		resource.status !== 'DELETE_SKIPPED'
	);
}

export function scopeFor(
	stack: StackIdentity,
	definition: StackDefinition,
	ctx: RequestContext,
): Scope {
	const base = {
		region: ctx.region,
		accountId: ctx.accountId,
		stackName: stack.stackName,
		stackId: stack.stackId,
		parameters: parameterValues(definition.template, definition.parameters),
		mappings: definition.template.Mappings,
		resourceNames: new Set(Object.keys(definition.template.Resources)),
		ref: (logicalId: string) => {
			const resource = stack.resources[logicalId];
			return isLive(resource) ? resource.physicalId : undefined;
		},
		getAtt: (logicalId: string, attribute: string) => {
			const resource = stack.resources[logicalId];
			return isLive(resource) ? resource.attributes[attribute] : undefined;
		},
	};
	return withConditions(base, evaluateConditions(definition.template.Conditions, base));
}

/** The logical IDs whose Condition holds, dependencies first. */
export function desiredResources(definition: StackDefinition, scope: Scope): string[] {
	const names = Object.entries(definition.template.Resources)
		.filter(
			([, resource]) =>
				resource.Condition === undefined || scope.conditionValue(resource.Condition) === true,
		)
		.map(([logicalId]) => logicalId);
	return dependencyOrder(definition.template, names);
}

export function resolvedProperties(
	definition: StackDefinition,
	scope: Scope,
	logicalId: string,
): Record<string, unknown> {
	const resolved = resolve(definition.template.Resources[logicalId]?.Properties ?? {}, scope);
	return resolved as Record<string, unknown>;
}

export function deletionPolicyOf(definition: StackDefinition, logicalId: string): string {
	return definition.template.Resources[logicalId]?.DeletionPolicy ?? 'Delete';
}

function outputText(value: unknown): string {
	if (Array.isArray(value)) {
		return value.map(outputText).join(',');
	}
	return typeof value === 'string' ? value : JSON.stringify(value);
}

export function computeOutputs(definition: StackDefinition, scope: Scope): StackOutput[] {
	const outputs: StackOutput[] = [];
	for (const [key, output] of Object.entries(definition.template.Outputs)) {
		if (output.Condition !== undefined && scope.conditionValue(output.Condition) !== true) {
			continue;
		}
		const exportName = output.Export === undefined ? undefined : resolve(output.Export.Name, scope);
		outputs.push({
			OutputKey: key,
			OutputValue: outputText(resolve(output.Value, scope)),
			...(output.Description === undefined ? {} : {Description: String(output.Description)}),
			...(exportName === undefined ? {} : {ExportName: outputText(exportName)}),
		});
	}
	return outputs;
}

function changedProperties(
	before: Record<string, unknown>,
	after: Record<string, unknown>,
): string[] {
	const names = new Set([...Object.keys(before), ...Object.keys(after)]);
	return [...names].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
}

/**
 * The resource changes `definition` makes to `stack` (undefined for a new stack), in the order
 * they would run: adds and modifications in dependency order, then removals.
 */
export function computeChanges(
	stack: StackIdentity,
	definition: StackDefinition,
	ctx: RequestContext,
): StoredChange[] {
	const scope = scopeFor(stack, definition, ctx);
	const desired = desiredResources(definition, scope);
	const retyped = desired.filter((logicalId) => {
		const current = stack.resources[logicalId];
		return isLive(current) && current.type !== definition.template.Resources[logicalId]?.Type;
	});
	if (retyped.length > 0) {
		throw new AwsError(
			'ValidationError',
			`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${retyped.join(', ')}]`,
		);
	}
	const changes: StoredChange[] = [];
	for (const logicalId of desired) {
		const type = definition.template.Resources[logicalId]?.Type ?? '';
		const current = stack.resources[logicalId];
		if (!isLive(current)) {
			changes.push({action: 'Add', logicalId, resourceType: type, scope: [], details: []});
			continue;
		}
		const after = resolvedProperties(definition, scope, logicalId);
		const names = changedProperties(current.properties, after);
		if (names.length === 0) {
			continue;
		}
		const handler = resourceType(type);
		const details = names.map((name) => {
			const dynamic = JSON.stringify(after[name] ?? null).includes(unresolvedMarker);
			const recreation = handler.recreation(name);
			return {
				name,
				requiresRecreation:
					dynamic && recreation === 'Always' ? ('Conditionally' as const) : recreation,
				evaluation: dynamic ? ('Dynamic' as const) : ('Static' as const),
				changeSource: dynamic ? 'ResourceReference' : 'DirectModification',
			};
		});
		const replacement = details.some((detail) => detail.requiresRecreation === 'Always')
			? 'True'
			: details.some((detail) => detail.requiresRecreation === 'Conditionally')
				? 'Conditional'
				: 'False';
		changes.push({
			action: 'Modify',
			logicalId,
			...(current.physicalId === undefined ? {} : {physicalId: current.physicalId}),
			resourceType: type,
			replacement,
			scope: ['Properties'],
			details,
		});
	}
	const kept = new Set(desired);
	for (const [logicalId, resource] of Object.entries(stack.resources).reverse()) {
		if (isLive(resource) && !kept.has(logicalId)) {
			changes.push({
				action: 'Remove',
				logicalId,
				...(resource.physicalId === undefined ? {} : {physicalId: resource.physicalId}),
				resourceType: resource.type,
				scope: [],
				details: [],
			});
		}
	}
	return changes;
}

/** Same template (ignoring formatting), parameter values and tags: nothing to do. */
export function sameDefinition(a: StackDefinition, b: StackDefinition): boolean {
	const values = (definition: StackDefinition) =>
		JSON.stringify(definition.parameters.map((parameter) => [parameter.key, parameter.value]));
	return (
		JSON.stringify(a.template) === JSON.stringify(b.template) &&
		values(a) === values(b) &&
		JSON.stringify(a.tags) === JSON.stringify(b.tags)
	);
}
