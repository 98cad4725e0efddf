/**
 * What happens after a failure: the rest of a stack operation's queue is replaced by its
 * rollback (a failed create deletes what was created; a failed update puts back what was changed
 * and deletes what was added), and the cleanup phase of an update or of its rollback.
 */
import {cloneState, type RequestContext} from '../context.js';
import {desiredResources, isLive, scopeFor} from './plan.js';
import type {Step, StoredResource, StoredStack} from './state.js';

export /** Deletes the old halves of replacements and (after a success) removed resources, or (after a failure) added ones. */
function cleanupSteps(stack: StoredStack, ctx: RequestContext, rollback: boolean): Step[] {
	const operation = stack.operation as NonNullable<StoredStack['operation']>;
	const steps: Step[] = [];
	const deleteOf = (resource: StoredResource, retain: boolean) => {
		if (retain) {
			steps.push({
				k: 'event',
				logicalId: resource.logicalId,
				status: 'DELETE_SKIPPED',
				...(resource.physicalId === undefined ? {} : {physicalId: resource.physicalId}),
			});
			return;
		}
		steps.push({k: 'delete', resource: cloneState(resource), keepSlot: false});
	};
	for (const entry of [...operation.journal].reverse()) {
		if (entry.action === 'replace' && entry.before && entry.createdPhysical) {
			if (rollback) {
				deleteOf({...entry.before, physicalId: entry.createdPhysical}, false);
			} else {
				const policy = stack.template.Resources[entry.logicalId]?.UpdateReplacePolicy;
				deleteOf(entry.before, policy === 'Retain');
			}
		}
		if (rollback && entry.action === 'create') {
			const current = stack.resources[entry.logicalId];
			if (current?.physicalId !== undefined) {
				deleteOf(current, false);
			} else {
				delete stack.resources[entry.logicalId];
			}
		}
	}
	if (!rollback) {
		const kept = new Set(desiredResources(stack, scopeFor(stack, stack, ctx)));
		for (const resource of Object.values(stack.resources).reverse()) {
			if (isLive(resource) && !kept.has(resource.logicalId)) {
				deleteOf(resource, resource.deletionPolicy === 'Retain');
			}
		}
	}
	return steps.flatMap((step) =>
		step.k === 'delete'
			? [
					{
						k: 'event',
						logicalId: step.resource.logicalId,
						status: 'DELETE_IN_PROGRESS',
						physicalId: step.resource.physicalId,
					} as Step,
					step,
				]
			: [step],
	);
}

/** A resource failed: the rest of the queue becomes the rollback (or the failure status). */
export function fail(stack: StoredStack, logicalId: string): void {
	const operation = stack.operation as NonNullable<StoredStack['operation']>;
	operation.failed.push(logicalId);
	const names = `[${operation.failed.join(', ')}]`;
	if (operation.kind === 'delete') {
		operation.steps = [
			{
				k: 'stack',
				status: 'DELETE_FAILED',
				reason: `The following resource(s) failed to delete: ${names}. `,
			},
		];
		return;
	}
	if (operation.rollingBack) {
		const status = operation.kind === 'create' ? 'ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_FAILED';
		operation.steps = [
			{k: 'stack', status, reason: `The following resource(s) failed to roll back: ${names}. `},
		];
		return;
	}
	if (operation.kind === 'create') {
		if (operation.onFailure === 'DO_NOTHING') {
			operation.steps = [
				{
					k: 'stack',
					status: 'CREATE_FAILED',
					reason: `The following resource(s) failed to create: ${names}. `,
				},
			];
			return;
		}
		operation.rollingBack = true;
		const deleting = operation.onFailure === 'DELETE';
		const steps: Step[] = [
			deleting
				? {
						k: 'stack',
						status: 'DELETE_IN_PROGRESS',
						reason: `The following resource(s) failed to create: ${names}. Delete requested by user.`,
					}
				: {
						k: 'stack',
						status: 'ROLLBACK_IN_PROGRESS',
						reason: `The following resource(s) failed to create: ${names}. Rollback requested by user.`,
					},
		];
		for (const resource of Object.values(stack.resources).reverse()) {
			if (!isLive(resource)) continue;
			if (resource.deletionPolicy === 'Retain') {
				steps.push({k: 'event', logicalId: resource.logicalId, status: 'DELETE_SKIPPED'});
			} else if (resource.physicalId === undefined) {
				steps.push({k: 'event', logicalId: resource.logicalId, status: 'DELETE_COMPLETE'});
			} else {
				steps.push(
					{k: 'event', logicalId: resource.logicalId, status: 'DELETE_IN_PROGRESS'},
					{k: 'delete', resource: cloneState(resource), keepSlot: true},
				);
			}
		}
		steps.push({k: 'stack', status: deleting ? 'DELETE_COMPLETE' : 'ROLLBACK_COMPLETE'});
		operation.steps = steps;
		return;
	}
	operation.rollingBack = true;
	const failedCreate = operation.journal.some(
		(entry) => entry.logicalId === logicalId && entry.action === 'create',
	);
	const steps: Step[] = [
		{
			k: 'stack',
			status: 'UPDATE_ROLLBACK_IN_PROGRESS',
			reason: `The following resource(s) failed to ${failedCreate ? 'create' : 'update'}: ${names}. `,
		},
	];
	for (const entry of [...operation.journal].reverse()) {
		if ((entry.action === 'update' || entry.action === 'replace') && entry.before) {
			steps.push(
				{k: 'event', logicalId: entry.logicalId, status: 'UPDATE_IN_PROGRESS'},
				{k: 'revert', previous: entry.before},
			);
		}
	}
	steps.push(
		{k: 'stack', status: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'},
		{k: 'stack', status: 'UPDATE_ROLLBACK_COMPLETE'},
	);
	if (operation.previous) {
		Object.assign(stack, operation.previous);
	}
	operation.steps = steps;
}
