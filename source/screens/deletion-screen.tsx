import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {EnvelopesAtRisk} from '../components/envelopes-at-risk.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {TextField} from '../components/text-field.js';
import {TypeToConfirm} from '../components/type-to-confirm.js';
import {formatDate} from '../format.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafe} from '../terminal-text.js';
import {deletionDateFor, useDeletionState, windowError} from './use-deletion-state.js';

/** Schedule the key's deletion (7–30 days, typed confirmation), cancel it, enable the key again. */
export function DeletionScreen() {
	const color = useColor();
	const deletion = useDeletionState();
	const {state, loaded} = deletion;
	const isBusy = deletion.action.state.status === 'running';
	const keyState = loaded?.key.state;

	const handlers: Handlers = {};
	if (state.mode !== 'view') handlers.cancel = () => deletion.setMode('view');
	else if (loaded && !isBusy) {
		handlers.refresh = () => void deletion.load.run();
		if (keyState === 'Enabled' || keyState === 'Disabled')
			handlers['schedule-deletion'] = () => deletion.setMode('window');
		if (keyState === 'Enabled') handlers['disable-key'] = () => void deletion.disableKey();
		if (keyState === 'PendingDeletion')
			handlers['cancel-deletion'] = () => void deletion.cancelDeletion();
		if (keyState === 'Disabled') handlers['enable-key'] = () => void deletion.enableKey();
	}
	useKeymap(handlers, {isTextFocused: state.mode !== 'view'});

	if (deletion.load.state.status === 'error')
		return <ErrorPanel error={deletion.load.state.error} title="Could not read the key" />;
	if (!loaded) return <Spinner label="Reading the key…" />;
	const {key, aliases} = loaded;
	const alias = aliases[0]?.name;
	const days = Number(state.days);
	const error = windowError(state.days);
	const cli =
		keyState === 'PendingDeletion'
			? ['delete-key', '--cancel']
			: keyState === 'Disabled' && state.mode === 'view'
				? ['delete-key', '--enable']
				: keyState === 'Enabled' && state.mode === 'view'
					? ['delete-key', '--disable']
					: ['delete-key', '--days', error ? 'DAYS' : state.days];
	return (
		<Box flexDirection="column">
			<KeyValueTable
				rows={[
					{label: 'Key', value: key.keyId},
					{label: 'Aliases', value: aliases.map((a) => a.name).join(', ') || '(none)'},
					{
						label: 'State',
						value: key.state,
						color: color(key.state === 'Enabled' ? 'success' : 'warning'),
					},
					...(key.deletionDate
						? [{label: 'Deleted on', value: formatDate(key.deletionDate), color: color('danger')}]
						: []),
				]}
			/>
			<Box marginY={1}>
				<Text wrap="wrap">
					{keyState === 'PendingDeletion'
						? 'The key cannot be used while it waits. Cancel the deletion to keep it; it then stays Disabled until you enable it.'
						: 'KMS waits 7 to 30 days before deleting a key; until then you can cancel. After that, data encrypted under it can never be decrypted again.'}
				</Text>
			</Box>
			<EnvelopesAtRisk keyRef={key.keyId} />
			{keyState === 'Enabled' && state.mode === 'view' ? (
				<Text color={color('accent')} wrap="wrap">
					Disable first (recommended): d disables the key — reversible with e — so whatever still
					uses it fails visibly (DisabledException) before anything is lost.
				</Text>
			) : null}
			{state.mode === 'window' ? (
				<TextField
					label="Waiting days"
					isFocused
					defaultValue={state.days}
					error={error}
					note={`KMS would delete the key on ${formatDate(deletionDateFor(days))}`}
					onChange={deletion.setDays}
					onSubmit={deletion.submitDays}
				/>
			) : null}
			{state.mode === 'confirm' ? (
				<TypeToConfirm
					warning={`After ${days} days KMS deletes ${key.keyId}${alias ? ` (${alias})` : ''} for good; everything encrypted under it becomes unreadable.`}
					expected={alias ?? key.keyId}
					onConfirm={() => void deletion.schedule(days)}
				/>
			) : null}
			{isBusy ? <Spinner label="Working…" /> : null}
			{state.message && state.mode === 'view' ? (
				<Text color={color('success')} wrap="wrap">
					✔ {terminalSafe(state.message)}
				</Text>
			) : null}
			{deletion.action.state.status === 'error' ? (
				<ErrorPanel error={deletion.action.state.error} />
			) : null}
			<CliHint args={cli} />
		</Box>
	);
}
