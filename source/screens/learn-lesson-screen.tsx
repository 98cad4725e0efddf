import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {ScrollArea} from '../components/scroll-area.js';
import {TypeToConfirm} from '../components/type-to-confirm.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useMeasuredRows} from '../hooks/use-measured-rows.js';
import {useScreenRows} from '../hooks/use-screen-rows.js';
import {useScroll} from '../hooks/use-scroll.js';
import {useColor} from '../hooks/use-theme.js';
import type {Lesson} from '../learn/lesson.js';
import {awsCliFlags} from '../session-context.js';
import {terminalSafe, terminalSafeLine} from '../terminal-text.js';
import {useLearnState} from './use-learn-state.js';

/**
 * One lesson, each step run for real on the current key; enter runs the next. The heading, the
 * step's title and the prompt stay on screen; on a short terminal the step's body scrolls between
 * them (↑↓).
 */
export function LearnLessonScreen({lesson}: {readonly lesson: Lesson}) {
	const color = useColor();
	const {settings} = useAppContext();
	const learn = useLearnState(lesson);
	const {state, choice, done} = learn;
	const total = lesson.steps.length;
	const [headingRef, headingRows] = useMeasuredRows(3);
	const [promptRef, promptRows] = useMeasuredRows(1);
	const scroll = useScroll(useScreenRows() - headingRows - promptRows, done);
	const handlers: Handlers = scroll.isScrolling ? {up: scroll.up, down: scroll.down} : {};
	if (state.isConfirming) handlers.cancel = learn.closeConfirm;
	else if (choice && state.isReady && !state.isRunning) {
		handlers['learn-next'] = () => void learn.next();
		if (done > 0) handlers['learn-restart'] = learn.restart;
	}
	useKeymap(handlers, {isTextFocused: state.isConfirming});

	if (learn.load.state.status === 'error')
		return <ErrorPanel error={learn.load.state.error} title="No key to learn with" />;
	if (!choice || !state.isReady) return <Spinner label="Finding the key…" />;
	const step = done > 0 ? lesson.steps[done - 1] : undefined;
	const result = done > 0 ? state.results[done - 1] : undefined;
	const upcoming = lesson.steps[done];
	const {resumed} = state;
	return (
		<Box flexDirection="column">
			<Box ref={headingRef} flexDirection="column" flexShrink={0}>
				{/* Wrapped, not cut: the key id or ARN is one a user may copy. */}
				<Text bold wrap="wrap">
					{lesson.title} on {terminalSafeLine(choice.keyRef)}, for real
				</Text>
				<Box gap={1}>
					{lesson.steps.map((item, index) => (
						<Text
							key={item.title}
							color={index < done ? color('success') : undefined}
							dimColor={index > done}
						>
							{index < done ? '✔' : index === done ? '›' : '·'}
							{index + 1}
						</Text>
					))}
				</Box>
				{step ? (
					<Text bold wrap="wrap">
						Step {done} of {total} · {step.title}
					</Text>
				) : null}
			</Box>
			<ScrollArea maxHeight={scroll.maxRows} offset={scroll.offset} onMeasure={scroll.onMeasure}>
				{resumed && done === resumed.at && resumed.had > 0 ? (
					<Text color={color('accent')} wrap="wrap">
						{resumed.at === resumed.had
							? `Resumed: you had done ${resumed.had} of ${total} steps (r starts again).`
							: `You had done ${resumed.had} of ${total} steps; a plaintext data key or a temp file is never saved, so the lesson picks up at step ${resumed.at + 1}.`}
					</Text>
				) : null}
				{step && result ? (
					<Box flexDirection="column" marginTop={1}>
						{/* One paragraph, so Ink wraps it to the terminal's width instead of per source line. */}
						<Text dimColor>{step.why.join(' ')}</Text>
						<Box flexDirection="column" marginY={1}>
							{result.rows.length > 0 ? <KeyValueTable rows={result.rows} /> : null}
							{result.block ? <Text>{terminalSafe(result.block)}</Text> : null}
						</Box>
						<Text dimColor wrap="wrap">
							AWS CLI: {terminalSafeLine(step.aws(choice.keyRef, awsCliFlags(settings)))}
						</Text>
						<CliHint args={step.cli} />
					</Box>
				) : (
					<Box marginTop={1}>
						<Text wrap="wrap">{lesson.intro}</Text>
					</Box>
				)}
				{state.error ? <ErrorPanel error={state.error} title="This step failed" /> : null}
				{state.saveError ? (
					<Text color={color('warning')} wrap="wrap">
						⚠ Progress not saved: {terminalSafeLine(state.saveError)}
					</Text>
				) : null}
			</ScrollArea>
			{/* Outside the measured prompt: useScroll keeps its row. */}
			{scroll.position ? <Text dimColor>{scroll.position}</Text> : null}
			<Box ref={promptRef} flexDirection="column" flexShrink={0}>
				{state.isConfirming && upcoming?.changesKey ? (
					<TypeToConfirm
						warning={upcoming.changesKey.warning}
						expected={choice.keyRef}
						onConfirm={() => void learn.confirm()}
					/>
				) : state.isRunning ? (
					<Spinner label={`Running step ${done + 1}: ${upcoming?.title ?? ''}…`} />
				) : (
					<Text color={color('accent')} wrap="wrap">
						{upcoming
							? `enter runs step ${done + 1}: ${upcoming.title}${upcoming.changesKey ? changesKeyNote(settings.target.kind === 'sandbox') : ''}`
							: `${lesson.outro} enter starts again.`}
					</Text>
				)}
			</Box>
		</Box>
	);
}

/** Said before a step that rotates the key: what it costs, and that AWS asks for the key id. */
function changesKeyNote(isSandbox: boolean): string {
	return isSandbox
		? ' (uses 1 of this sandbox key’s 25 on-demand rotations)'
		: ' (uses 1 of the key’s 25 on-demand rotations: you type the key id first)';
}
