/**
 * The shape of the key screens (Key & rotation, Aliases, Key deletion): data loaded on mount,
 * one action at a time, and a reload after each action that succeeded.
 */
import {useCallback, useEffect} from 'react';
import {useTask} from './use-task.js';

type Work = (signal: AbortSignal) => Promise<string>;

export function useLoadAndAct<T>(loader: (signal: AbortSignal) => Promise<T>) {
	const load = useTask(loader);
	const action = useTask(async (signal, work: Work) => work(signal));
	const {run: reload} = load;
	const {run: act} = action;
	useEffect(() => {
		void reload();
	}, [reload]);
	const loaded = load.state.status === 'success' ? load.state.value : undefined;

	/**
	 * Runs `work`; on success hands its message to `onDone`, then reloads the data. Resolves
	 * undefined when the work failed or was cancelled (the action task holds the error).
	 */
	const perform = useCallback(
		async (work: Work, onDone: (message: string) => void): Promise<string | undefined> => {
			const message = await act(work);
			if (message === undefined) return undefined;
			onDone(message);
			await reload();
			return message;
		},
		[act, reload],
	);
	return {load, action, loaded, perform};
}
