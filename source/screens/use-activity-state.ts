/**
 * The Activity screen's state: the key (found as the CLI finds it), its CloudTrail events of the
 * last 24 hours and the cost estimate, which event is selected, which page is shown and whether
 * one event's details are open. Also the key screen's "last used" row (useLastUsageText).
 */
import {useCallback, useEffect, useReducer} from 'react';
import {displayNow} from '../format.js';
import {resolveKeyChoice} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useLoadAndAct} from '../hooks/use-load-and-act.js';
import {useTask} from '../hooks/use-task.js';
import {cryptographicOperations} from '../kms-operations.js';
import {lastUsageText} from '../last-usage-text.js';
import {estimateMonthlyCost} from '../pricing.js';
import {readKeyActivity} from '../service/index.js';

/** The window the screen shows; `kms-tui activity --since` picks another. */
export const activityWindow = {text: '24h', ms: 86_400_000} as const;

type State = {
	readonly focus: number;
	readonly isDetailOpen: boolean;
	readonly isCryptoOnly: boolean;
};
type Action =
	| {type: 'move'; by: number; count: number}
	| {type: 'page'; by: number; pageSize: number; count: number}
	| {type: 'details'; isOpen: boolean}
	| {type: 'crypto-only'}
	| {type: 'reset'};

function clamp(value: number, count: number): number {
	return Math.max(0, Math.min(value, count - 1));
}

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'move':
			return {...state, focus: clamp(state.focus + action.by, action.count)};
		case 'page': {
			// To the first event of the next or previous page, so pages stay aligned.
			const page = Math.floor(state.focus / action.pageSize) + action.by;
			return {...state, focus: clamp(page * action.pageSize, action.count)};
		}
		case 'details':
			return {...state, isDetailOpen: action.isOpen};
		case 'crypto-only':
			return {...state, focus: 0, isCryptoOnly: !state.isCryptoOnly};
		case 'reset':
			return {...state, focus: 0, isDetailOpen: false};
	}
}

export function useActivityState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(reducer, {
		focus: 0,
		isDetailOpen: false,
		isCryptoOnly: false,
	});
	const {load, loaded} = useLoadAndAct(async (signal) => {
		const choice = await resolveKeyChoice(services, settings, signal);
		const activity = await readKeyActivity(services, choice.keyRef, {
			sinceMs: activityWindow.ms,
			now: displayNow(),
			signal,
		});
		const estimate = estimateMonthlyCost({
			rotations: activity.rotations,
			requests: activity.requests,
			windowMs: activity.until.getTime() - activity.coveredFrom.getTime(),
		});
		return {choice, activity, estimate};
	});
	const all = loaded?.activity.events ?? [];
	const events = state.isCryptoOnly
		? all.filter((event) => cryptographicOperations.has(event.name))
		: all;
	const count = events.length;
	const focus = clamp(state.focus, count);
	const {run} = load;
	const refresh = useCallback(() => {
		dispatch({type: 'reset'});
		void run();
	}, [run]);
	return {
		load,
		loaded,
		focus,
		/** The events shown: all of them, or the cryptographic operations only. */
		events,
		isCryptoOnly: state.isCryptoOnly,
		toggleCryptoOnly: () => dispatch({type: 'crypto-only'}),
		isDetailOpen: state.isDetailOpen && count > 0,
		selected: events[focus],
		refresh,
		move: (by: number) => dispatch({type: 'move', by, count}),
		page: (by: number, pageSize: number) => dispatch({type: 'page', by, pageSize, count}),
		openDetails: (isOpen: boolean) => dispatch({type: 'details', isOpen}),
	};
}

/**
 * "GenerateDataKey, 2 minutes ago" for the key screen, read once per key; a failure to read it
 * is shown in the row rather than failing the screen.
 */
export function useLastUsageText(keyId: string | undefined): string {
	const {services} = useAppContext();
	const task = useTask((signal, id: string) => services.keys.keyLastUsage(id, {signal}));
	const {run} = task;
	useEffect(() => {
		if (keyId) void run(keyId);
	}, [keyId, run]);
	switch (task.state.status) {
		case 'success':
			return lastUsageText(task.state.value, displayNow());
		case 'error':
			return `could not be read: ${task.state.error.message}`;
		default:
			return 'reading…';
	}
}
