import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {useEffect, useState} from 'react';
import {CliHint} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {
	describeEnvChanges,
	envValuesFromStack,
	planEnvMerge,
	writeEnvMerge,
} from '../env-file/index.js';
import {envFilePath} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useTask} from '../hooks/use-task.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';

/** The stack outputs, the change they make to .env, and writing it after a confirmation. */
export function OutputsScreen() {
	const {services, settings} = useAppContext();
	const color = useColor();
	const [isConfirming, setConfirming] = useState(false);
	const load = useTask(async (signal) => {
		const found = await services.stacks.requireStack(settings.stackName, {signal});
		const {outputs, derived} = await services.stacks.keyOutputs(found, {signal});
		if (derived && outputs.KeyId && !outputs.KeyArn)
			outputs.KeyArn = (await services.keys.describeKey(outputs.KeyId, {signal})).arn;
		const stack = {...found, outputs};
		const plan = await planEnvMerge(envFilePath(settings), envValuesFromStack(stack, undefined));
		return {stack, derived, plan};
	});
	const write = useTask(async (_signal, plan: Parameters<typeof writeEnvMerge>[0]) =>
		writeEnvMerge(plan),
	);
	const {run} = load;
	useEffect(() => {
		void run();
	}, [run]);

	const loaded = load.state.status === 'success' ? load.state.value : undefined;
	const changes = loaded ? describeEnvChanges(loaded.plan.changes) : [];
	const handlers: Handlers = {};
	if (isConfirming) {
		handlers.cancel = () => setConfirming(false);
		handlers['confirm-no'] = handlers.cancel;
		handlers['confirm-yes'] = () => {
			setConfirming(false);
			if (loaded) void write.run(loaded.plan).then((result) => result && run());
		};
		handlers['confirm-default'] = handlers['confirm-yes'];
	} else if (loaded && changes.length > 0 && write.state.status !== 'running')
		handlers['write-env'] = () => setConfirming(true);
	useKeymap(handlers);

	if (load.state.status === 'error')
		return <ErrorPanel error={load.state.error} title="No outputs to read" />;
	if (!loaded) return <Spinner label={`Reading the outputs of stack ${settings.stackName}…`} />;
	const {stack, plan, derived} = loaded;
	const written = write.state.status === 'success' ? write.state.value : undefined;
	return (
		<Box flexDirection="column">
			<Text bold>
				Outputs of stack {terminalSafeLine(stack.name)} ({terminalSafeLine(stack.status)})
			</Text>
			<KeyValueTable
				rows={Object.entries(stack.outputs).map(([label, value]) => ({label, value}))}
				labelWidth={12}
			/>
			{derived ? (
				<Text dimColor>
					This endpoint reports no outputs; the key and alias come from the stack's resources.
				</Text>
			) : null}
			<Box marginTop={1} flexDirection="column">
				{written ? (
					<Text color={color('success')}>
						✔ Wrote {plan.path}
						{written.backupPath ? ` (previous version kept as ${written.backupPath})` : ''}
					</Text>
				) : changes.length === 0 ? (
					<Text color={color('success')}>
						✔ {plan.path} already matches the stack: nothing to write.
					</Text>
				) : (
					<>
						<Text>
							{plan.exists ? 'Changes to' : 'Creates'} {plan.path}:
						</Text>
						{changes.map((line) => (
							<Text
								key={line}
								color={color(line.startsWith('+') ? 'success' : 'warning')}
								wrap="wrap"
							>
								{'  '}
								{line}
							</Text>
						))}
						<Text dimColor>Comments, order and other variables in the file are kept.</Text>
					</>
				)}
			</Box>
			{isConfirming ? (
				<Box>
					<Text>Write these changes to {settings.envFile}? </Text>
					<Text bold>Y/n</Text>
				</Box>
			) : null}
			{write.state.status === 'error' ? (
				<ErrorPanel error={write.state.error} title={`${settings.envFile} was not written`} />
			) : null}
			<CliHint args={['outputs', '--write-env']} />
		</Box>
	);
}
