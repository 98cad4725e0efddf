/**
 * Change sets: planned immediately (Status CREATE_COMPLETE on return; the waiters accept that),
 * executed as a stack create or update. A CREATE change set on a new name makes the stack in
 * REVIEW_IN_PROGRESS, which counts as not existing until a change set is executed.
 */
import {randomUUID} from 'node:crypto';
import {AwsError, ownEntry, type RequestContext} from '../context.js';
import {setStatus, startCreate, startUpdate, userInitiated} from './engine.js';
import {computeChanges, sameDefinition} from './plan.js';
import {bool, optional, type Params, required} from './query.js';
import {
	arnPrefix,
	checkName,
	newStack,
	notUpdatable,
	readDefinition,
	updatableStatuses,
	validation,
} from './stacks.js';
import {type CfnState, findStack, type StoredChangeSet, type StoredStack} from './state.js';
import {changeSetSummaryView, changeSetView} from './views.js';

export const emptyChangeSetReason =
	"The submitted information didn't contain changes. Submit different information to create a change set.";

function isReview(stack: StoredStack): boolean {
	return stack.status === 'REVIEW_IN_PROGRESS' && !stack.executed;
}

export function createChangeSet(state: CfnState, ctx: RequestContext, params: Params) {
	const stackName = required(params, 'StackName');
	const changeSetName = required(params, 'ChangeSetName');
	checkName(stackName, 'stackName', true);
	checkName(changeSetName, 'changeSetName', false);
	const type = optional(params, 'ChangeSetType') ?? 'UPDATE';
	if (type !== 'CREATE' && type !== 'UPDATE') {
		throw validation(
			type === 'IMPORT'
				? 'ChangeSetType IMPORT is not supported by the kms-tui sandbox.'
				: `1 validation error detected: Value '${type}' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]`,
		);
	}
	const existing = findStack(state, stackName);
	let stack: StoredStack;
	let changeSet: StoredChangeSet;
	const base = {
		changeSetId: `${arnPrefix(ctx)}:changeSet/${changeSetName}/${randomUUID()}`,
		changeSetName,
		...(optional(params, 'Description') === undefined
			? {}
			: {description: optional(params, 'Description')}),
		creationTime: ctx.now,
	};
	if (type === 'CREATE') {
		if (existing && !isReview(existing)) {
			throw validation(
				`Stack [${stackName}] already exists and cannot be created again with the changeSet [${changeSetName}].`,
			);
		}
		const definition = readDefinition(params, undefined);
		if (existing) {
			stack = existing;
		} else {
			stack = newStack(state, ctx, stackName, definition);
			setStatus(stack, ctx.now, 'REVIEW_IN_PROGRESS', userInitiated);
		}
		changeSet = {
			...base,
			stackId: stack.stackId,
			stackName: stack.stackName,
			type,
			status: 'CREATE_COMPLETE',
			executionStatus: 'AVAILABLE',
			definition,
			changes: computeChanges({...stack, resources: {}}, definition, ctx),
		};
	} else {
		if (!existing) {
			throw validation(`Stack [${stackName}] does not exist`);
		}
		stack = existing;
		if (!updatableStatuses.includes(stack.status)) {
			throw notUpdatable(stack);
		}
		const definition = readDefinition(params, stack);
		const changes = computeChanges(stack, definition, ctx);
		const empty = changes.length === 0 && sameDefinition(stack, definition);
		changeSet = {
			...base,
			stackId: stack.stackId,
			stackName: stack.stackName,
			type,
			status: empty ? 'FAILED' : 'CREATE_COMPLETE',
			executionStatus: empty ? 'UNAVAILABLE' : 'AVAILABLE',
			...(empty ? {statusReason: emptyChangeSetReason} : {}),
			definition,
			changes,
		};
	}
	const duplicate = Object.values(state.changeSets).some(
		(candidate) => candidate.stackId === stack.stackId && candidate.changeSetName === changeSetName,
	);
	if (duplicate) {
		throw new AwsError('AlreadyExistsException', `ChangeSet [${changeSetName}] already exists`);
	}
	state.changeSets[changeSet.changeSetId] = changeSet;
	return {Id: changeSet.changeSetId, StackId: stack.stackId};
}

function findChangeSet(state: CfnState, params: Params): StoredChangeSet {
	const name = required(params, 'ChangeSetName');
	const stackName = optional(params, 'StackName');
	if (name.startsWith('arn:')) {
		const changeSet = ownEntry(state.changeSets, name);
		if (changeSet) {
			return changeSet;
		}
	} else {
		if (!stackName) {
			throw validation('StackName must be specified if ChangeSetName is not specified as an ARN.');
		}
		const stack = findStack(state, stackName);
		const changeSet = Object.values(state.changeSets).find(
			(candidate) => candidate.stackId === stack?.stackId && candidate.changeSetName === name,
		);
		if (changeSet) {
			return changeSet;
		}
	}
	throw new AwsError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
}

export function describeChangeSet(state: CfnState, params: Params) {
	return changeSetView(findChangeSet(state, params));
}

export function executeChangeSet(state: CfnState, ctx: RequestContext, params: Params) {
	const changeSet = findChangeSet(state, params);
	if (changeSet.status !== 'CREATE_COMPLETE' || changeSet.executionStatus !== 'AVAILABLE') {
		const current =
			changeSet.status === 'CREATE_COMPLETE' ? changeSet.executionStatus : changeSet.status;
		throw new AwsError(
			'InvalidChangeSetStatus',
			`ChangeSet [${changeSet.changeSetId}] cannot be executed in its current status of [${current}]`,
		);
	}
	const stack = ownEntry(state.stacks, changeSet.stackId);
	if (!stack) {
		throw new AwsError(
			'ChangeSetNotFound',
			`ChangeSet [${changeSet.changeSetName}] does not exist`,
			404,
		);
	}
	if (changeSet.type === 'CREATE' ? !isReview(stack) : !updatableStatuses.includes(stack.status)) {
		throw notUpdatable(stack);
	}
	// Executing one change set makes the stack's other change sets obsolete: AWS deletes them.
	for (const [id, other] of Object.entries(state.changeSets)) {
		if (other.stackId === stack.stackId && id !== changeSet.changeSetId) {
			delete state.changeSets[id];
		}
	}
	changeSet.executionStatus = 'EXECUTE_IN_PROGRESS';
	if (changeSet.type === 'CREATE') {
		Object.assign(stack, changeSet.definition, {outputs: []});
		const onFailure = bool(params, 'DisableRollback') ? 'DO_NOTHING' : 'ROLLBACK';
		stack.disableRollback = onFailure === 'DO_NOTHING';
		startCreate(stack, ctx, {onFailure, changeSetId: changeSet.changeSetId});
	} else {
		startUpdate(stack, changeSet.definition, ctx, changeSet.changeSetId);
	}
	return {};
}

export function deleteChangeSet(state: CfnState, params: Params) {
	const changeSet = findChangeSet(state, params);
	if (changeSet.executionStatus === 'EXECUTE_IN_PROGRESS') {
		throw new AwsError(
			'InvalidChangeSetStatus',
			`Cannot delete ChangeSet [${changeSet.changeSetId}] while it is in status EXECUTE_IN_PROGRESS`,
		);
	}
	delete state.changeSets[changeSet.changeSetId];
	return {};
}

export function listChangeSets(state: CfnState, params: Params) {
	const stackName = required(params, 'StackName');
	const stack = findStack(state, stackName);
	if (!stack) {
		throw validation(`Stack [${stackName}] does not exist`);
	}
	const summaries = Object.values(state.changeSets).filter(
		(changeSet) => changeSet.stackId === stack.stackId,
	);
	return {Summaries: summaries.map(changeSetSummaryView)};
}
