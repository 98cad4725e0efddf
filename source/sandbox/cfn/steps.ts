/**
 * Executing one step of a stack operation, and the rollback that replaces the queue when a
 * resource fails: a failed create deletes what was created (ROLLBACK_*), a failed update puts
 * back what was changed and deletes what was added (UPDATE_ROLLBACK_*).
 */
import {AwsError, cloneState, type RegionState, type RequestContext} from '../context.js';
import {resourceEvent, setStatus} from './engine.js';
import {computeOutputs, deletionPolicyOf, isLive, resolvedProperties, scopeFor} from './plan.js';
import {type ResourceContext, ResourceFailure, resourceType} from './resources/index.js';
import {cleanupSteps, fail} from './rollback.js';
import type {CfnState, ResourceStatus, Step, StoredResource, StoredStack} from './state.js';

function emit(
	stack: StoredStack,
	ctx: RequestContext,
	resource: StoredResource,
	status: ResourceStatus,
	reason?: string,
): void {
	resource.status = status;
	resource.timestamp = ctx.now;
	if (reason === undefined) {
		delete resource.reason;
	} else {
		resource.reason = reason;
	}
	resourceEvent(stack, ctx.now, {
		logicalId: resource.logicalId,
		physicalId: resource.physicalId ?? '',
		resourceType: resource.type,
		status,
		...(reason === undefined ? {} : {reason}),
	});
}

function failureText(error: unknown): string {
	if (error instanceof ResourceFailure || error instanceof AwsError) {
		return error.message;
	}
	throw error;
}

export function runStep(
	state: CfnState,
	region: RegionState,
	stack: StoredStack,
	step: Step,
	ctx: RequestContext,
): void {
	const operation = stack.operation;
	if (!operation) {
		return;
	}
	const rc = (logicalId: string): ResourceContext => ({kms: region.kms, ctx, logicalId});
	switch (step.k) {
		case 'stack':
			stackStep(state, stack, step.status, step.reason, ctx);
			return;
		case 'event': {
			const current = stack.resources[step.logicalId];
			if (step.physicalId !== undefined && current?.physicalId !== step.physicalId && current) {
				// The old half of a replacement: its events must not touch the slot's new resource.
				emit(
					stack,
					ctx,
					{...cloneState(current), physicalId: step.physicalId},
					step.status,
					step.reason,
				);
				return;
			}
			emit(stack, ctx, slot(stack, step.logicalId), step.status, step.reason);
			if (step.status === 'DELETE_SKIPPED' && operation.kind === 'update') {
				// Retained on removal: no longer part of the stack.
				delete stack.resources[step.logicalId];
			}
			return;
		}
		case 'create': {
			const resource = slot(stack, step.logicalId);
			const before = cloneState(resource);
			operation.journal.push(
				step.replacing
					? {logicalId: step.logicalId, action: 'replace', before}
					: {logicalId: step.logicalId, action: 'create'},
			);
			try {
				const properties = resolvedProperties(stack, scopeFor(stack, stack, ctx), step.logicalId);
				const handler = resourceType(resource.type);
				handler.validate(step.logicalId, properties);
				const created = handler.create(rc(step.logicalId), properties);
				Object.assign(resource, {
					physicalId: created.physicalId,
					attributes: created.attributes,
					properties,
				});
				const entry = operation.journal.at(-1);
				if (entry && step.replacing) entry.createdPhysical = created.physicalId;
				resource.deletionPolicy = deletionPolicyOf(stack, step.logicalId);
				emit(
					stack,
					ctx,
					resource,
					step.replacing ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS',
					'Resource creation Initiated',
				);
			} catch (error) {
				const reason = failureText(error);
				const partial = error instanceof ResourceFailure ? error.physicalId : undefined;
				if (step.replacing) {
					// The slot keeps the old resource; a half-made replacement is deleted in cleanup.
					const entry = operation.journal.at(-1);
					if (entry && partial) entry.createdPhysical = partial;
					emit(stack, ctx, resource, 'UPDATE_FAILED', reason);
				} else {
					if (partial) resource.physicalId = partial;
					emit(stack, ctx, resource, 'CREATE_FAILED', reason);
				}
				fail(stack, step.logicalId);
			}
			return;
		}
		case 'update':
			updateStep(stack, step.logicalId, rc(step.logicalId), ctx);
			return;
		case 'delete': {
			const {resource} = step;
			const current = stack.resources[resource.logicalId];
			const target = step.keepSlot && current ? current : cloneState(resource);
			try {
				if (resource.physicalId !== undefined) {
					resourceType(resource.type).delete(
						rc(resource.logicalId),
						resource.physicalId,
						resource.properties,
					);
				}
				emit(stack, ctx, target, 'DELETE_COMPLETE');
				if (
					!step.keepSlot &&
					current?.physicalId === resource.physicalId &&
					operation.kind === 'update'
				) {
					delete stack.resources[resource.logicalId];
				}
			} catch (error) {
				emit(stack, ctx, target, 'DELETE_FAILED', failureText(error));
				// A failed cleanup leaves the resource behind but does not undo a finished update.
				if (operation.kind !== 'update') fail(stack, resource.logicalId);
			}
			return;
		}
		case 'revert': {
			const {previous} = step;
			const current = stack.resources[previous.logicalId];
			try {
				if (
					current &&
					current.physicalId === previous.physicalId &&
					previous.physicalId !== undefined
				) {
					resourceType(previous.type).update(
						rc(previous.logicalId),
						previous.physicalId,
						current.properties,
						previous.properties,
					);
				}
				const restored = {...cloneState(previous)};
				stack.resources[previous.logicalId] = restored;
				emit(stack, ctx, restored, 'UPDATE_COMPLETE');
			} catch (error) {
				if (current) emit(stack, ctx, current, 'UPDATE_FAILED', failureText(error));
				fail(stack, previous.logicalId);
			}
			return;
		}
	}
}

function slot(stack: StoredStack, logicalId: string): StoredResource {
	let resource = stack.resources[logicalId];
	if (!resource || !isLive(resource)) {
		resource = {
			logicalId,
			type: stack.template.Resources[logicalId]?.Type ?? '',
			status: 'CREATE_IN_PROGRESS',
			timestamp: 0,
			properties: {},
			attributes: {},
			deletionPolicy: deletionPolicyOf(stack, logicalId),
		};
		// Re-inserting moves a re-created resource to the end: deletion runs newest first.
		delete stack.resources[logicalId];
		stack.resources[logicalId] = resource;
	}
	return resource;
}

/** In-place update or replacement, decided against the resource as it is now. */
function updateStep(
	stack: StoredStack,
	logicalId: string,
	rc: ResourceContext,
	ctx: RequestContext,
): void {
	const operation = stack.operation as NonNullable<StoredStack['operation']>;
	const resource = stack.resources[logicalId] as StoredResource;
	let properties: Record<string, unknown>;
	try {
		properties = resolvedProperties(stack, scopeFor(stack, stack, ctx), logicalId);
	} catch (error) {
		emit(stack, ctx, resource, 'UPDATE_FAILED', failureText(error));
		fail(stack, logicalId);
		return;
	}
	resource.deletionPolicy = deletionPolicyOf(stack, logicalId);
	const handler = resourceType(resource.type);
	const changed = [
		...new Set([...Object.keys(resource.properties), ...Object.keys(properties)]),
	].filter(
		(name) => JSON.stringify(resource.properties[name]) !== JSON.stringify(properties[name]),
	);
	if (changed.length === 0) {
		return;
	}
	if (changed.some((name) => handler.recreation(name) !== 'Never')) {
		emit(
			stack,
			ctx,
			resource,
			'UPDATE_IN_PROGRESS',
			'Requested update requires the creation of a new physical resource; hence creating one.',
		);
		operation.steps.unshift(
			{k: 'create', logicalId, replacing: true},
			{k: 'event', logicalId, status: 'UPDATE_COMPLETE'},
		);
		return;
	}
	emit(stack, ctx, resource, 'UPDATE_IN_PROGRESS');
	operation.journal.push({logicalId, action: 'update', before: cloneState(resource)});
	try {
		handler.validate(logicalId, properties);
		const attributes = handler.update(
			rc,
			resource.physicalId ?? '',
			resource.properties,
			properties,
		);
		Object.assign(resource, {properties, attributes});
		emit(stack, ctx, resource, 'UPDATE_COMPLETE');
	} catch (error) {
		emit(stack, ctx, resource, 'UPDATE_FAILED', failureText(error));
		fail(stack, logicalId);
	}
}

const terminal = (status: string) => !status.endsWith('_IN_PROGRESS');

function stackStep(
	state: CfnState,
	stack: StoredStack,
	status: string,
	reason: string | undefined,
	ctx: RequestContext,
): void {
	const operation = stack.operation as NonNullable<StoredStack['operation']>;
	// A finished rollback keeps the failure's reason on the stack: it is what a person needs to read.
	const failureReason = stack.statusReason;
	setStatus(stack, ctx.now, status, reason);
	if (status === 'ROLLBACK_COMPLETE' || status === 'UPDATE_ROLLBACK_COMPLETE') {
		stack.statusReason = failureReason;
	}
	if (status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') {
		stack.outputs = computeOutputs(stack, scopeFor(stack, stack, ctx));
	}
	if (status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') {
		operation.steps.unshift(...cleanupSteps(stack, ctx, false));
	}
	if (status === 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS') {
		operation.steps.unshift(...cleanupSteps(stack, ctx, true));
	}
	if (status === 'DELETE_COMPLETE') {
		stack.deletionTime = ctx.now;
		stack.outputs = [];
		for (const [id, changeSet] of Object.entries(state.changeSets)) {
			if (changeSet.stackId === stack.stackId) delete state.changeSets[id];
		}
	}
	if (terminal(status)) {
		const changeSet = operation.changeSetId ? state.changeSets[operation.changeSetId] : undefined;
		if (changeSet) {
			changeSet.executionStatus =
				status.endsWith('_COMPLETE') && !status.includes('ROLLBACK')
					? 'EXECUTE_COMPLETE'
					: 'EXECUTE_FAILED';
		}
		delete stack.operation;
	}
}
