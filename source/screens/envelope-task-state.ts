/**
 * Reducer pieces the Encrypt and Decrypt screens share: the path field with tab completion,
 * and the progress of a running envelope task.
 */

export type PathFieldState = {
	readonly path: string;
	/** Bumped whenever the field is replaced, so that a stale field's onChange is ignored. */
	readonly version: number;
	readonly candidates: readonly string[];
};

export type PathFieldAction =
	| {type: 'path'; value: string; version: number}
	| {type: 'completed'; value: string; candidates: readonly string[]; isChanged: boolean};

export function reducePathField<S extends PathFieldState>(state: S, action: PathFieldAction): S {
	if (action.type === 'path') {
		// TextInput repeats its onChange on every render, and a field replaced by a
		// remount may still report its old text: only a real change of this field counts.
		if (action.version !== state.version || action.value === state.path) return state;
		return {...state, path: action.value, candidates: []};
	}
	return {
		...state,
		path: action.value,
		candidates: action.candidates,
		version: state.version + (action.isChanged ? 1 : 0),
	};
}

export type ProgressAction = {type: 'progress'; done: number; total?: number};

/** What a running encrypt or decrypt phase holds about its progress. */
export type RunningProgress = {
	readonly startedAt: number;
	readonly at: number;
	readonly done: number;
	readonly total?: number;
	/** The first report: rates are measured from it (KMS and start-up are not throughput). */
	readonly first?: {readonly done: number; readonly at: number};
};

/** Records progress while the task runs; a late report after it ended changes nothing. */
export function reduceProgress<S extends {readonly phase: {readonly name: string}}>(
	state: S,
	action: ProgressAction,
): S {
	if (state.phase.name !== 'running') return state;
	const phase = state.phase as unknown as RunningProgress;
	const at = Date.now();
	const first = phase.first ?? {done: action.done, at};
	return {...state, phase: {...phase, at, done: action.done, total: action.total, first}};
}
