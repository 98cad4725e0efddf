/**
 * One piece of async work a screen runs: idle | running | success | error, with an
 * AbortController per run. Unmounting (esc back, quit) aborts what is still running, and a
 * result that arrives after a newer run started or after cancel() is dropped.
 */
import {useCallback, useEffect, useRef, useState} from 'react';
import {ServiceError} from '../service/index.js';

export type TaskState<T> =
	| {readonly status: 'idle'}
	| {readonly status: 'running'; readonly startedAt: number}
	| {readonly status: 'success'; readonly value: T}
	| {readonly status: 'error'; readonly error: ServiceError};

export type Task<T, A extends unknown[]> = {
	readonly state: TaskState<T>;
	/** Starts a run (aborting the previous one); resolves with the value, or undefined on error/cancel. */
	run(...args: A): Promise<T | undefined>;
	/** Aborts the current run; the state becomes an 'aborted' error so the screen can say so. */
	cancel(): void;
	reset(): void;
};

/** Any failure as what happened + what to do; ServiceErrors already are. */
export function toDisplayError(error: unknown): ServiceError {
	if (error instanceof ServiceError) return error;
	const message = error instanceof Error ? error.message : String(error);
	// EnvFileError and file-system errors already say what to do in their message.
	return new ServiceError('unknown', message, '', {cause: error});
}

export function useTask<T, A extends unknown[]>(
	work: (signal: AbortSignal, ...args: A) => Promise<T>,
): Task<T, A> {
	const [state, setState] = useState<TaskState<T>>({status: 'idle'});
	const controllerRef = useRef<AbortController | undefined>(undefined);
	const workRef = useRef(work);
	workRef.current = work;

	useEffect(() => () => controllerRef.current?.abort(), []);

	const run = useCallback(async (...args: A): Promise<T | undefined> => {
		controllerRef.current?.abort();
		const controller = new AbortController();
		controllerRef.current = controller;
		setState({status: 'running', startedAt: Date.now()});
		try {
			const value = await workRef.current(controller.signal, ...args);
			if (controllerRef.current !== controller || controller.signal.aborted) return undefined;
			setState({status: 'success', value});
			return value;
		} catch (error) {
			if (controllerRef.current !== controller) return undefined;
			setState({status: 'error', error: toDisplayError(error)});
			return undefined;
		}
	}, []);

	const cancel = useCallback(() => {
		const controller = controllerRef.current;
		if (!controller || controller.signal.aborted) return;
		controller.abort();
		setState({
			status: 'error',
			error: new ServiceError('aborted', 'Cancelled.', 'Run it again when you are ready.'),
		});
	}, []);

	const reset = useCallback(() => {
		controllerRef.current?.abort();
		controllerRef.current = undefined;
		setState({status: 'idle'});
	}, []);

	return {state, run, cancel, reset};
}
