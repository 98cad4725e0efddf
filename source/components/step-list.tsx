import {Box, Text} from 'ink';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {type ColorToken, useColor} from '../hooks/use-theme.js';
import type {Step, StepStatus} from '../screens/lifecycle-steps.js';
import {shellWidth} from './shell-width.js';

export type StepListProps = {
	readonly steps: readonly Step[];
	readonly focusIndex: number;
	readonly nextIndex: number;
};

const marks: Record<StepStatus, {mark: string; word: string; token?: ColorToken}> = {
	done: {mark: '✔', word: 'done', token: 'success'},
	todo: {mark: '○', word: 'to do'},
	attention: {mark: '!', word: 'check', token: 'warning'},
	'in-progress': {mark: '…', word: 'running', token: 'warning'},
	blocked: {mark: '–', word: 'waiting'},
	'not-built': {mark: '·', word: 'later'},
};

export type StepColumns = {
	readonly cursor: number;
	readonly title: number;
	/** 0: NEXT follows the title inside its column instead of having one of its own. */
	readonly next: number;
	/** "done: CREATE_COMPLETE" when every row's fits; else the mark alone says the status. */
	readonly hasWords: boolean;
};

const markWidth = 4;
const nextTag = 'NEXT';

function statusText(step: Step, hasWords: boolean): string {
	return hasWords ? `${marks[step.status].word}: ${step.summary}` : step.summary;
}

/**
 * The widest layout whose status column holds every row's text whole: the roomy one at 100
 * columns; narrower, NEXT moves beside the title and then the status words go (the marks stay).
 * A summary longer than what is left still wraps: it is never cut to `done: CREATE_C…`.
 */
export function stepColumns(steps: readonly Step[], nextIndex: number, width: number): StepColumns {
	const longest = (hasWords: boolean) =>
		Math.max(0, ...steps.map((step) => statusText(step, hasWords).length));
	const roomy = {cursor: 3, title: 32, next: nextTag.length + 2, hasWords: true};
	if (roomy.cursor + markWidth + roomy.title + roomy.next + longest(true) <= width) return roomy;
	const title =
		Math.max(
			0,
			...steps.map(
				(step, index) => step.title.length + (index === nextIndex ? nextTag.length + 1 : 0),
			),
		) + 1;
	const rest = width - 2 - markWidth - title;
	return {cursor: 2, title, next: 0, hasWords: longest(true) <= rest};
}

/** The lifecycle steps with their status; the next one is marked NEXT, the focused one has ›. */
export function StepList({steps, focusIndex, nextIndex}: StepListProps) {
	const color = useColor();
	const {columns} = useTerminalSize();
	const widths = stepColumns(steps, nextIndex, shellWidth(columns));
	return (
		<Box flexDirection="column">
			{steps.map((step, index) => {
				const status = marks[step.status];
				const isFocused = index === focusIndex;
				const isNext = index === nextIndex && step.status !== 'done';
				const isMuted = step.status === 'blocked' || step.status === 'not-built';
				const next = isNext ? (
					<Text inverse bold color={color('accent')}>
						{nextTag}
					</Text>
				) : null;
				return (
					<Box key={step.id}>
						<Box width={widths.cursor} flexShrink={0}>
							<Text color={color('accent')} bold>
								{isFocused ? '›' : ' '}
							</Text>
						</Box>
						<Box width={markWidth} flexShrink={0}>
							<Text color={status.token ? color(status.token) : undefined}>
								{status.mark} {index + 1}
							</Text>
						</Box>
						<Box width={widths.title} flexShrink={0} gap={1}>
							<Text bold={isFocused || isNext} dimColor={isMuted && !isFocused} wrap="wrap">
								{step.title}
							</Text>
							{widths.next === 0 ? next : null}
						</Box>
						{widths.next > 0 ? (
							<Box width={widths.next} flexShrink={0}>
								{next}
							</Box>
						) : null}
						<Text dimColor={isMuted} wrap="wrap">
							{statusText(step, widths.hasWords)}
						</Text>
					</Box>
				);
			})}
		</Box>
	);
}
