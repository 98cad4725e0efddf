import path from 'node:path';
import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {ChangeSetPreview} from '../components/change-set-preview.js';
import {CliHint} from '../components/cli-hint.js';
import {DeployOutcome} from '../components/deploy-outcome.js';
import {Elapsed} from '../components/elapsed.js';
import {ErrorPanel} from '../components/error-panel.js';
import {EventList} from '../components/event-list.js';
import {ParameterForm} from '../components/parameter-form.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {terminalSafe} from '../terminal-text.js';
import {changedParameters, parameterProblems, useDeployState} from './use-deploy-state.js';

/** Deploy KmsKey.yaml: parameters → change-set preview → confirm → live events → outputs. */
export function DeployScreen() {
	const {settings} = useAppContext();
	const deploy = useDeployState();
	const {state} = deploy;
	const {phase} = state;
	const {rows} = useTerminalSize();
	const isForm = phase.name === 'form';
	const problems = parameterProblems(state);
	const firstProblem = state.parameters.findIndex((parameter) => problems[parameter.key]);
	const canStart = isForm && !settings.readOnly && state.templateBody !== '';
	// A bad value sends the user back to it rather than planning a deployment AWS would refuse.
	const startOrFix = () => {
		if (firstProblem >= 0) deploy.moveFocus(firstProblem + 1 - state.focus);
		else void deploy.start();
	};

	const handlers: Handlers = {};
	if (isForm) {
		handlers['next-field'] = () => deploy.moveFocus(1);
		handlers['previous-field'] = () => deploy.moveFocus(-1);
		handlers.submit = () => undefined;
		if (canStart) handlers['start-deploy'] = startOrFix;
	}
	if (['planning', 'confirm', 'running'].includes(phase.name)) handlers.cancel = deploy.cancel;
	if (phase.name === 'confirm') {
		handlers['confirm-yes'] = () => deploy.answer(true);
		handlers['confirm-no'] = () => deploy.answer(false);
		handlers['confirm-default'] = handlers['confirm-yes'];
	}
	useKeymap(handlers, {isTextFocused: isForm});

	const templateArgs =
		state.templatePath && path.basename(state.templatePath) !== 'KmsKey.yaml'
			? ['--template', path.relative(settings.cwd, state.templatePath)]
			: [];
	const cli = <CliHint args={['deploy', ...templateArgs, ...changedParameters(state)]} />;

	switch (phase.name) {
		case 'loading':
			return <Spinner label="Reading the template and its parameters…" />;
		case 'form':
			return (
				<Box flexDirection="column">
					{phase.error ? <ErrorPanel error={phase.error} title="Not deployed" /> : null}
					<Text bold>Deploy stack {settings.stackName}</Text>
					<ParameterForm
						templatePath={state.templatePath}
						parameters={state.parameters}
						focus={state.focus}
						version={state.formVersion}
						problems={problems}
						onPathChange={deploy.setPath}
						onPathSubmit={(value) => void deploy.loadTemplate(value)}
						onValueChange={deploy.setValue}
						onValueSubmit={(index) => {
							if (index < state.parameters.length) deploy.moveFocus(1);
							else if (canStart) startOrFix();
						}}
					/>
					<Text dimColor>
						{settings.readOnly
							? 'Read-only: deploying is off.'
							: firstProblem >= 0
								? 'Fix the value marked ✘ to deploy: CloudFormation would refuse it.'
								: 'Enter on the last field (or ctrl+d) plans the deployment; nothing changes before you confirm.'}
					</Text>
					{cli}
				</Box>
			);
		case 'planning':
			return <Spinner label={`Creating a change set for ${settings.stackName}…`} />;
		case 'confirm':
			return (
				<Box flexDirection="column">
					<ChangeSetPreview plan={phase.plan} />
					<Box marginTop={1}>
						<Text>Execute these changes? </Text>
						<Text bold>Y/n</Text>
					</Box>
					{cli}
				</Box>
			);
		case 'running':
		case 'cancelling':
			return (
				<Box flexDirection="column">
					<Box gap={1}>
						<Spinner
							label={phase.name === 'running' ? `Deploying ${settings.stackName}…` : 'Cancelling…'}
						/>
						{phase.name === 'running' ? <Elapsed since={phase.startedAt} /> : null}
					</Box>
					<EventList
						events={state.events}
						startedAt={phase.name === 'running' ? phase.startedAt : Date.now()}
						maxRows={Math.max(3, rows - 12)}
					/>
				</Box>
			);
		case 'cancelled':
			return (
				<Box flexDirection="column">
					<Text bold>Cancelled.</Text>
					<Text wrap="wrap">{terminalSafe(phase.message)}</Text>
				</Box>
			);
		case 'finished':
			return (
				<Box flexDirection="column">
					<EventList
						events={state.events}
						startedAt={phase.startedAt}
						maxRows={Math.max(3, rows - 16)}
					/>
					<DeployOutcome result={phase.result} elapsedMs={phase.endedAt - phase.startedAt} />
				</Box>
			);
	}
}
