/**
 * The Decrypt screen's state: pick an envelope (a path with tab completion, or one found under
 * cwd), read its header without KMS and show it, and only then decrypt (one KMS Decrypt) with its
 * own AbortController and progress. A failure keeps the header on screen next to the error.
 * The output path is an editable field that starts at the name decrypt would choose; a name
 * typed there that exists is replaced only after its name is typed to confirm (the CLI's --force).
 */
import {access, stat} from 'node:fs/promises';
import path from 'node:path';
import {useEffect, useReducer, useRef} from 'react';
import {
	type DecryptResult,
	decryptFile,
	EnvelopeError,
	type EnvelopeSummary,
	inspectEnvelope,
} from '../envelope/index.js';
import {alternativeName, decryptedName} from '../envelope/output.js';
import {esdkDecryptedName} from '../esdk/decrypt.js';
import {type EsdkSummary, inspectEsdkMessage} from '../esdk/inspect.js';
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

/** A kms-tui envelope's header, or an AWS Encryption SDK message's (`format: 'aws-encryption-sdk'`). */
export type DecryptSummary = EnvelopeSummary | EsdkSummary;

export function isEsdkSummary(summary: DecryptSummary): summary is EsdkSummary {
	return 'format' in summary && summary.format === 'aws-encryption-sdk';
}

export type DecryptPhase =
	| {readonly name: 'pick'; readonly error?: ServiceError}
	| {readonly name: 'inspecting'}
	| {readonly name: 'header'; readonly summary: DecryptSummary; readonly error?: ServiceError}
	| ({readonly name: 'running'; readonly summary: DecryptSummary} & RunningProgress)
	| {
			readonly name: 'done';
			readonly summary: DecryptSummary;
			readonly result: DecryptResult;
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
	/** The output field's text, relative to cwd; it starts at `defaultOutput`. */
	readonly output: string;
	/** Bumped to remount the output field with `output`. */
	readonly outputVersion: number;
	/** The name decrypt picks by itself (a free one: ` (1)` is added when it exists). */
	readonly defaultOutput: string;
	/** An existing file the output field names: replaced only once the user confirms. */
	readonly replace?: string;
};

type Action =
	| PathFieldAction
	| {type: 'pick'; index: number; value: string}
	| {type: 'phase'; phase: DecryptPhase}
	| {type: 'plan'; defaultOutput: string}
	| {type: 'output'; value: string; version: number}
	| {type: 'replace'; path?: string}
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
		case 'plan':
			return {
				...state,
				output: action.defaultOutput,
				defaultOutput: action.defaultOutput,
				outputVersion: state.outputVersion + 1,
				replace: undefined,
			};
		case 'output':
			if (action.version !== state.outputVersion) return state;
			return {...state, output: action.value, replace: undefined};
		case 'replace':
			return {...state, replace: action.path};
		case 'progress':
			return reduceProgress(state, action);
	}
}

const initial: State = {
	path: '',
	version: 0,
	candidates: [],
	phase: {name: 'pick'},
	output: '',
	outputVersion: 0,
	defaultOutput: '',
};

/** The name decrypt writes by default: `name`, else `name (1)`, `name (2)`… whichever is free. */
async function freeName(dir: string, name: string): Promise<string> {
	for (let n = 0; n < 1000; n++) {
		const candidate = n === 0 ? name : alternativeName(name, n);
		try {
			await access(path.join(dir, candidate));
		} catch {
			return candidate;
		}
	}
	return name;
}

/** The output path to pass on: undefined while the field holds the default name (or nothing). */
export function explicitOutput(state: Pick<State, 'output' | 'defaultOutput'>): string | undefined {
	const output = state.output.trim();
	return output === '' || output === state.defaultOutput ? undefined : output;
}

/** The CLI's words for the same decryption. */
export function decryptArgs(state: Pick<State, 'path' | 'output' | 'defaultOutput' | 'replace'>) {
	const output = explicitOutput(state);
	return [
		'decrypt',
		state.path || 'FILE',
		...(output ? ['-o', output] : []),
		...(state.replace ? ['--force'] : []),
	];
}

export function useDecryptState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(reducer, initial);
	const controllerRef = useRef<AbortController | undefined>(undefined);
	/** The path field's latest text and instance, ahead of state (which follows a render later). */
	const typed = useRef('');
	const versionRef = useRef(0);
	versionRef.current = state.version;
	const found = useTask((signal) => findEnvelopes(settings.cwd, {includeEsdk: true, signal}));
	const {run} = found;
	useEffect(() => {
		void run();
	}, [run]);
	useEffect(() => () => controllerRef.current?.abort(), []);
	// Both kinds in one list, by path: decryptFile tells them apart by their first bytes too.
	const envelopes =
		found.state.status === 'success'
			? [...found.state.value.envelopes, ...found.state.value.esdkMessages].sort((a, b) =>
					a.relativePath.localeCompare(b.relativePath),
				)
			: [];
	const input = path.resolve(settings.cwd, state.path);

	const inspect = async (value: string) => {
		if (value.trim() === '') return;
		dispatch({type: 'phase', phase: {name: 'inspecting'}});
		try {
			const file = path.resolve(settings.cwd, value);
			// As `kms-tui inspect` does: an SDK message first (by its first bytes), else an envelope.
			const esdk = await inspectEsdkMessage(file);
			const summary: DecryptSummary = esdk ?? (await inspectEnvelope(file));
			const name = isEsdkSummary(summary)
				? esdkDecryptedName(path.basename(file))
				: decryptedName(path.basename(file), summary.fileName);
			const free = await freeName(path.dirname(file), name);
			const defaultOutput = path.relative(settings.cwd, path.join(path.dirname(file), free));
			dispatch({type: 'plan', defaultOutput});
			dispatch({type: 'phase', phase: {name: 'header', summary}});
		} catch (error) {
			dispatch({type: 'phase', phase: {name: 'pick', error: envelopeDisplayError(error)}});
		}
	};

	/** `output` is the field's text as submitted; `force` once the user confirmed replacing it. */
	const decrypt = async (output = state.output, force = false) => {
		if (state.phase.name !== 'header') return;
		const {summary} = state.phase;
		const explicit = explicitOutput({output, defaultOutput: state.defaultOutput});
		const target = explicit === undefined ? undefined : path.resolve(settings.cwd, explicit);
		const controller = new AbortController();
		controllerRef.current = controller;
		const startedAt = Date.now();
		dispatch({type: 'phase', phase: {name: 'running', summary, startedAt, at: startedAt, done: 0}});
		try {
			const result = await decryptFile({
				input,
				output: target,
				force,
				provider: services.keys,
				signal: controller.signal,
				onProgress: (done, total) => dispatch({type: 'progress', done, total}),
			});
			const {mode} = await stat(result.outputPath);
			const bits = `0${(mode & 0o777).toString(8)}`;
			dispatch({type: 'phase', phase: {name: 'done', summary, result, mode: bits}});
		} catch (error) {
			// A name the user typed that exists: ask before replacing it, as the CLI wants --force.
			const exists = error instanceof EnvelopeError && error.code === 'exists' && !force;
			if (exists && target) dispatch({type: 'replace', path: target});
			dispatch({
				type: 'phase',
				phase: exists
					? {name: 'header', summary}
					: {name: 'header', summary, error: envelopeDisplayError(error)},
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
		setOutput: (value: string, version: number) => dispatch({type: 'output', value, version}),
		/** Replaces the existing file the output field names (the user typed its name to confirm). */
		confirmReplace: () => void decrypt(state.output, true),
		cancelReplace: () => dispatch({type: 'replace'}),
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
