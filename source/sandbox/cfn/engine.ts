/**
 * Stack operations as queues of steps. Starting an operation records the stack's first event
 * and queues the rest; `tickStacks` (run before every request) executes each step whose time has
 * come, `stackStepMs` apart, so a person watching sees events arrive one by one. A failing step
 * replaces the rest of the queue with the rollback (see steps.ts).
 */
import {randomUUID} from 'node:crypto';
import {cloneState, type RegionState, type RequestContext} from '../context.js';
import {desiredResources, isLive, scopeFor} from './plan.js';
import type {CfnState, Operation, StackDefinition, StackEvent, Step, StoredStack} from './state.js';
import {runStep} from './steps.js';

export const userInitiated = 'User Initiated';

export function stackEvent(stack: StoredStack, at: number, status: string, reason?: string): void {
	stack.events.push({
		eventId: randomUUID(),
		logicalId: stack.stackName,
		physicalId: stack.stackId,
		resourceType: 'AWS::CloudFormation::Stack',
		timestamp: at,
		status,
		...(reason === undefined ? {} : {reason}),
	});
}

export function resourceEvent(
	stack: StoredStack,
	at: number,
	event: Omit<StackEvent, 'eventId' | 'timestamp'>,
): void {
	stack.events.push({eventId: randomUUID(), timestamp: at, ...event});
}

export function setStatus(stack: StoredStack, at: number, status: string, reason?: string): void {
	stack.status = status;
	stack.statusReason = reason;
	stackEvent(stack, at, status, reason);
}

function begin(
	stack: StoredStack,
	ctx: RequestContext,
	kind: Operation['kind'],
	steps: Step[],
	extra: Partial<Operation> = {},
): void {
	stack.operation = {
		kind,
		nextAt: ctx.now + ctx.stackStepMs,
		steps,
		journal: [],
		failed: [],
		rollingBack: false,
		onFailure: 'ROLLBACK',
		...extra,
	};
}

/** Creates every resource the conditions keep, dependencies first. */
export function startCreate(
	stack: StoredStack,
	ctx: RequestContext,
	options: {onFailure: Operation['onFailure']; changeSetId?: string},
): void {
	const scope = scopeFor(stack, stack, ctx);
	const steps: Step[] = [];
	for (const logicalId of desiredResources(stack, scope)) {
		steps.push(
			{k: 'event', logicalId, status: 'CREATE_IN_PROGRESS'},
			{k: 'create', logicalId, replacing: false},
			{k: 'event', logicalId, status: 'CREATE_COMPLETE'},
		);
	}
	steps.push({k: 'stack', status: 'CREATE_COMPLETE'});
	stack.executed = true;
	setStatus(stack, ctx.now, 'CREATE_IN_PROGRESS', userInitiated);
	begin(stack, ctx, 'create', steps, {
		onFailure: options.onFailure,
		...(options.changeSetId === undefined ? {} : {changeSetId: options.changeSetId}),
	});
}

function definitionOf(stack: StoredStack): StackDefinition {
	return {
		templateBody: stack.templateBody,
		template: stack.template,
		parameters: stack.parameters,
		tags: stack.tags,
		capabilities: stack.capabilities,
		outputs: stack.outputs,
	};
}

/**
 * Moves the stack to `definition`: adds and in-place updates or replacements in dependency
 * order; removals and the old halves of replacements are deleted in the cleanup phase.
 */
export function startUpdate(
	stack: StoredStack,
	definition: StackDefinition,
	ctx: RequestContext,
	changeSetId?: string,
): void {
	const previous = definitionOf(stack);
	const scope = scopeFor(stack, definition, ctx);
	const steps: Step[] = [];
	for (const logicalId of desiredResources(definition, scope)) {
		const current = stack.resources[logicalId];
		if (!isLive(current)) {
			steps.push(
				{k: 'event', logicalId, status: 'CREATE_IN_PROGRESS'},
				{k: 'create', logicalId, replacing: false},
				{k: 'event', logicalId, status: 'CREATE_COMPLETE'},
			);
		} else {
			// Whether it changes (and how) is decided when the step runs, against what exists then.
			steps.push({k: 'update', logicalId});
		}
	}
	steps.push({k: 'stack', status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'});
	steps.push({k: 'stack', status: 'UPDATE_COMPLETE'});
	Object.assign(stack, definition);
	stack.lastUpdatedTime = ctx.now;
	setStatus(stack, ctx.now, 'UPDATE_IN_PROGRESS', userInitiated);
	begin(stack, ctx, 'update', steps, {
		previous,
		...(changeSetId === undefined ? {} : {changeSetId}),
	});
}

/** Deletes every live resource, newest first; retained ones are skipped. */
export function startDelete(
	stack: StoredStack,
	ctx: RequestContext,
	retain: readonly string[],
): void {
	const steps: Step[] = [];
	for (const resource of Object.values(stack.resources).reverse()) {
		if (!isLive(resource)) {
			continue;
		}
		if (resource.deletionPolicy === 'Retain' || retain.includes(resource.logicalId)) {
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
	steps.push({k: 'stack', status: 'DELETE_COMPLETE'});
	setStatus(stack, ctx.now, 'DELETE_IN_PROGRESS', userInitiated);
	begin(stack, ctx, 'delete', steps);
}

/** Runs every due step of every stack, in order. */
export function tickStacks(state: CfnState, region: RegionState, ctx: RequestContext): void {
	for (const stack of Object.values(state.stacks)) {
		let operation = stack.operation;
		while (operation && operation.nextAt <= ctx.now) {
			const step = operation.steps.shift();
			if (!step) {
				delete stack.operation;
				break;
			}
			const at = operation.nextAt;
			runStep(state, region, stack, step, {...ctx, now: at});
			operation.nextAt = at + ctx.stackStepMs;
			operation = stack.operation;
		}
	}
}
