/**
 * The Cleanup screen's state: the stack, the typed confirmation, the deletion with its live
 * events and AbortController, what became of the key afterwards, and the .env variables that
 * still name it (commented out or removed on request: env-file/key-cleanup.ts).
 */
import {useCallback, useEffect, useReducer, useRef, useState} from 'react';
import {
	type EnvCleanupLine,
	type EnvCleanupMode,
	type KeyNames,
	planEnvCleanup,
	writeEnvCleanup,
} from '../env-file/key-cleanup.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {toDisplayError, useTask} from '../hooks/use-task.js';
import type {DestroyResult, KeyInfo, ServiceError, Services, StackEvent} from '../service/index.js';
import {envFilePath} from '../session-context.js';

/** After the deletion: the .env lines that name the deleted key, and what was done with them. */
export type EnvLeftovers = {
	readonly names: KeyNames;
	readonly lines: readonly EnvCleanupLine[];
	readonly done?: {readonly mode: EnvCleanupMode; readonly backupPath?: string};
	readonly error?: string;
};

export type CleanupPhase =
	| {readonly name: 'view'}
	| {readonly name: 'confirm'}
	| {readonly name: 'running'; readonly startedAt: number}
	| {readonly name: 'cancelled'; readonly message: string}
	| {readonly name: 'failed'; readonly error: ServiceError}
	| {
			readonly name: 'finished';
			readonly startedAt: number;
			readonly result: DestroyResult;
			/** Each key the stack held, or undefined when it no longer exists. */
			readonly keys: readonly (KeyInfo | undefined)[];
			readonly env?: EnvLeftovers;
	  };

type State = {readonly phase: CleanupPhase; readonly events: readonly StackEvent[]};
type Action =
	| {type: 'phase'; phase: CleanupPhase}
	| {type: 'event'; event: StackEvent}
	| {type: 'start'; startedAt: number};

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'phase':
			return {...state, phase: action.phase};
		case 'event':
			return {...state, events: [...state.events, action.event]};
		case 'start':
			return {phase: {name: 'running', startedAt: action.startedAt}, events: []};
	}
}

/** The names .env may use for the key: its id, ARN and every alias (name and ARN). */
async function keyNames(keys: Services['keys'], keyId: string): Promise<KeyNames | undefined> {
	try {
		const key = await keys.describeKey(keyId);
		const aliases = await keys.listAliases(key.keyId);
		return {
			keyId: key.keyId,
			arn: key.arn,
			aliases: aliases.flatMap((alias) => [alias.name, ...(alias.arn ? [alias.arn] : [])]),
		};
	} catch {
		return undefined;
	}
}

export function useCleanupState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(reducer, {phase: {name: 'view'}, events: []});
	const controllerRef = useRef<AbortController | undefined>(undefined);
	const [disableError, setDisableError] = useState<ServiceError | undefined>(undefined);
	const load = useTask(async (signal) => {
		const stack = await services.stacks.findStack(settings.stackName, {signal});
		if (!stack || stack.status === 'DELETE_COMPLETE') return {stack: undefined, keyId: undefined};
		const {outputs} = await services.stacks.keyOutputs(stack, {signal});
		const key = outputs.KeyId
			? await services.keys.describeKey(outputs.KeyId, {signal}).catch(() => undefined)
			: undefined;
		return {stack, keyId: outputs.KeyId, aliasName: outputs.AliasName, keyState: key?.state};
	});
	const {run: reload} = load;
	useEffect(() => {
		void reload();
		return () => controllerRef.current?.abort();
	}, [reload]);

	const destroy = useCallback(async () => {
		const controller = new AbortController();
		controllerRef.current = controller;
		const startedAt = Date.now();
		dispatch({type: 'start', startedAt});
		const keyId = load.state.status === 'success' ? load.state.value.keyId : undefined;
		try {
			// Read before the stack goes: afterwards its alias no longer says whose it was.
			const names = keyId ? await keyNames(services.keys, keyId) : undefined;
			const result = await services.stacks.destroy(settings.stackName, {
				signal: controller.signal,
				onEvent: (event) => dispatch({type: 'event', event}),
			});
			const keys = await Promise.all(
				result.keyIds.map((keyId) => services.keys.describeKey(keyId).catch(() => undefined)),
			);
			const isGone = !keys.some((key) => key?.keyId === keyId && key?.state !== 'PendingDeletion');
			const plan =
				names && isGone && result.stack.status === 'DELETE_COMPLETE'
					? await planEnvCleanup(envFilePath(settings), names, 'comment').catch(() => undefined)
					: undefined;
			const env = plan && names ? {names, lines: plan.lines} : undefined;
			dispatch({
				type: 'phase',
				phase: {name: 'finished', startedAt, result, keys, ...(env ? {env} : {})},
			});
		} catch (error) {
			if (!controller.signal.aborted) {
				dispatch({type: 'phase', phase: {name: 'failed', error: toDisplayError(error)}});
				return;
			}
			const stack = await services.stacks.findStack(settings.stackName).catch(() => undefined);
			dispatch({
				type: 'phase',
				phase: {
					name: 'cancelled',
					message: stack
						? `Stopped watching. CloudFormation carries on deleting on its side: stack ${settings.stackName} is ${stack.status}. Home (R) shows how it ends.`
						: `Stopped watching; stack ${settings.stackName} is already gone.`,
				},
			});
		}
	}, [services, settings, load.state]);

	/** c / r after the deletion: the .env lines naming the key, commented out or removed. */
	const cleanEnv = useCallback(
		async (mode: EnvCleanupMode) => {
			const {phase} = state;
			if (phase.name !== 'finished' || !phase.env || phase.env.done) return;
			const {env} = phase;
			const finish = (next: EnvLeftovers) =>
				dispatch({type: 'phase', phase: {...phase, env: next}});
			try {
				const plan = await planEnvCleanup(envFilePath(settings), env.names, mode);
				if (!plan) return finish({...env, done: {mode}});
				const {backupPath} = await writeEnvCleanup(plan);
				finish({...env, lines: plan.lines, done: {mode, ...(backupPath ? {backupPath} : {})}});
			} catch (error) {
				finish({...env, error: error instanceof Error ? error.message : String(error)});
			}
		},
		[state, settings],
	);

	/** d: what AWS advises before a deletion (reversible with `delete-key --enable`). */
	const disableKey = useCallback(async () => {
		const keyId = load.state.status === 'success' ? load.state.value.keyId : undefined;
		if (!keyId) return;
		try {
			await services.keys.disableKey(keyId);
			setDisableError(undefined);
		} catch (error) {
			setDisableError(toDisplayError(error));
		}
		await reload();
	}, [services, load.state, reload]);

	return {
		state,
		load,
		destroy,
		disableKey,
		disableError,
		cleanEnv,
		setPhase: (phase: CleanupPhase) => dispatch({type: 'phase', phase}),
		cancel: () => controllerRef.current?.abort(),
	};
}
