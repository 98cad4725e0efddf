/** A read-only summary of sandbox state for `kms-tui sandbox status`. */
import {isDeleted} from './cfn/state.js';
import type {SandboxState} from './context.js';
import {sandboxNow} from './store.js';

export type RegionSummary = {
	readonly region: string;
	readonly keys: number;
	readonly pendingDeletion: number;
	/** Live stacks only: deleted stacks stay in state (findable by id, as on AWS) but are not counted. */
	readonly stacks: number;
};

export type SandboxSummary = {
	readonly clock: Date;
	readonly clockOffsetMs: number;
	readonly regions: readonly RegionSummary[];
};

export function describeSandbox(state: SandboxState): SandboxSummary {
	return {
		clock: new Date(sandboxNow(state)),
		clockOffsetMs: state.clockOffsetMs,
		regions: Object.entries(state.regions).map(([region, value]) => {
			const keys = Object.values(value.kms.keys ?? {});
			return {
				region,
				keys: keys.length,
				pendingDeletion: keys.filter((key) => key.keyState === 'PendingDeletion').length,
				stacks: Object.values(value.cfn.stacks ?? {}).filter((stack) => !isDeleted(stack)).length,
			};
		}),
	};
}
