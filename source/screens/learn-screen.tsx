import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {ScrollArea} from '../components/scroll-area.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useMeasuredRows} from '../hooks/use-measured-rows.js';
import {useScreenRows} from '../hooks/use-screen-rows.js';
import {useScroll} from '../hooks/use-scroll.js';
import {useColor} from '../hooks/use-theme.js';
import {awsCliFlags} from '../session-context.js';
import {terminalSafe} from '../terminal-text.js';
import {learnSteps} from './learn-steps.js';
import {useLearnState} from './use-learn-state.js';

/**
 * Envelope encryption in six steps, each run for real on the current key; enter advances. The
 * heading, the step's title and the prompt stay on screen; on a short terminal the step's body
 * scrolls between them (↑↓).
 */
export function LearnScreen() {
	const color = useColor();
	const {settings} = useAppContext();
	const learn = useLearnState();
	const {state, choice, done} = learn;
	const [headingRef, headingRows] = useMeasuredRows(3);
	const [promptRef, promptRows] = useMeasuredRows(1);
	const scroll = useScroll(useScreenRows() - headingRows - promptRows, done);
	const handlers: Handlers = scroll.isScrolling ? {up: scroll.up, down: scroll.down} : {};
	if (choice && !state.isRunning) handlers['learn-next'] = () => void learn.next();
	useKeymap(handlers);

	if (learn.load.state.status === 'error')
		return <ErrorPanel error={learn.load.state.error} title="No key to learn with" />;
	if (!choice) return <Spinner label="Finding the key…" />;
	const shown = done > 0 ? done - 1 : undefined;
	const step = shown === undefined ? undefined : learnSteps[shown];
	const result = shown === undefined ? undefined : state.results[shown];
	const upcoming = learnSteps[done];
	return (
		<Box flexDirection="column">
			<Box ref={headingRef} flexDirection="column" flexShrink={0}>
				{/* Wrapped, not cut: the key id or ARN is one a user may copy. */}
				<Text bold wrap="wrap">
					Envelope encryption on {choice.keyRef}, for real
				</Text>
				<Box gap={1}>
					{learnSteps.map((item, index) => (
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
						Step {done} of {learnSteps.length} · {step.title}
					</Text>
				) : null}
			</Box>
			<ScrollArea maxHeight={scroll.maxRows} offset={scroll.offset} onMeasure={scroll.onMeasure}>
				{step && result ? (
					<Box flexDirection="column" marginTop={1}>
						{/* One paragraph, so Ink wraps it to the terminal's width instead of per source line. */}
						<Text dimColor>{step.why.join(' ')}</Text>
						<Box flexDirection="column" marginY={1}>
							{result.rows.length > 0 ? <KeyValueTable rows={result.rows} /> : null}
							{result.block ? <Text>{terminalSafe(result.block)}</Text> : null}
						</Box>
						<Text dimColor wrap="wrap">
							AWS CLI: {step.aws(choice.keyRef, awsCliFlags(settings))}
						</Text>
						<CliHint args={step.cli} />
					</Box>
				) : (
					<Box marginTop={1}>
						<Text wrap="wrap">
							A KMS key encrypts at most 4 KB, and every byte would travel to KMS. Envelope
							encryption asks KMS for a data key instead, encrypts locally, and stores the data key
							encrypted next to the data. Each step below calls KMS or node:crypto for real.
						</Text>
					</Box>
				)}
				{state.error ? <ErrorPanel error={state.error} title="This step failed" /> : null}
			</ScrollArea>
			{/* Outside the measured prompt: useScroll keeps its row. */}
			{scroll.position ? <Text dimColor>{scroll.position}</Text> : null}
			<Box ref={promptRef} flexDirection="column" flexShrink={0}>
				{state.isRunning ? (
					<Spinner label={`Running step ${done + 1}: ${upcoming?.title ?? ''}…`} />
				) : (
					<Text color={color('accent')} wrap="wrap">
						{upcoming
							? `enter runs step ${done + 1}: ${upcoming.title}`
							: 'Done: that is what kms-tui encrypt and decrypt do for every file. enter starts again.'}
					</Text>
				)}
			</Box>
		</Box>
	);
}
