import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {ChangeSetPreview} from '../components/change-set-preview.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyPickerField} from '../components/key-picker.js';
import {TextField} from '../components/text-field.js';
import {TypeToConfirm} from '../components/type-to-confirm.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useKeymap} from '../hooks/use-keymap.js';
import {useScreenRows} from '../hooks/use-screen-rows.js';
import {type ColorToken, useColor} from '../hooks/use-theme.js';
import {cliCommand} from '../session-context.js';
import {terminalSafe, terminalSafeLine} from '../terminal-text.js';
import {
	failuresLine,
	type MigrationStepStatus,
	problemsLine,
	progressLabel,
	windowProblem,
} from './migration-steps.js';
import {useMigrationState} from './use-migration-state.js';

const marks: Record<MigrationStepStatus, {mark: string; token?: ColorToken}> = {
	done: {mark: '✔', token: 'success'},
	current: {mark: '›', token: 'accent'},
	attention: {mark: '!', token: 'warning'},
	waiting: {mark: '○'},
};

/** The seeds' manual rotation made safe: new key → alias → re-wrap → verify → .env → old key's deletion. */
/** What the deletion leaves behind besides envelopes: the aliases still on the old key. */
function danglingAliases(aliases: readonly string[]): string {
	if (aliases.length === 0) return '';
	const names = aliases.map((name) => terminalSafeLine(name)).join(', ');
	return ` ${aliases.length === 1 ? 'Alias' : 'Aliases'} still on it, left pointing at a deleted key: ${names} — move ${aliases.length === 1 ? 'it' : 'them'} first (kms-tui alias update NAME --key NEW) if anything uses ${aliases.length === 1 ? 'it' : 'them'}.`;
}

export function MigrationScreen() {
	const {settings} = useAppContext();
	const color = useColor();
	const migration = useMigrationState();
	const {state, picker} = migration;
	const {plan, world, mode} = state;
	const {steps, step} = migration;
	const isRunning = state.running !== undefined;
	const isShort = useScreenRows() < 22;
	useKeymap(migration.handlers, {isTextFocused: mode !== 'view' && mode !== 'deploy-confirm'});

	if (state.loadError)
		return <ErrorPanel error={state.loadError} title="Could not start the migration" />;
	if (!plan || !world) return <Spinner label={state.running ?? 'Reading the migration plan…'} />;
	const oldKeyId = world.oldKey?.keyId ?? plan.oldKeyArn;
	const titleWidth = Math.max(...steps.map((item) => item.title.length)) + 2;
	const cli = step?.cli ?? steps.at(-1)?.cli;
	return (
		<Box flexDirection="column">
			<Text bold wrap="wrap">
				{terminalSafeLine(plan.alias)} → a new key · old key {terminalSafeLine(oldKeyId)}
			</Text>
			<Box flexDirection="column" marginY={isShort ? 0 : 1}>
				{steps.map((item, index) => {
					const {mark, token} = marks[item.status];
					const isWaiting = item.status === 'waiting';
					return (
						<Box key={item.id}>
							<Box width={5} flexShrink={0}>
								<Text color={token ? color(token) : undefined}>{`${mark} ${index + 1}`}</Text>
							</Box>
							<Box width={titleWidth} flexShrink={0}>
								<Text bold={item === step} dimColor={isWaiting}>
									{item.title}
								</Text>
							</Box>
							<Text dimColor={isWaiting} wrap="wrap">
								{terminalSafeLine(item.summary)}
							</Text>
						</Box>
					);
				})}
			</Box>
			{/* A question open (picker, change set, confirmation) takes the detail's rows. */}
			{step && mode === 'view' ? (
				<Text wrap="wrap">
					{terminalSafe(
						settings.readOnly ? `Read-only: nothing is changed. ${step.detail}` : step.detail,
					)}
				</Text>
			) : null}
			{mode === 'pick' ? (
				<KeyPickerField
					label="New key"
					isFocused
					value={picker.value}
					version={picker.version}
					index={picker.index}
					choices={picker.choices}
					maxChoices={4}
					onChange={picker.setValue}
					onSubmit={(value) => void migration.pickKey(value)}
				/>
			) : null}
			{mode === 'deploy-confirm' && state.deployPlan ? (
				<Box flexDirection="column">
					<ChangeSetPreview plan={state.deployPlan} />
					<Text>
						Execute these changes? <Text bold>Y/n</Text>
					</Text>
				</Box>
			) : null}
			{mode === 'delete-window' ? (
				<TextField
					label="Waiting days"
					isFocused
					defaultValue={state.days}
					error={windowProblem(state.days)}
					note="KMS waits this long before it deletes the key; until then it can be cancelled."
					onChange={migration.setDays}
					onSubmit={migration.submitDays}
				/>
			) : null}
			{mode === 'delete-confirm' ? (
				<TypeToConfirm
					warning={`In ${state.days} days KMS deletes ${oldKeyId} for good (no envelope here needs it).${danglingAliases(world.oldKeyAliases)}`}
					expected={oldKeyId}
					onConfirm={() => void migration.scheduleOld()}
				/>
			) : null}
			{isRunning && mode === 'view' ? (
				<Spinner label={terminalSafeLine(progressLabel(state.progress) ?? state.running ?? '')} />
			) : null}
			{state.failures.length > 0 && step?.id === 'rewrap' ? (
				<Text color={color('danger')} wrap="wrap">
					{terminalSafeLine(failuresLine(state.failures))}
				</Text>
			) : null}
			{state.message ? (
				<Text color={color('success')} wrap="wrap">
					✔ {terminalSafe(state.message)}
				</Text>
			) : null}
			{state.error ? <ErrorPanel error={state.error} /> : null}
			{world.scan.problems.length > 0 ? (
				<Text dimColor wrap="wrap">
					{terminalSafeLine(problemsLine(world.scan.problems, settings.cwd))}
				</Text>
			) : null}
			{cli ? (
				<Text dimColor wrap="wrap">
					CLI:{' '}
					{terminalSafeLine(
						cliCommand({...settings, stackName: cli.stackName ?? settings.stackName}, cli.args),
					)}
				</Text>
			) : null}
			{step?.cliNote ? (
				<Text dimColor wrap="wrap">
					{step.cliNote}
				</Text>
			) : null}
		</Box>
	);
}
