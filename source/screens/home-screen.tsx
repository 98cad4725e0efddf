import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {useEffect, useLayoutEffect, useState} from 'react';
import {CliHint, useCliCommand} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {StepList} from '../components/step-list.js';
import {findEnvelopes} from '../hooks/find-envelopes.js';
import {loadLifecycle} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useKeymap} from '../hooks/use-keymap.js';
import {useScreenMemory} from '../hooks/use-screen-memory.js';
import {useScreenRows} from '../hooks/use-screen-rows.js';
import {useTask} from '../hooks/use-task.js';
import {useColor} from '../hooks/use-theme.js';
import {useNavigation} from '../navigation/navigation.js';
import {terminalSafe, terminalSafeLine} from '../terminal-text.js';
import {lifecycleSteps, nextStepIndex, staleEnv, staleEnvAction} from './lifecycle-steps.js';

/** Guided onboarding: the key's lifecycle, each step's status read from AWS, Enter opens it. */
export function HomeScreen() {
	const {services, settings} = useAppContext();
	const navigation = useNavigation();
	// On a short terminal (60×20) the heading gives its rows to the steps and the detail.
	const isShort = useScreenRows() < 18;
	const color = useColor();
	const writeEnvCommand = useCliCommand(['outputs', '--write-env']);
	const load = useTask(async (signal) => {
		const snapshot = await loadLifecycle(services, settings, signal);
		// Steps 5 and 6 are judged from the envelopes made with this key under cwd.
		const keyArn = snapshot.overview?.key.arn;
		const envelopes = keyArn ? await findEnvelopes(settings.cwd, {keyArn, signal}) : undefined;
		return {snapshot, envelopes};
	});
	// Home unmounts under the screen it opens: esc comes back to the step that was opened, and
	// to the state last read while the new one loads, so keys work during the reload too.
	type Read = Extract<typeof load.state, {status: 'success'}>;
	const memory = useScreenMemory<{focusId?: string; lastRead?: Read}>('home', {});
	const [focusId, setFocusId] = useState<string | undefined>(memory.current.focusId);
	const [note, setNote] = useState<string | undefined>(undefined);
	const {run} = load;
	useEffect(() => {
		void run();
	}, [run]);
	useLayoutEffect(() => {
		if (load.state.status === 'success') memory.current.lastRead = load.state;
		memory.current.focusId = focusId;
	});

	const loaded = (load.state.status === 'success' ? load.state : memory.current.lastRead)?.value;
	const snapshot = loaded?.snapshot;
	const steps = snapshot ? lifecycleSteps(snapshot, settings, loaded.envelopes) : [];
	const next = nextStepIndex(steps);
	const focused = steps.findIndex((candidate) => candidate.id === focusId);
	const index = focused >= 0 ? focused : next;
	const step = steps[index];
	const stale = snapshot ? staleEnv(snapshot, settings.envFile) : undefined;
	// From the focus the previous key left (a burst of ↓ counts every one).
	const move = (delta: number) => {
		setNote(undefined);
		setFocusId((current) => {
			const from = steps.findIndex((candidate) => candidate.id === current);
			const target = Math.max(0, Math.min(steps.length - 1, (from >= 0 ? from : next) + delta));
			return steps[target]?.id;
		});
	};

	useKeymap({
		refresh: () => void run(),
		...(snapshot
			? {
					up: () => move(-1),
					down: () => move(1),
					learn: () => navigation.push({name: 'learn'}),
					'home-activity': () => navigation.push({name: 'activity'}),
					open: () => {
						if (step?.route) {
							memory.current.focusId = step.id;
							navigation.push(step.route);
						} else if (step) setNote(`${step.title}: not in this build yet — coming next.`);
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
			{isShort ? null : <Text bold>The lifecycle of a KMS key</Text>}
			<Box marginTop={isShort ? 0 : 1} marginBottom={1}>
				<StepList steps={steps} focusIndex={index} nextIndex={next} />
			</Box>
			{stale ? (
				<Text color={color('warning')} wrap="wrap">
					⚠ {terminalSafeLine(settings.envFile)} is stale: {stale.reasons.join(' ')}{' '}
					{staleEnvAction(stale, writeEnvCommand)}
				</Text>
			) : null}
			<Text wrap="wrap">{terminalSafe(step.detail)}</Text>
			{note ? <Text bold>{note}</Text> : null}
			{snapshot.key ? (
				<Text dimColor wrap="wrap">
					key {terminalSafeLine(snapshot.key.keyRef)} (from {snapshot.key.source})
				</Text>
			) : null}
			{/* Last, so that a wrapped command ends where the screen does. */}
			<CliHint args={step.cli} />
		</Box>
	);
}
