/**
 * The embedded sandbox's public face. Only the composition root (the CLI, or a test fixture)
 * starts it; nothing else in kms-tui knows it exists, because everything else talks to it over
 * HTTP through the real AWS SDK clients exactly as it would talk to AWS.
 */
import {type RegionState, sandboxAccountId} from './context.js';
import {tickKms} from './kms/index.js';
import {defaultStackStepMs, type RunningSandboxServer, startSandboxServer} from './server.js';
import {maxClockOffsetMs, SandboxStore, sandboxNow} from './store.js';

export {sandboxAccountId} from './context.js';
export {isAwsRegion} from './regions.js';
export {defaultStackStepMs, type RunningSandboxServer} from './server.js';
export {defaultSandboxDir, maxClockOffsetMs, SandboxStateError, SandboxStore} from './store.js';
export {describeSandbox, type SandboxSummary} from './summary.js';

export type StartSandboxOptions = {
	readonly dir: string;
	readonly port?: number;
	readonly stackStepMs?: number;
	readonly defaultRegion?: string;
};

export type RunningSandbox = RunningSandboxServer & {readonly store: SandboxStore};

export async function startSandbox(options: StartSandboxOptions): Promise<RunningSandbox> {
	const store = new SandboxStore(options.dir);
	await store.ensureDir();
	// Fail before listening if the state is unreadable: a clear error now beats 500s later.
	const state = await store.read();
	const server = await startSandboxServer({
		store,
		clockOffsetMs: state.clockOffsetMs,
		port: options.port,
		stackStepMs: options.stackStepMs,
		defaultRegion: options.defaultRegion,
	});
	return {...server, store};
}

export type ClockAdvance = {
	/** The sandbox clock after the move, epoch ms. */
	readonly now: number;
	/** Keys whose deletion date passed during the move, now gone. */
	readonly deletedKeys: number;
	/** Automatic rotations that fell due during the move and ran. */
	readonly rotations: number;
};

/** A move of the clock beyond maxClockOffsetMs (100 years) ahead of real time; nothing was changed. */
export class SandboxClockRangeError extends Error {
	override name = 'SandboxClockRangeError';
}

const msPerDay = 86_400_000;

/**
 * Moves the sandbox clock forward and applies what that time brings right away, in every
 * region: keys past their deletion date disappear and due rotations run.
 */
export async function advanceSandboxClock(store: SandboxStore, ms: number): Promise<ClockAdvance> {
	return store.transact((state) => {
		// Checked against the saved offset inside the transaction, before anything changes.
		const room = maxClockOffsetMs - state.clockOffsetMs;
		if (!(ms > 0 && ms <= room)) {
			const ahead = Math.floor(state.clockOffsetMs / msPerDay);
			throw new SandboxClockRangeError(
				`The sandbox clock moves at most 100 years (${maxClockOffsetMs / msPerDay}d) ahead of real time` +
					(ahead > 0
						? `; it is already ${ahead}d ahead, so it can move at most ${Math.floor(room / msPerDay)}d more`
						: '') +
					'. Nothing was changed. Use a shorter duration, or `kms-tui sandbox reset` to start over.',
			);
		}
		state.clockOffsetMs += ms;
		const now = sandboxNow(state);
		let deletedKeys = 0;
		let rotations = 0;
		for (const [region, regionState] of Object.entries(state.regions)) {
			const keysBefore = Object.keys(regionState.kms.keys).length;
			const rotationsBefore = countAutomaticRotations(regionState);
			const ctx = {
				region,
				accountId: sandboxAccountId,
				now,
				requestId: `advance-${now}`,
				stackStepMs: defaultStackStepMs,
			};
			// Stack steps are left to the next request: their spacing is the serving process's setting.
			tickKms(regionState.kms, ctx);
			deletedKeys += keysBefore - Object.keys(regionState.kms.keys).length;
			rotations += countAutomaticRotations(regionState) - rotationsBefore;
		}
		return {now, deletedKeys, rotations};
	});
}

function countAutomaticRotations(region: RegionState): number {
	let count = 0;
	for (const key of Object.values(region.kms.keys)) {
		count += key.rotations.filter((rotation) => rotation.rotationType === 'AUTOMATIC').length;
	}
	return count;
}
