/**
 * The Aliases screen's state: the aliases (customer ones; alias/aws/ are AWS's), the focused
 * row, the open form (create, retarget, delete) and the action running. Retargeting offers the
 * keys that exist (useKeyPicker) and still takes any key typed.
 */
import {useReducer} from 'react';
import {resolveKeyChoice} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useKeyPicker} from '../hooks/use-key-picker.js';
import {useLoadAndAct} from '../hooks/use-load-and-act.js';
import {ServiceError, validateAliasName} from '../service/index.js';

export type AliasMode = 'list' | 'create' | 'retarget' | 'delete';

type State = {
	readonly mode: AliasMode;
	readonly focus: number;
	readonly value: string;
	readonly message?: string;
};
type Action =
	| {type: 'mode'; mode: AliasMode; value?: string}
	| {type: 'focus'; delta: number; count: number}
	| {type: 'value'; value: string}
	| {type: 'done'; message: string};

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'mode':
			return {...state, mode: action.mode, value: action.value ?? '', message: undefined};
		case 'focus':
			return {...state, focus: Math.max(0, Math.min(action.count - 1, state.focus + action.delta))};
		case 'value':
			return {...state, value: action.value};
		case 'done':
			return {...state, mode: 'list', message: action.message};
	}
}

/** validateAliasName's message, for inline display as the user types. */
export function aliasNameError(name: string): string | undefined {
	try {
		validateAliasName(name);
		return undefined;
	} catch (error) {
		return error instanceof ServiceError ? error.message : String(error);
	}
}

export function useAliasesState() {
	const {services, settings} = useAppContext();
	const {keys} = services;
	const [state, dispatch] = useReducer(reducer, {mode: 'list', focus: 0, value: ''});
	const {
		load,
		action,
		loaded,
		perform: run,
	} = useLoadAndAct(async (signal) => {
		const choice = await resolveKeyChoice(services, settings, signal);
		const key = await keys.describeKey(choice.keyRef, {signal});
		const aliases = (await keys.listAliases(undefined, {signal})).filter(
			(alias) => !alias.name.startsWith('alias/aws/'),
		);
		return {choice, key, aliases};
	});
	const focused = loaded?.aliases[state.focus];
	const picker = useKeyPicker(services, 'target');

	const perform = async (work: (signal: AbortSignal) => Promise<string>) => {
		await run(work, (message) => dispatch({type: 'done', message}));
	};

	return {
		state,
		load,
		action,
		loaded,
		focused,
		picker,
		move: (delta: number) => dispatch({type: 'focus', delta, count: loaded?.aliases.length ?? 0}),
		open: (mode: AliasMode, value?: string) => {
			dispatch({type: 'mode', mode, value});
			if (mode === 'retarget') picker.open(value ?? '');
		},
		setValue: (value: string) => dispatch({type: 'value', value}),
		create: (name: string) => {
			if (aliasNameError(name) || !loaded) return;
			void perform(async (signal) => {
				const alias = await keys.createAlias(name, loaded.key.keyId, {signal});
				return `Created ${alias.name} → ${alias.targetKeyId}.`;
			});
		},
		retarget: (target: string) => {
			if (!focused || target.trim() === '') return;
			void perform(async (signal) => {
				const alias = await keys.updateAlias(focused.name, target.trim(), {signal});
				return `Pointed ${alias.name} → ${alias.targetKeyId}.`;
			});
		},
		remove: () => {
			if (!focused) return;
			void perform(async (signal) => {
				await keys.deleteAlias(focused.name, {signal});
				return `Deleted ${focused.name}. The key itself is unchanged.`;
			});
		},
	};
}
