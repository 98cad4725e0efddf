/**
 * The Key & rotation screen's state: the key (found as the CLI finds it), its overview,
 * rotation history and key policy, the mode (viewing, editing the period, confirming rotate-now) and the one
 * action that may be running.
 */
import {useCallback, useReducer} from 'react';
import type {LoadedPolicy} from '../components/policy-section.js';
import {resolveKeyChoice} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useLoadAndAct} from '../hooks/use-load-and-act.js';
import {validateRotationPeriod} from '../service/index.js';

export type KeyMode = 'view' | 'period' | 'confirm-rotate';

type State = {readonly mode: KeyMode; readonly period: string; readonly message?: string};
type Action =
	| {type: 'mode'; mode: KeyMode}
	| {type: 'period'; value: string}
	| {type: 'done'; message: string};

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'mode':
			return {
				...state,
				mode: action.mode,
				message: action.mode === 'view' ? state.message : undefined,
			};
		case 'period':
			return {...state, period: action.value};
		case 'done':
			return {...state, mode: 'view', message: action.message};
	}
}

/** Inline validation of the period field: the service's own rule, worded for the field. */
export function periodError(value: string): string | undefined {
	if (value.trim() === '') return 'Enter a number of days (90–2560).';
	try {
		validateRotationPeriod(Number(value));
		return undefined;
	} catch {
		return `${value} is not a whole number from 90 to 2560 days.`;
	}
}

export function useKeyState() {
	const {services, settings} = useAppContext();
	const {keys} = services;
	const [state, dispatch] = useReducer(reducer, {mode: 'view', period: ''});
	const {
		load,
		action,
		loaded,
		perform: run,
	} = useLoadAndAct(async (signal) => {
		const choice = await resolveKeyChoice(services, settings, signal);
		const overview = await keys.overview(choice.keyRef, {signal});
		const history = overview.rotation
			? await keys.rotationHistory(overview.key.keyId, {signal})
			: [];
		// A caller may read the key but not its policy: the Policy section says so, the rest stays.
		const policy: LoadedPolicy = await keys.keyPolicy(overview.key.keyId, {signal}).then(
			(text) => ({text}),
			(error: unknown) => {
				if (signal.aborted) throw error;
				return {error: error as Error};
			},
		);
		return {choice, overview, history, policy};
	});

	const keyId = loaded?.overview.key.keyId ?? '';
	const perform = useCallback(
		async (work: (signal: AbortSignal) => Promise<string>) => {
			const message = await run(work, (done) => dispatch({type: 'done', message: done}));
			if (message === undefined) dispatch({type: 'mode', mode: 'view'});
		},
		[run],
	);

	return {
		state,
		load,
		action,
		loaded,
		setMode: (mode: KeyMode) => dispatch({type: 'mode', mode}),
		setPeriod: (value: string) => dispatch({type: 'period', value}),
		enable: () =>
			perform(async (signal) => {
				const status = await keys.enableRotation(keyId, undefined, {signal});
				return `Automatic rotation is on: every ${status.periodDays ?? '?'} days.`;
			}),
		disable: () =>
			perform(async (signal) => {
				await keys.disableRotation(keyId, {signal});
				return 'Automatic rotation is off. Existing key material is kept.';
			}),
		applyPeriod: (value: string) => {
			if (periodError(value)) return;
			dispatch({type: 'mode', mode: 'view'});
			void perform(async (signal) => {
				const status = await keys.enableRotation(keyId, Number(value), {signal});
				return `Rotation period set to ${status.periodDays ?? value} days.`;
			});
		},
		rotateNow: () =>
			perform(async (signal) => {
				await keys.rotateNow(keyId, {signal});
				return 'Started an on-demand rotation: new data now uses new key material; old data still decrypts.';
			}),
	};
}
