/**
 * The lesson list's state: the progress file read on every visit (a lesson just left has saved
 * its step), and the cursor, kept in screen memory so that esc from a lesson lands on it again.
 */
import {useEffect, useState} from 'react';
import {useScreenMemory} from '../hooks/use-screen-memory.js';
import {useTask} from '../hooks/use-task.js';
import {lessons} from '../learn/lessons.js';
import {type Progress, readProgress} from '../learn/progress.js';

export type LessonRow = {
	readonly index: number;
	readonly title: string;
	readonly summary: string;
	readonly done: number;
	readonly total: number;
};

export function lessonRows(progress: Progress): LessonRow[] {
	return lessons.map((lesson, index) => ({
		index,
		title: lesson.title,
		summary: lesson.summary,
		done: Math.min(progress[lesson.id]?.done ?? 0, lesson.steps.length),
		total: lesson.steps.length,
	}));
}

export function useLearnListState() {
	const memory = useScreenMemory('learn-list', {focus: 0});
	const [focus, setFocus] = useState(memory.current.focus);
	const load = useTask(() => readProgress());
	const {run} = load;
	useEffect(() => {
		void run();
	}, [run]);
	const rows = lessonRows(load.state.status === 'success' ? load.state.value : {});
	const move = (delta: number) =>
		setFocus((current) => {
			const next = Math.max(0, Math.min(rows.length - 1, current + delta));
			memory.current.focus = next;
			return next;
		});
	return {rows, focus, move, focused: lessons[focus], isLoaded: load.state.status === 'success'};
}
