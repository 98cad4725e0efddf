/**
 * The Encrypt screen's state: the form (the key, offered from the keys that exist and starting at
 * the session's choice; file path with tab completion; encryption-context pairs; format), then one encryptFile run with its own AbortController and progress, then the result
 * with the envelope's header as inspect reads it back. A cancel is reported only once the engine
 * has settled, i.e. after it removed its temp file, so "nothing was written" is true when shown.
 */
import path from 'node:path';
import {useEffect, useReducer, useRef} from 'react';
import {
	type EnvelopeResult,
	type EnvelopeSummary,
	encryptFile,
	inspectEnvelope,
} from '../envelope/index.js';
import {envelopeDisplayError} from '../hooks/envelope-errors.js';
import {resolveKeyChoice} from '../hooks/lifecycle.js';
import {readCompletion} from '../hooks/path-completion.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useKeyPicker} from '../hooks/use-key-picker.js';
import {useTask} from '../hooks/use-task.js';
import {splitPair} from '../pairs.js';
import type {ServiceError} from '../service/index.js';
import {
	type PathFieldAction,
	type ProgressAction,
	type RunningProgress,
	reducePathField,
	reduceProgress,
} from './envelope-task-state.js';

export type EncryptField = 'key' | 'path' | 'context' | 'format';
export type EnvelopeFormat = 'binary' | 'json';

export type EncryptPhase =
	| {readonly name: 'form'; readonly error?: ServiceError}
	| ({readonly name: 'running'} & RunningProgress)
	| {
			readonly name: 'done';
			readonly result: EnvelopeResult;
			readonly summary: EnvelopeSummary;
			readonly elapsedMs: number;
	  };

type State = {
	readonly field: EncryptField;
	readonly path: string;
	readonly draft: string;
	/** Bumped to remount the text fields with the values above. */
	readonly version: number;
	readonly candidates: readonly string[];
	readonly pairs: ReadonlyArray<readonly [string, string]>;
	readonly pairError?: string;
	readonly format: EnvelopeFormat;
	readonly phase: EncryptPhase;
};

type Action =
	| {type: 'field'; field: EncryptField}
	| PathFieldAction
	| {type: 'draft'; value: string; version: number}
	| {type: 'add-pair'; pair: readonly [string, string]}
	| {type: 'pair-error'; message: string}
	| {type: 'remove-pair'}
	| {type: 'format'; format: EnvelopeFormat}
	| {type: 'remount'}
	| {type: 'again'}
	| {type: 'phase'; phase: EncryptPhase}
	| ProgressAction;

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'field':
			return {...state, field: action.field, candidates: []};
		case 'path':
		case 'completed':
			return reducePathField(state, action);
		case 'draft':
			if (action.version !== state.version || action.value === state.draft) return state;
			return {...state, draft: action.value, pairError: undefined};
		case 'add-pair':
			return {
				...state,
				pairs: [...state.pairs.filter(([key]) => key !== action.pair[0]), action.pair],
				draft: '',
				version: state.version + 1,
			};
		case 'pair-error':
			return {...state, pairError: action.message};
		case 'remove-pair':
			return {...state, pairs: state.pairs.slice(0, -1), version: state.version + 1};
		case 'format':
			return {...state, format: action.format};
		case 'remount':
			return {...state, version: state.version + 1};
		case 'again':
			return {...state, field: 'path', candidates: [], phase: {name: 'form'}};
		case 'phase':
			return {...state, phase: action.phase};
		case 'progress':
			return reduceProgress(state, action);
	}
}

/**
 * `k=v` → a pair, by the CLI's --context rules (splitPair), so the CLI hint accepts it too; a
 * sentence when it is not one. Entering a name again replaces its value (the list shows it).
 */
export function parsePair(text: string): readonly [string, string] | string {
	const pair = splitPair(text);
	if (!('problem' in pair)) return [pair.key, pair.value];
	return pair.problem === 'not-a-pair'
		? `Context expects NAME=VALUE, got "${text}".`
		: `Context ${text} has an empty value: type ${text}VALUE.`;
}

/** The CLI's words for the same encryption; `keyRef` when another key than the session's was picked. */
export function encryptArgs(
	state: Pick<State, 'path' | 'pairs' | 'format'>,
	keyRef?: string,
): string[] {
	return [
		'encrypt',
		state.path || 'FILE',
		...state.pairs.flatMap(([key, value]) => ['--context', `${key}=${value}`]),
		...(state.format === 'json' ? ['--format', 'json'] : []),
		...(keyRef ? ['--key', keyRef] : []),
	];
}

const initial: State = {
	field: 'path',
	path: '',
	draft: '',
	version: 0,
	candidates: [],
	pairs: [],
	format: 'binary',
	phase: {name: 'form'},
};

export function useEncryptState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(reducer, initial);
	const controllerRef = useRef<AbortController | undefined>(undefined);
	/** The path field's latest text and instance, ahead of state (which follows a render later). */
	const typed = useRef('');
	const versionRef = useRef(0);
	versionRef.current = state.version;
	const load = useTask((signal) => resolveKeyChoice(services, settings, signal));
	const {run} = load;
	useEffect(() => {
		void run();
	}, [run]);
	// Leaving the screen cancels a running encryption; the engine then removes its temp file.
	useEffect(() => () => controllerRef.current?.abort(), []);
	const choice = load.state.status === 'success' ? load.state.value : undefined;
	// The key field starts at the session's choice; the keys to offer are read when it is focused.
	const picker = useKeyPicker(services, 'usable');
	const {reset} = picker;
	useEffect(() => {
		if (choice) reset(choice.keyRef);
	}, [choice, reset]);
	const keyRef = picker.value.trim() || choice?.keyRef || '';

	const start = async () => {
		if (!choice || state.phase.name === 'running') return;
		// Remount the fields: a ctrl-key also reached the focused TextInput as a letter.
		versionRef.current++;
		dispatch({type: 'remount'});
		if (state.path.trim() === '') {
			dispatch({type: 'field', field: 'path'});
			return;
		}
		const controller = new AbortController();
		controllerRef.current = controller;
		const startedAt = Date.now();
		dispatch({type: 'phase', phase: {name: 'running', startedAt, at: startedAt, done: 0}});
		try {
			const result = await encryptFile({
				input: path.resolve(settings.cwd, state.path),
				provider: services.keys,
				keyId: keyRef,
				encryptionContext: Object.fromEntries(state.pairs),
				format: state.format,
				signal: controller.signal,
				onProgress: (done, total) => dispatch({type: 'progress', done, total}),
			});
			const summary = await inspectEnvelope(result.outputPath);
			const elapsedMs = Date.now() - startedAt;
			dispatch({type: 'phase', phase: {name: 'done', result, summary, elapsedMs}});
		} catch (error) {
			dispatch({type: 'phase', phase: {name: 'form', error: envelopeDisplayError(error)}});
		} finally {
			if (controllerRef.current === controller) controllerRef.current = undefined;
		}
	};

	return {
		state,
		load,
		choice,
		picker,
		/** The key to encrypt with when it is not the session's choice (for the CLI hint). */
		pickedKey: choice && keyRef !== choice.keyRef ? keyRef : undefined,
		/** Under the key field while it is not focused: where the key came from. */
		keyNote:
			state.field === 'key' || !choice
				? undefined
				: `${keyRef === choice.keyRef ? choice.source : 'picked here'}; shift+tab picks another`,
		start,
		cancel: () => controllerRef.current?.abort(),
		setField: (field: EncryptField) => {
			if (field === 'key') picker.load();
			dispatch({type: 'field', field});
		},
		setPath: (value: string, version: number) => {
			if (version !== versionRef.current) return;
			typed.current = value;
			dispatch({type: 'path', value, version});
		},
		complete: async () => {
			// The field's latest text: state may be a render behind the keys just typed.
			const before = typed.current;
			const completion = await readCompletion(settings.cwd, before);
			if (typed.current !== before) return;
			typed.current = completion.value;
			if (completion.value !== before) versionRef.current++;
			dispatch({type: 'completed', ...completion, isChanged: completion.value !== before});
		},
		setDraft: (value: string, version: number) => dispatch({type: 'draft', value, version}),
		submitDraft: (value: string) => {
			if (value.trim() === '') {
				dispatch({type: 'field', field: 'format'});
				return;
			}
			const pair = parsePair(value);
			if (typeof pair === 'string') dispatch({type: 'pair-error', message: pair});
			else {
				versionRef.current++;
				dispatch({type: 'add-pair', pair});
			}
		},
		removePair: () => {
			versionRef.current++;
			dispatch({type: 'remove-pair'});
		},
		setFormat: (format: EnvelopeFormat) => dispatch({type: 'format', format}),
		again: () => dispatch({type: 'again'}),
	};
}
