/**
 * The Cleanup screen's state: the stack, the typed confirmation, the deletion with its live
 * events and AbortController, and what became of the key afterwards.
 */
import {useCallback, useEffect, useReducer, useRef} from 'react';
import {useAppContext} from '../hooks/use-app-context.js';
import {toDisplayError, useTask} from '../hooks/use-task.js';
import type {DestroyResult, KeyInfo, ServiceError, StackEvent} from '../service/index.js';

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

export function useCleanupState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(reducer, {phase: {name: 'view'}, events: []});
	const controllerRef = useRef<AbortController | undefined>(undefined);
	const load = useTask(async (signal) => {
		const stack = await services.stacks.findStack(settings.stackName, {signal});
		if (!stack || stack.status === 'DELETE_COMPLETE') return {stack: undefined, keyId: undefined};
		const {outputs} = await services.stacks.keyOutputs(stack, {signal});
		return {stack, keyId: outputs.KeyId};
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
		try {
			const result = await services.stacks.destroy(settings.stackName, {
				signal: controller.signal,
				onEvent: (event) => dispatch({type: 'event', event}),
			});
			const keys = await Promise.all(
				result.keyIds.map((keyId) => services.keys.describeKey(keyId).catch(() => undefined)),
			);
			dispatch({type: 'phase', phase: {name: 'finished', startedAt, result, keys}});
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
	}, [services, settings.stackName]);

	return {
		state,
		load,
		destroy,
		setPhase: (phase: CleanupPhase) => dispatch({type: 'phase', phase}),
		cancel: () => controllerRef.current?.abort(),
	};
}
