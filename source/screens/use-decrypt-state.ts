/**
 * The Decrypt screen's state: pick an envelope (a path with tab completion, or one found under
 * cwd), read its header without KMS and show it, and only then decrypt (one KMS Decrypt) with its
 * own AbortController and progress. A failure keeps the header on screen next to the error.
 */
import {stat} from 'node:fs/promises';
import path from 'node:path';
import {useEffect, useReducer, useRef} from 'react';
import {
	decryptFile,
	type EnvelopeResult,
	type EnvelopeSummary,
	inspectEnvelope,
} from '../envelope/index.js';
import {envelopeDisplayError} from '../hooks/envelope-errors.js';
import {findEnvelopes} from '../hooks/find-envelopes.js';
import {readCompletion} from '../hooks/path-completion.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useTask} from '../hooks/use-task.js';
import type {ServiceError} from '../service/index.js';
import {
	type PathFieldAction,
	type ProgressAction,
	type RunningProgress,
	reducePathField,
	reduceProgress,
} from './envelope-task-state.js';

export type DecryptPhase =
	| {readonly name: 'pick'; readonly error?: ServiceError}
	| {readonly name: 'inspecting'}
	| {readonly name: 'header'; readonly summary: EnvelopeSummary; readonly error?: ServiceError}
	| ({readonly name: 'running'; readonly summary: EnvelopeSummary} & RunningProgress)
	| {
			readonly name: 'done';
			readonly summary: EnvelopeSummary;
			readonly result: EnvelopeResult;
			/** The output file's permission bits as written, e.g. `0600`. */
			readonly mode: string;
	  };

type State = {
	readonly path: string;
	readonly version: number;
	readonly candidates: readonly string[];
	/** The envelope picked in the list below the field, if any. */
	readonly listIndex?: number;
	readonly phase: DecryptPhase;
};

type Action =
	| PathFieldAction
	| {type: 'pick'; index: number; value: string}
	| {type: 'phase'; phase: DecryptPhase}
	| ProgressAction;

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'path':
		case 'completed':
			return reducePathField(state, action);
		case 'pick':
			return {
				...state,
				path: action.value,
				listIndex: action.index,
				candidates: [],
				version: state.version + 1,
			};
		case 'phase':
			return {...state, phase: action.phase};
		case 'progress':
			return reduceProgress(state, action);
	}
}

const initial: State = {path: '', version: 0, candidates: [], phase: {name: 'pick'}};

export function useDecryptState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(reducer, initial);
	const controllerRef = useRef<AbortController | undefined>(undefined);
	/** The path field's latest text and instance, ahead of state (which follows a render later). */
	const typed = useRef('');
	const versionRef = useRef(0);
	versionRef.current = state.version;
	const found = useTask((signal) => findEnvelopes(settings.cwd, {signal}));
	const {run} = found;
	useEffect(() => {
		void run();
	}, [run]);
	useEffect(() => () => controllerRef.current?.abort(), []);
	const envelopes = found.state.status === 'success' ? found.state.value.envelopes : [];
	const input = path.resolve(settings.cwd, state.path);

	const inspect = async (value: string) => {
		if (value.trim() === '') return;
		dispatch({type: 'phase', phase: {name: 'inspecting'}});
		try {
			const summary = await inspectEnvelope(path.resolve(settings.cwd, value));
			dispatch({type: 'phase', phase: {name: 'header', summary}});
		} catch (error) {
			dispatch({type: 'phase', phase: {name: 'pick', error: envelopeDisplayError(error)}});
		}
	};

	const decrypt = async () => {
		if (state.phase.name !== 'header') return;
		const {summary} = state.phase;
		const controller = new AbortController();
		controllerRef.current = controller;
		const startedAt = Date.now();
		dispatch({type: 'phase', phase: {name: 'running', summary, startedAt, at: startedAt, done: 0}});
		try {
			const result = await decryptFile({
				input,
				provider: services.keys,
				signal: controller.signal,
				onProgress: (done, total) => dispatch({type: 'progress', done, total}),
			});
			const {mode} = await stat(result.outputPath);
			const bits = `0${(mode & 0o777).toString(8)}`;
			dispatch({type: 'phase', phase: {name: 'done', summary, result, mode: bits}});
		} catch (error) {
			dispatch({
				type: 'phase',
				phase: {name: 'header', summary, error: envelopeDisplayError(error)},
			});
		} finally {
			if (controllerRef.current === controller) controllerRef.current = undefined;
		}
	};

	const move = (delta: number) => {
		if (envelopes.length === 0) return;
		const current = state.listIndex ?? (delta > 0 ? -1 : envelopes.length);
		const index = Math.max(0, Math.min(envelopes.length - 1, current + delta));
		const value = envelopes[index]?.relativePath ?? '';
		typed.current = value;
		versionRef.current++;
		dispatch({type: 'pick', index, value});
	};

	return {
		state,
		envelopes,
		isScanning: found.state.status === 'running' || found.state.status === 'idle',
		inspect,
		decrypt,
		move,
		cancel: () => controllerRef.current?.abort(),
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
		back: () => {
			dispatch({type: 'phase', phase: {name: 'pick'}});
			void run();
		},
	};
}
