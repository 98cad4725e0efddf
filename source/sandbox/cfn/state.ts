/**
 * The persisted shape of the CloudFormation engine: plain JSON (epoch-ms numbers, no Dates or
 * Maps) because the store writes it to disk between requests and several processes share it.
 */
import {ownEntry} from '../context.js';
import type {Template} from './template.js';

export type ResourceStatus =
	| 'CREATE_IN_PROGRESS'
	| 'CREATE_COMPLETE'
	| 'CREATE_FAILED'
	| 'UPDATE_IN_PROGRESS'
	| 'UPDATE_COMPLETE'
	| 'UPDATE_FAILED'
	| 'DELETE_IN_PROGRESS'
	| 'DELETE_COMPLETE'
	| 'DELETE_FAILED'
	| 'DELETE_SKIPPED';

export type StackEvent = {
	eventId: string;
	logicalId: string;
	physicalId: string;
	resourceType: string;
	timestamp: number;
	status: string;
	reason?: string;
};

export type StoredResource = {
	logicalId: string;
	type: string;
	/** Absent until the create call returned an identifier. */
	physicalId?: string;
	status: ResourceStatus;
	reason?: string;
	timestamp: number;
	/** The resolved properties as last applied: what the next update is diffed against. */
	properties: Record<string, unknown>;
	attributes: Record<string, string>;
	deletionPolicy: string;
};

/** One unit of a stack operation. Steps are data so the queue survives between requests. */
export type Step =
	/** Sets the stack status and records a stack event; terminal statuses also finish the operation. */
	| {k: 'stack'; status: string; reason?: string}
	/** Records a resource event (the *_IN_PROGRESS before work, the *_COMPLETE after it). */
	| {k: 'event'; logicalId: string; status: ResourceStatus; reason?: string; physicalId?: string}
	/** Creates the resource (or its replacement) through KMS. */
	| {k: 'create'; logicalId: string; replacing: boolean}
	/** Updates the resource in place through KMS. */
	| {k: 'update'; logicalId: string}
	/** Deletes a physical resource (a snapshot, since the logical slot may now hold its replacement). */
	| {k: 'delete'; resource: StoredResource; keepSlot: boolean}
	/** Rollback of an update: puts the previous properties (and physical resource) back. */
	| {k: 'revert'; previous: StoredResource};

export type JournalEntry = {
	logicalId: string;
	action: 'create' | 'update' | 'replace';
	/** The resource before this operation touched it (update and replace). */
	before?: StoredResource;
	/** The physical resource a replacement created (deleted again if the update rolls back). */
	createdPhysical?: string;
};

export type Operation = {
	kind: 'create' | 'update' | 'delete';
	/** When the next step is due (sandbox clock, epoch ms). */
	nextAt: number;
	steps: Step[];
	journal: JournalEntry[];
	failed: string[];
	rollingBack: boolean;
	onFailure: 'ROLLBACK' | 'DO_NOTHING' | 'DELETE';
	changeSetId?: string;
	/** What an update rollback restores. */
	previous?: StackDefinition;
};

export type StackParameter = {key: string; value: string; noEcho: boolean};

/** Everything a stack was deployed from: what an update replaces and its rollback restores. */
export type StackDefinition = {
	templateBody: string;
	template: Template;
	parameters: StackParameter[];
	tags: Array<{Key: string; Value: string}>;
	capabilities: string[];
	outputs: StackOutput[];
};

export type StackOutput = {
	OutputKey: string;
	OutputValue: string;
	Description?: string;
	ExportName?: string;
};

export type StoredStack = StackDefinition & {
	stackId: string;
	stackName: string;
	description?: string;
	creationTime: number;
	lastUpdatedTime?: number;
	deletionTime?: number;
	status: string;
	statusReason?: string;
	disableRollback: boolean;
	/** Insertion order is the order resources were first created. */
	resources: Record<string, StoredResource>;
	/** Oldest first; DescribeStackEvents reverses. */
	events: StackEvent[];
	operation?: Operation;
	/** True once a change set was executed (or CreateStack ran): REVIEW_IN_PROGRESS stacks are not "real". */
	executed: boolean;
};

export type StoredChange = {
	action: 'Add' | 'Modify' | 'Remove';
	logicalId: string;
	physicalId?: string;
	resourceType: string;
	replacement?: 'True' | 'False' | 'Conditional';
	scope: string[];
	details: Array<{
		name: string;
		requiresRecreation: 'Never' | 'Conditionally' | 'Always';
		evaluation: 'Static' | 'Dynamic';
		changeSource: string;
	}>;
};

export type StoredChangeSet = {
	changeSetId: string;
	changeSetName: string;
	stackId: string;
	stackName: string;
	description?: string;
	type: 'CREATE' | 'UPDATE';
	creationTime: number;
	status: string;
	executionStatus: string;
	statusReason?: string;
	definition: StackDefinition;
	changes: StoredChange[];
};

export type CfnState = {
	/** Keyed by stack ID; deleted stacks stay (findable by ID only), as in AWS. */
	stacks: Record<string, StoredStack>;
	changeSets: Record<string, StoredChangeSet>;
};

export function emptyCfnState(): CfnState {
	return {stacks: {}, changeSets: {}};
}

/** State written by the placeholder engine (`{}`) gets the missing members. */
export function normaliseCfnState(state: CfnState): void {
	const loose = state as Partial<CfnState>;
	loose.stacks ??= {};
	loose.changeSets ??= {};
}

export function isDeleted(stack: StoredStack): boolean {
	return stack.status === 'DELETE_COMPLETE';
}

/**
 * A name finds the live stack of that name; an ARN finds any stack, deleted ones included
 * (AWS keeps deleted stacks visible by ID for a while).
 */
export function findStack(state: CfnState, nameOrId: string): StoredStack | undefined {
	if (nameOrId.startsWith('arn:')) {
		return ownEntry(state.stacks, nameOrId);
	}
	return Object.values(state.stacks).find(
		(stack) => stack.stackName === nameOrId && !isDeleted(stack),
	);
}
