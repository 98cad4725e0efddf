import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {useEffect, useState} from 'react';
import {CliHint} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {StepList} from '../components/step-list.js';
import {findEnvelopes} from '../hooks/find-envelopes.js';
import {loadLifecycle} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useKeymap} from '../hooks/use-keymap.js';
import {useTask} from '../hooks/use-task.js';
import {useNavigation} from '../navigation/navigation.js';
import {lifecycleSteps, nextStepIndex} from './lifecycle-steps.js';

/** Guided onboarding: the key's lifecycle, each step's status read from AWS, Enter opens it. */
export function HomeScreen() {
	const {services, settings} = useAppContext();
	const navigation = useNavigation();
	const load = useTask(async (signal) => {
		const snapshot = await loadLifecycle(services, settings, signal);
		// Steps 5 and 6 are judged from the envelopes made with this key under cwd.
		const keyArn = snapshot.overview?.key.arn;
		const envelopes = keyArn ? await findEnvelopes(settings.cwd, {keyArn, signal}) : undefined;
		return {snapshot, envelopes};
	});
	const [focus, setFocus] = useState<number | undefined>(undefined);
	const [note, setNote] = useState<string | undefined>(undefined);
	const {run} = load;
	useEffect(() => {
		void run();
	}, [run]);

	const loaded = load.state.status === 'success' ? load.state.value : undefined;
	const snapshot = loaded?.snapshot;
	const steps = snapshot ? lifecycleSteps(snapshot, settings, loaded.envelopes) : [];
	const next = nextStepIndex(steps);
	const index = focus ?? next;
	const step = steps[index];
	const move = (delta: number) => {
		setNote(undefined);
		setFocus(Math.max(0, Math.min(steps.length - 1, index + delta)));
	};

	useKeymap({
		refresh: () => void run(),
		...(snapshot
			? {
					up: () => move(-1),
					down: () => move(1),
					learn: () => navigation.push({name: 'learn'}),
					open: () => {
						if (step?.route) navigation.push(step.route);
						else if (step) setNote(`${step.title}: not in this build yet — coming next.`);
					},
				}
			: {}),
	});

	if (load.state.status === 'error')
		return <ErrorPanel error={load.state.error} title="Could not read the current state" />;
	if (!snapshot || !step)
		return (
			<Spinner label={`Reading stack ${settings.stackName}, ${settings.envFile} and the key…`} />
		);
	return (
		<Box flexDirection="column">
			<Text bold>The lifecycle of a KMS key</Text>
			<Box marginY={1}>
				<StepList steps={steps} focusIndex={index} nextIndex={next} />
			</Box>
			<Text wrap="wrap">{step.detail}</Text>
			{note ? <Text bold>{note}</Text> : null}
			<CliHint args={step.cli} />
			{snapshot.key ? (
				<Text dimColor wrap="truncate-end">
					key {snapshot.key.keyRef} (from {snapshot.key.source})
				</Text>
			) : null}
		</Box>
	);
}
