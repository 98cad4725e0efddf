/**
 * A read-only summary of sandbox state for `kms-tui sandbox status`. It reads the engines' state
 * through their persisted shape loosely on purpose: a summary must never fail because a field
 * it does not need changed.
 */
import type {SandboxState} from './context.js';
import {sandboxNow} from './store.js';

export type SandboxSummary = {
	readonly clock: Date;
	readonly clockOffsetMs: number;
	readonly regions: ReadonlyArray<{readonly region: string; readonly keys: number; readonly stacks: number}>;
};

export function describeSandbox(state: SandboxState): SandboxSummary {
	return {
		clock: new Date(sandboxNow(state)),
		clockOffsetMs: state.clockOffsetMs,
		regions: Object.entries(state.regions).map(([region, value]) => ({
			region,
			keys: countEntries((value.kms as {keys?: unknown}).keys),
			stacks: countEntries((value.cfn as {stacks?: unknown}).stacks),
		})),
	};
}

function countEntries(collection: unknown): number {
	if (Array.isArray(collection)) return collection.length;
	if (typeof collection === 'object' && collection !== null) return Object.keys(collection).length;
	return 0;
}
