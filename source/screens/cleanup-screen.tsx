import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {Elapsed} from '../components/elapsed.js';
import {EnvelopesAtRisk} from '../components/envelopes-at-risk.js';
import {ErrorPanel} from '../components/error-panel.js';
import {EventList} from '../components/event-list.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {TypeToConfirm} from '../components/type-to-confirm.js';
import {shownEvent} from '../components/untrusted-text.js';
import {formatDate} from '../format.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {useColor} from '../hooks/use-theme.js';
import {cliCommand} from '../session-context.js';
import {terminalSafe, terminalSafeLine} from '../terminal-text.js';
import {EnvLeftoversNote} from './cleanup-env-note.js';
import {useCleanupState} from './use-cleanup-state.js';

/** Delete the stack, watch its events, and say what became of the key. */
export function CleanupScreen() {
	const {settings} = useAppContext();
	const color = useColor();
	const cleanup = useCleanupState();
	const {phase, events} = cleanup.state;
	const {rows} = useTerminalSize();
	const loaded = cleanup.load.state.status === 'success' ? cleanup.load.state.value : undefined;

	const handlers: Handlers = {};
	if (phase.name === 'confirm') handlers.cancel = () => cleanup.setPhase({name: 'view'});
	if (phase.name === 'running') handlers.cancel = cleanup.cancel;
	if (phase.name === 'view' && loaded?.stack)
		handlers['destroy-stack'] = () => cleanup.setPhase({name: 'confirm'});
	if (phase.name === 'view' && loaded?.keyState === 'Enabled')
		handlers['cleanup-disable-key'] = () => void cleanup.disableKey();
	if (phase.name === 'finished' && phase.env && !phase.env.done) {
		handlers['env-comment-out'] = () => void cleanup.cleanEnv('comment');
		handlers['env-remove'] = () => void cleanup.cleanEnv('remove');
	}
	useKeymap(handlers, {isTextFocused: phase.name === 'confirm'});

	if (cleanup.load.state.status === 'error')
		return <ErrorPanel error={cleanup.load.state.error} title="Could not read the stack" />;
	if (!loaded) return <Spinner label={`Reading stack ${settings.stackName}…`} />;
	const window = loaded.stack?.parameters.PendingWindowInDays;
	const cli = <CliHint args={['destroy']} />;
	switch (phase.name) {
		case 'view':
		case 'confirm':
			if (!loaded.stack)
				return <Text>There is no stack {settings.stackName}: nothing to delete.</Text>;
			return (
				<Box flexDirection="column">
					<KeyValueTable
						rows={[
							{label: 'Stack', value: `${loaded.stack.name} (${loaded.stack.status})`},
							{label: 'Key', value: loaded.keyId ?? '(none)'},
						]}
					/>
					<Box marginY={1}>
						<Text wrap="wrap">
							Deleting the stack removes its alias and schedules its key for deletion
							{window ? ` after ${window} days` : ''}; until then the key can be kept with `kms-tui
							delete-key --cancel`.
						</Text>
					</Box>
					{loaded.keyState === 'Enabled' && phase.name === 'view' ? (
						<Text color={color('accent')} wrap="wrap">
							Disable first (recommended): d disables the key — reversible with `kms-tui delete-key
							--enable` — so whatever still uses it fails visibly before the stack and key go.
						</Text>
					) : null}
					{loaded.keyState === 'Disabled' ? (
						<Text wrap="wrap">
							The key is Disabled: anything that still uses it now fails with DisabledException.
						</Text>
					) : null}
					{cleanup.disableError ? <ErrorPanel error={cleanup.disableError} /> : null}
					{loaded.keyId ? (
						<EnvelopesAtRisk
							keyRef={loaded.keyId}
							what="stack"
							stackAliases={loaded.aliasName ? [loaded.aliasName] : []}
						/>
					) : null}
					{phase.name === 'confirm' ? (
						<TypeToConfirm
							warning={`Delete stack ${loaded.stack.name} and schedule its key for deletion?`}
							expected={loaded.stack.name}
							onConfirm={() => void cleanup.destroy()}
						/>
					) : null}
					{cli}
				</Box>
			);
		case 'running':
			return (
				<Box flexDirection="column">
					<Box gap={1}>
						<Spinner label={`Deleting stack ${settings.stackName}…`} />
						<Elapsed since={phase.startedAt} />
					</Box>
					<EventList events={events} startedAt={phase.startedAt} maxRows={Math.max(3, rows - 12)} />
				</Box>
			);
		case 'cancelled':
			return <Text wrap="wrap">{terminalSafe(phase.message)}</Text>;
		case 'failed':
			return <ErrorPanel error={phase.error} title="The stack was not deleted" />;
		case 'finished': {
			const {result, keys} = phase;
			const isDeleted = result.stack.status === 'DELETE_COMPLETE';
			return (
				<Box flexDirection="column">
					<EventList events={events} startedAt={phase.startedAt} maxRows={Math.max(3, rows - 16)} />
					<Text bold color={color(isDeleted ? 'success' : 'danger')}>
						{isDeleted
							? `✔ Stack ${settings.stackName} deleted.`
							: `✘ Stack ${settings.stackName} is ${result.stack.status}.`}
					</Text>
					{result.failures.map(shownEvent).map((event) => (
						<Text key={event.id} color={color('danger')} wrap="wrap">
							{event.logicalId}: {event.reason ?? 'no reason given'}
						</Text>
					))}
					{keys.map((key, index) => (
						<Text key={result.keyIds[index]} wrap="wrap">
							{terminalSafeLine(
								!key
									? `Key ${result.keyIds[index]} no longer exists.`
									: key.state === 'PendingDeletion'
										? `Key ${key.keyId} is pending deletion until ${formatDate(key.deletionDate)}; \`${terminalSafeLine(cliCommand(settings, ['delete-key', '--cancel', '--key', key.keyId]))}\` keeps it.`
										: `Key ${key.keyId} was retained and is ${key.state}.`,
							)}
						</Text>
					))}
					{phase.env ? <EnvLeftoversNote env={phase.env} envFile={settings.envFile} /> : null}
				</Box>
			);
		}
	}
}
