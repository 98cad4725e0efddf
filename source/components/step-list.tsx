import {Box, Text} from 'ink';
import {type ColorToken, useColor} from '../hooks/use-theme.js';
import type {Step, StepStatus} from '../screens/lifecycle-steps.js';

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

/** The lifecycle steps with their status; the next one is marked NEXT, the focused one has ›. */
export function StepList({steps, focusIndex, nextIndex}: StepListProps) {
	const color = useColor();
	return (
		<Box flexDirection="column">
			{steps.map((step, index) => {
				const status = marks[step.status];
				const isFocused = index === focusIndex;
				const isNext = index === nextIndex && step.status !== 'done';
				const isMuted = step.status === 'blocked' || step.status === 'not-built';
				return (
					<Box key={step.id}>
						<Box width={3} flexShrink={0}>
							<Text color={color('accent')} bold>
								{isFocused ? '›' : ' '}
							</Text>
						</Box>
						<Box width={4} flexShrink={0}>
							<Text color={status.token ? color(status.token) : undefined}>
								{status.mark} {index + 1}
							</Text>
						</Box>
						<Box width={32} flexShrink={0}>
							<Text bold={isFocused || isNext} dimColor={isMuted && !isFocused} wrap="truncate-end">
								{step.title}
							</Text>
						</Box>
						<Box width={6} flexShrink={0}>
							{isNext ? (
								<Text inverse bold color={color('accent')}>
									NEXT
								</Text>
							) : null}
						</Box>
						<Text dimColor={isMuted} wrap="truncate-end">
							{status.word}: {step.summary}
						</Text>
					</Box>
				);
			})}
		</Box>
	);
}
