/**
 * A key field that offers the keys that exist: the choices (ListKeys + ListAliases, each key
 * described) and the field's state. ↑/↓ put a choice into the field, typing edits it as text, so
 * a key of another account (an ARN) can still be entered. Moves go through a reducer, so a burst
 * of arrows moves once per key.
 */
import {useCallback, useReducer} from 'react';
import type {KeyInfo, Services} from '../service/index.js';
import {useTask} from './use-task.js';

export type KeyChoice = {
	/** What goes into the field and to KMS: an alias name or a key id. */
	readonly value: string;
	/** The rest of the row: where an alias points, a key's state or description. */
	readonly detail: string;
};

/** 'usable': Enabled keys only (to encrypt with); 'target': any a customer alias may point at. */
export type KeyChoiceFilter = 'usable' | 'target';

function isOffered(key: KeyInfo, filter: KeyChoiceFilter): boolean {
	// AWS managed keys and asymmetric or HMAC keys cannot back an alias of ours or a data key.
	if (key.keyManager !== 'CUSTOMER' || key.keySpec !== 'SYMMETRIC_DEFAULT') return false;
	if (key.keyUsage !== 'ENCRYPT_DECRYPT') return false;
	if (filter === 'usable') return key.state === 'Enabled';
	return key.state !== 'PendingDeletion' && key.state !== 'PendingImport';
}

/** Aliases first (what people type), then the keys themselves, each once. */
export async function loadKeyChoices(
	services: Services,
	filter: KeyChoiceFilter,
	signal: AbortSignal,
): Promise<KeyChoice[]> {
	const [keys, aliases] = await Promise.all([
		services.keys.listKeys({signal}),
		services.keys.listAliases(undefined, {signal}),
	]);
	const offered = new Map(
		keys.filter((key) => isOffered(key, filter)).map((key) => [key.keyId, key]),
	);
	const aliasChoices = aliases
		.filter((alias) => alias.targetKeyId && offered.has(alias.targetKeyId))
		.map((alias) => ({value: alias.name, detail: `→ ${alias.targetKeyId}`}));
	const keyChoices = [...offered.values()]
		.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0))
		.map((key) => ({
			value: key.keyId,
			detail: key.state === 'Enabled' ? key.description : `${key.state} · ${key.description}`,
		}));
	return [...aliasChoices, ...keyChoices];
}

type PickState = {
	readonly value: string;
	/** Bumped to remount the text field with `value` (after a pick). */
	readonly version: number;
	/** The choice the arrows are on; undefined once the text is typed. */
	readonly index?: number;
};

type PickAction =
	| {type: 'reset'; value: string}
	| {type: 'typed'; value: string; version: number}
	| {type: 'move'; delta: number; choices: readonly KeyChoice[]};

function reducePick(state: PickState, action: PickAction): PickState {
	switch (action.type) {
		case 'reset':
			return {value: action.value, version: state.version + 1};
		case 'typed':
			// A field that a pick replaced may still report its last keystroke.
			if (action.version !== state.version) return state;
			return {...state, value: action.value, index: undefined};
		case 'move': {
			const count = action.choices.length;
			if (count === 0) return state;
			const current =
				state.index ?? action.choices.findIndex((choice) => choice.value === state.value);
			const from = current >= 0 ? current : action.delta > 0 ? -1 : count;
			const index = Math.max(0, Math.min(count - 1, from + action.delta));
			const value = action.choices[index]?.value ?? state.value;
			return {value, index, version: state.version + 1};
		}
	}
}

export type KeyPicker = {
	readonly value: string;
	readonly version: number;
	readonly index?: number;
	/** Undefined while they load (or when listing failed: the field still takes typing). */
	readonly choices?: readonly KeyChoice[];
	readonly isLoading: boolean;
	/** Starts the field at `value` and (re)reads the choices. */
	readonly open: (value: string) => void;
	/** Starts the field at `value` only (the choices are read on `load`). */
	readonly reset: (value: string) => void;
	/** Reads the choices unless they are read or being read. */
	readonly load: () => void;
	readonly setValue: (value: string, version: number) => void;
	readonly move: (delta: number) => void;
};

/**
 * `exclude` leaves choices out (the key a migration is leaving): the list shown and the list the
 * arrows move through are the same one.
 */
export function useKeyPicker(
	services: Services,
	filter: KeyChoiceFilter,
	exclude?: (choice: KeyChoice) => boolean,
): KeyPicker {
	const [state, dispatch] = useReducer(reducePick, {value: '', version: 0});
	const load = useTask((signal) => loadKeyChoices(services, filter, signal));
	const {run} = load;
	const loaded = load.state.status === 'success' ? load.state.value : undefined;
	const choices = exclude ? loaded?.filter((choice) => !exclude(choice)) : loaded;
	const open = useCallback(
		(value: string) => {
			dispatch({type: 'reset', value});
			void run();
		},
		[run],
	);
	const reset = useCallback((value: string) => dispatch({type: 'reset', value}), []);
	return {
		...state,
		choices,
		isLoading: load.state.status === 'running',
		open,
		reset,
		load: () => {
			if (load.state.status === 'idle' || load.state.status === 'error') void run();
		},
		setValue: (value, version) => dispatch({type: 'typed', value, version}),
		move: (delta) => {
			if (choices) dispatch({type: 'move', delta, choices});
		},
	};
}
