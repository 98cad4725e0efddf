import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {useKeymap} from '../hooks/use-keymap.js';
import {useColor} from '../hooks/use-theme.js';
import {learnSteps} from './learn-steps.js';
import {useLearnState} from './use-learn-state.js';

/** Envelope encryption in six steps, each run for real on the current key; enter advances. */
export function LearnScreen() {
	const color = useColor();
	const learn = useLearnState();
	const {state, choice, done} = learn;
	useKeymap(choice && !state.isRunning ? {'learn-next': () => void learn.next()} : {});

	if (learn.load.state.status === 'error')
		return <ErrorPanel error={learn.load.state.error} title="No key to learn with" />;
	if (!choice) return <Spinner label="Finding the key…" />;
	const shown = done > 0 ? done - 1 : undefined;
	const step = shown === undefined ? undefined : learnSteps[shown];
	const result = shown === undefined ? undefined : state.results[shown];
	const upcoming = learnSteps[done];
	return (
		<Box flexDirection="column">
			<Text bold wrap="truncate-end">
				Envelope encryption on {choice.keyRef}, for real
			</Text>
			<Box gap={1} marginBottom={1}>
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
			{step && result ? (
				<Box flexDirection="column">
					<Text bold>
						Step {done} of {learnSteps.length} · {step.title}
					</Text>
					{/* One paragraph, so Ink wraps it to the terminal's width instead of per source line. */}
					<Text dimColor>{step.why.join(' ')}</Text>
					<Box flexDirection="column" marginY={1}>
						{result.rows.length > 0 ? <KeyValueTable rows={result.rows} /> : null}
						{result.block ? <Text>{result.block}</Text> : null}
					</Box>
					<Text dimColor wrap="wrap">
						AWS CLI: {step.aws(choice.keyRef)}
					</Text>
					<CliHint args={step.cli} />
				</Box>
			) : (
				<Text wrap="wrap">
					A KMS key encrypts at most 4 KB, and every byte would travel to KMS. Envelope encryption
					asks KMS for a data key instead, encrypts locally, and stores the data key encrypted next
					to the data. Each step below calls KMS or node:crypto for real.
				</Text>
			)}
			{state.error ? <ErrorPanel error={state.error} title="This step failed" /> : null}
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
	);
}
