/**
 * The Key deletion screen's state: the key and its aliases, the mode (view → window → typed
 * confirmation) and the pending-window field, validated as typed with the service's rule.
 */
import {useReducer} from 'react';
import {displayNow} from '../format.js';
import {resolveKeyChoice} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useLoadAndAct} from '../hooks/use-load-and-act.js';
import {defaultPendingWindowDays, validatePendingWindow} from '../service/index.js';

export type DeletionMode = 'view' | 'window' | 'confirm';

type State = {readonly mode: DeletionMode; readonly days: string; readonly message?: string};
type Action =
	| {type: 'mode'; mode: DeletionMode}
	| {type: 'days'; value: string}
	| {type: 'confirm-days'; value: string}
	| {type: 'done'; message: string};

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'mode':
			return {...state, mode: action.mode, message: undefined};
		case 'days':
			return {...state, days: action.value};
		case 'confirm-days':
			return {...state, days: action.value, mode: 'confirm', message: undefined};
		case 'done':
			return {...state, mode: 'view', message: action.message};
	}
}

export function windowError(value: string): string | undefined {
	try {
		validatePendingWindow(Number(value));
		return value.trim() === '' ? 'Enter a number of days (7–30).' : undefined;
	} catch {
		return `${value || 'nothing'} is not a whole number from 7 to 30 days.`;
	}
}

/** The day KMS would delete the key if scheduled now (on the target's clock) with this window. */
export function deletionDateFor(days: number, now = displayNow()): Date {
	return new Date(now + days * 86_400_000);
}

export function useDeletionState() {
	const {services, settings} = useAppContext();
	const {keys} = services;
	const [state, dispatch] = useReducer(reducer, {
		mode: 'view',
		days: String(defaultPendingWindowDays),
	});
	const {
		load,
		action,
		loaded,
		perform: run,
	} = useLoadAndAct(async (signal) => {
		const choice = await resolveKeyChoice(services, settings, signal);
		const key = await keys.describeKey(choice.keyRef, {signal});
		const aliases = await keys.listAliases(key.keyId, {signal});
		return {choice, key, aliases};
	});
	const keyId = loaded?.key.keyId ?? '';

	const perform = async (work: (signal: AbortSignal) => Promise<string>) => {
		dispatch({type: 'mode', mode: 'view'});
		await run(work, (message) => dispatch({type: 'done', message}));
	};

	return {
		state,
		load,
		action,
		loaded,
		setMode: (mode: DeletionMode) => dispatch({type: 'mode', mode}),
		setDays: (value: string) => dispatch({type: 'days', value}),
		/** Enter in the days field: the submitted text, not a render's copy of it, is validated and kept. */
		submitDays: (value: string) => {
			if (!windowError(value)) dispatch({type: 'confirm-days', value});
		},
		/** The window the confirmation showed, passed by the dialog that showed it. */
		schedule: (days: number) =>
			perform(async (signal) => {
				const schedule = await keys.scheduleDeletion(keyId, days, {signal});
				return `Key ${schedule.keyId} is pending deletion: KMS deletes it on ${schedule.deletionDate.toISOString().slice(0, 10)}. Until then it cannot be used; c cancels.`;
			}),
		cancelDeletion: () =>
			perform(async (signal) => {
				const key = await keys.cancelDeletion(keyId, {signal});
				return `Deletion cancelled. The key is ${key.state}: it cannot encrypt or decrypt until you enable it (e).`;
			}),
		/** What AWS advises before a deletion: reversible, and failures show who still uses it. */
		disableKey: () =>
			perform(async (signal) => {
				const key = await keys.disableKey(keyId, {signal});
				return `The key is ${key.state}: anything that still uses it now fails with DisabledException — watch for such failures before scheduling the deletion; e enables it again.`;
			}),
		enableKey: () =>
			perform(async (signal) => {
				const key = await keys.enableKey(keyId, {signal});
				return `The key is ${key.state} again.`;
			}),
	};
}
