/** A read-only summary of sandbox state for `kms-tui sandbox status`. */
import {isDeleted} from './cfn/state.js';
import {ownEntry} from './context.js';
import {type StoreDescription, sandboxNow} from './store.js';

export type RegionSummary = {
	readonly region: string;
	readonly keys: number;
	readonly pendingDeletion: number;
	readonly aliases: number;
	/** Live stacks only: deleted stacks stay in state (findable by id, as on AWS) but are not counted. */
	readonly stacks: number;
	readonly events: number;
};

export type SandboxSummary = {
	readonly clock: Date;
	readonly clockOffsetMs: number;
	readonly regions: readonly RegionSummary[];
	readonly events: number;
	/** The store's files: snapshot and journal (or a state.json not yet migrated). */
	readonly bytesOnDisk: number;
};

export function describeSandbox(description: StoreDescription): SandboxSummary {
	const {state} = description;
	return {
		clock: new Date(sandboxNow(state)),
		clockOffsetMs: state.clockOffsetMs,
		events: description.events,
		bytesOnDisk: description.bytesOnDisk,
		regions: Object.entries(state.regions).map(([region, value]) => {
			const keys = Object.values(value.kms.keys ?? {});
			return {
				region,
				keys: keys.length,
				pendingDeletion: keys.filter((key) => key.keyState === 'PendingDeletion').length,
				aliases: Object.keys(value.kms.aliases ?? {}).length,
				stacks: Object.values(value.cfn.stacks ?? {}).filter((stack) => !isDeleted(stack)).length,
				events: ownEntry(description.eventsByRegion, region) ?? 0,
			};
		}),
	};
}
