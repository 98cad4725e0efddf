/**
 * One lesson's state: its steps run for real on the current key, one per enter, resumed from the
 * progress file (source/learn/progress.ts) and saved after every step. DESIGN §5: plaintext data
 * keys live only in the lesson's SecretBox (a ref), never in React state, which holds only what
 * may be shown (masks, fingerprints, ids) and the non-secret carry. The box is wiped, the temp
 * dir removed and the running call aborted when the lesson closes (esc), restarts or ends.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {useCallback, useEffect, useReducer, useRef} from 'react';
import {resolveKeyChoice} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {toDisplayError, useTask} from '../hooks/use-task.js';
import type {Carry, Lesson, StepResult} from '../learn/lesson.js';
import {readProgress, saveLessonProgress} from '../learn/progress.js';
import {SecretBox} from '../learn/secrets.js';
import {ServiceError} from '../service/index.js';
import {targetIdentity} from '../state-dir.js';

type State = {
	readonly results: readonly StepResult[];
	readonly carry: Carry;
	readonly isReady: boolean;
	readonly isRunning: boolean;
	/** The next step changes the key: the typed confirmation is open. */
	readonly isConfirming: boolean;
	/** Set on a resume: how many steps the learner had done, and where this run picked up. */
	readonly resumed?: {readonly had: number; readonly at: number};
	readonly error?: ServiceError;
	/** Why the progress could not be saved (the lesson goes on). */
	readonly saveError?: string;
};

type Action =
	| {type: 'ready'; results: readonly StepResult[]; carry: Carry; resumed?: State['resumed']}
	| {type: 'running'}
	| {type: 'confirm'; isOpen: boolean}
	| {type: 'result'; result: StepResult; carry: Carry}
	| {type: 'error'; error: ServiceError}
	| {type: 'save-error'; message: string}
	| {type: 'restart'};

const initial: State = {
	results: [],
	carry: {},
	isReady: false,
	isRunning: false,
	isConfirming: false,
};

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'ready':
			return {
				...initial,
				isReady: true,
				results: action.results,
				carry: action.carry,
				resumed: action.resumed,
			};
		case 'running':
			return {...state, isRunning: true, isConfirming: false, error: undefined};
		case 'confirm':
			return {...state, isConfirming: action.isOpen};
		case 'result':
			return {
				...state,
				results: [...state.results, action.result],
				carry: action.carry,
				isRunning: false,
			};
		case 'error':
			return {...state, isRunning: false, isConfirming: false, error: action.error};
		case 'save-error':
			return {...state, saveError: action.message};
		case 'restart':
			return {...initial, isReady: true};
	}
}

export function useLearnState(lesson: Lesson) {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(reducer, initial);
	const secrets = useRef(new SecretBox()).current;
	const dir = useRef<Promise<string> | undefined>(undefined);
	const controller = useRef<AbortController | undefined>(undefined);
	const alive = useRef(true);
	const load = useTask(async (signal) => {
		const [choice, progress] = await Promise.all([
			resolveKeyChoice(services, settings, signal),
			readProgress(),
		]);
		return {choice, saved: progress[lesson.id]};
	});
	const {run} = load;
	useEffect(() => {
		void run();
	}, [run]);
	const loaded = load.state.status === 'success' ? load.state.value : undefined;
	const choice = loaded?.choice;
	const total = lesson.steps.length;

	/** Forgets everything the lesson made: keys zeroed, temp dir removed, call aborted. */
	const dispose = useCallback(() => {
		controller.current?.abort();
		secrets.wipeAll();
		const made = dir.current;
		dir.current = undefined;
		void made?.then((made) => rm(made, {recursive: true, force: true})).catch(() => undefined);
	}, [secrets]);
	useEffect(() => {
		alive.current = true;
		return () => {
			alive.current = false;
			dispose();
		};
	}, [dispose]);

	useEffect(() => {
		if (!loaded || state.isReady) return;
		const {saved} = loaded;
		const isHere =
			saved?.keyRef === loaded.choice.keyRef && saved.target === targetIdentity(settings.target);
		if (!saved || !isHere || saved.done === 0) {
			dispatch({type: 'ready', results: [], carry: {}});
			return;
		}
		const had = Math.min(saved.done, total);
		// resumeAt gives `had`, or an earlier step when what the next one needs was never saved.
		const at = had === total ? total : Math.min(lesson.resumeAt(had), had);
		dispatch({
			type: 'ready',
			results: saved.results.slice(0, at),
			carry: at === 0 ? {} : saved.carry,
			resumed: {had, at},
		});
	}, [loaded, state.isReady, lesson, total, settings.target]);

	/**
	 * Saved before the step's result shows, so that what the screen says is done is on disk (and
	 * one write at a time: steps run one by one). A failure is shown, and the lesson goes on.
	 */
	const save = async (results: readonly StepResult[], carry: Carry) => {
		if (!choice) return;
		try {
			await saveLessonProgress(lesson.id, {
				done: results.length,
				keyRef: choice.keyRef,
				target: targetIdentity(settings.target),
				results,
				carry,
			});
		} catch (error) {
			dispatch({
				type: 'save-error',
				message: error instanceof Error ? error.message : String(error),
			});
		}
	};

	const workDir = () => {
		dir.current ??= mkdtemp(path.join(tmpdir(), 'kms-tui-learn-'));
		return dir.current;
	};

	const restart = async () => {
		if (state.isRunning) return;
		dispose();
		await save([], {});
		dispatch({type: 'restart'});
	};

	const runStep = async (confirmed: boolean) => {
		if (!choice || !state.isReady || state.isRunning) return;
		const index = state.results.length;
		if (index >= total) {
			await restart();
			return;
		}
		const text = lesson.steps[index];
		const isSandbox = settings.target.kind === 'sandbox';
		if (text?.changesKey && settings.readOnly) {
			dispatch({
				type: 'error',
				error: new ServiceError(
					'invalid-state',
					`--read-only: step ${index + 1} (${text.title}) changes the key, so it does not run.`,
					'Start kms-tui without --read-only to run this lesson, or pick another one.',
				),
			});
			return;
		}
		if (text?.changesKey && !isSandbox && !confirmed) {
			dispatch({type: 'confirm', isOpen: true});
			return;
		}
		const work = lesson.run[index];
		if (!work) return;
		dispatch({type: 'running'});
		const abort = new AbortController();
		controller.current = abort;
		try {
			const context = {
				services,
				keyRef: choice.keyRef,
				secrets,
				workDir,
				isSandbox,
				signal: abort.signal,
			};
			const outcome = await work(context, state.carry);
			// Left (esc) while KMS answered: what the step just stored must not outlive the screen.
			if (!alive.current) {
				dispose();
				return;
			}
			const carry = outcome.carry ?? state.carry;
			await save([...state.results, outcome.result], carry);
			dispatch({type: 'result', result: outcome.result, carry});
			// The last step: nothing is needed any more.
			if (index + 1 === total) dispose();
		} catch (error) {
			if (alive.current) dispatch({type: 'error', error: toDisplayError(error)});
		}
	};

	return {
		state,
		load,
		choice,
		done: state.results.length,
		next: () => runStep(false),
		confirm: () => runStep(true),
		closeConfirm: () => dispatch({type: 'confirm', isOpen: false}),
		restart: () => void restart(),
	};
}
