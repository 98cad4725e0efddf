/**
 * The embedded sandbox's public face. Only the composition root (the CLI, or a test fixture)
 * starts it; nothing else in kms-tui knows it exists, because everything else talks to it over
 * HTTP through the real AWS SDK clients exactly as it would talk to AWS.
 */
import {mkdir} from 'node:fs/promises';
import {type RunningSandboxServer, startSandboxServer} from './server.js';
import {SandboxStore} from './store.js';

export {sandboxAccountId} from './context.js';
export {defaultStackStepMs, type RunningSandboxServer} from './server.js';
export {defaultSandboxDir, SandboxStateError, SandboxStore} from './store.js';
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
	await mkdir(store.dir, {recursive: true, mode: 0o700});
	// Fail before listening if the state is unreadable: a clear error now beats 500s later.
	await store.read();
	const server = await startSandboxServer({
		store,
		port: options.port,
		stackStepMs: options.stackStepMs,
		defaultRegion: options.defaultRegion,
	});
	return {...server, store};
}

/** Moves the sandbox clock forward; the effects (deletions, rotations) apply on the next request. */
export async function advanceSandboxClock(store: SandboxStore, ms: number): Promise<number> {
	return store.transact((state) => {
		state.clockOffsetMs += ms;
		return Date.now() + state.clockOffsetMs;
	});
}
