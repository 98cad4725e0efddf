/**
 * Waiting on CloudFormation: a change set until it is planned, a stack until its operation
 * settles, with every new event handed over oldest first while waiting.
 */
import {
	type CloudFormationClient,
	DescribeChangeSetCommand,
	type DescribeChangeSetCommandOutput,
	DescribeStackEventsCommand,
	type StackEvent as SdkStackEvent,
} from '@aws-sdk/client-cloudformation';
import type {CallOptions, StackEvent, StackInfo} from './types.js';

/** What the waits need from StackService: its client, its error mapping, its stack lookup. */
export type Watcher = {
	readonly cfn: CloudFormationClient;
	readonly pollMs: number;
	readonly call: <T>(
		action: string,
		resource: string | undefined,
		work: () => Promise<T>,
	) => Promise<T>;
	readonly findStack: (nameOrId: string, options?: CallOptions) => Promise<StackInfo | undefined>;
};

export async function waitForChangeSet(
	watcher: Watcher,
	changeSetId: string,
	stackName: string,
	signal?: AbortSignal,
): Promise<DescribeChangeSetCommandOutput> {
	for (;;) {
		const described = await watcher.call('read the change set', stackName, () =>
			watcher.cfn.send(
				new DescribeChangeSetCommand({ChangeSetName: changeSetId, StackName: stackName}),
				{
					abortSignal: signal,
				},
			),
		);
		if (described.Status === 'CREATE_COMPLETE' || described.Status === 'FAILED') return described;
		await pause(watcher.pollMs, signal);
	}
}

/** Events that exist before an operation starts, so that only its own are reported. */
export async function existingEventIds(
	cfn: CloudFormationClient,
	stackName: string,
	signal?: AbortSignal,
): Promise<Set<string>> {
	try {
		const output = await cfn.send(new DescribeStackEventsCommand({StackName: stackName}), {
			abortSignal: signal,
		});
		return new Set((output.StackEvents ?? []).map((event) => event.EventId ?? ''));
	} catch {
		return new Set();
	}
}

/** Polls events (oldest first to the callback) until the stack reaches a settled status. */
export async function watchStack(
	watcher: Watcher,
	stackId: string,
	seen: Set<string>,
	onEvent: ((event: StackEvent) => void) | undefined,
	signal?: AbortSignal,
): Promise<{stack: StackInfo; failures: StackEvent[]}> {
	const failures: StackEvent[] = [];
	for (;;) {
		const output = await watcher.call('read the stack events', stackId, () =>
			watcher.cfn.send(new DescribeStackEventsCommand({StackName: stackId}), {abortSignal: signal}),
		);
		const fresh = (output.StackEvents ?? [])
			.filter((event) => !seen.has(event.EventId ?? ''))
			.reverse();
		for (const raw of fresh) {
			seen.add(raw.EventId ?? '');
			const event = toStackEvent(raw);
			if (event.status.endsWith('_FAILED') && event.resourceType !== 'AWS::CloudFormation::Stack') {
				failures.push(event);
			}
			onEvent?.(event);
		}
		const stack = await watcher.findStack(stackId, {signal});
		// Found by neither id nor name: the delete finished and the stack is gone from view.
		if (!stack) {
			return {
				stack: {name: stackId, id: stackId, status: 'DELETE_COMPLETE', outputs: {}, parameters: {}},
				failures,
			};
		}
		if (isSettled(stack.status)) return {stack, failures};
		await pause(watcher.pollMs, signal);
	}
}

function toStackEvent(raw: SdkStackEvent): StackEvent {
	return {
		id: raw.EventId ?? '',
		timestamp: raw.Timestamp ?? new Date(),
		logicalId: raw.LogicalResourceId ?? '',
		physicalId: raw.PhysicalResourceId,
		resourceType: raw.ResourceType ?? '',
		status: raw.ResourceStatus ?? '',
		reason: raw.ResourceStatusReason,
	};
}

function isSettled(status: string): boolean {
	return (
		(status.endsWith('_COMPLETE') && !status.endsWith('CLEANUP_IN_PROGRESS')) ||
		status.endsWith('_FAILED')
	);
}

async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	signal?.throwIfAborted();
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		signal?.addEventListener('abort', onAbort, {once: true});
	});
}
