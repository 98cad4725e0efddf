import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyPickerField} from '../components/key-picker.js';
import {TextField} from '../components/text-field.js';
import {TypeToConfirm} from '../components/type-to-confirm.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useScreenRows} from '../hooks/use-screen-rows.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';
import {aliasNameError, useAliasesState} from './use-aliases-state.js';

/** Aliases with their targets; create, retarget and delete, validated as you type. */
export function AliasesScreen() {
	const color = useColor();
	const aliases = useAliasesState();
	const {state, loaded, focused} = aliases;
	const screenRows = useScreenRows();
	// Fewer choices on a short terminal, so the aliases above them stay in view.
	const maxChoices = screenRows < 18 ? 3 : 5;
	const isBusy = aliases.action.state.status === 'running';

	const handlers: Handlers = {};
	if (state.mode === 'retarget' && !isBusy) {
		handlers.up = () => aliases.picker.move(-1);
		handlers.down = () => aliases.picker.move(1);
	}
	if (state.mode !== 'list') handlers.cancel = () => aliases.open('list');
	else if (loaded && !isBusy) {
		handlers.up = () => aliases.move(-1);
		handlers.down = () => aliases.move(1);
		handlers.refresh = () => void aliases.load.run();
		handlers['create-alias'] = () => aliases.open('create', 'alias/');
		if (focused) {
			handlers['retarget-alias'] = () => aliases.open('retarget', loaded.key.keyId);
			handlers['delete-alias'] = () => aliases.open('delete');
		}
	}
	useKeymap(handlers, {isTextFocused: state.mode !== 'list'});

	if (aliases.load.state.status === 'error')
		return <ErrorPanel error={aliases.load.state.error} title="Could not read the aliases" />;
	if (!loaded) return <Spinner label="Reading the aliases…" />;
	const formRows = state.mode === 'list' ? 1 : state.mode === 'retarget' ? 4 + maxChoices : 3;
	const maxRows = Math.max(3, screenRows - 4 - formRows);
	const start = Math.max(0, Math.min(state.focus - maxRows + 1, loaded.aliases.length - maxRows));
	// As wide as the longest name (up to 32), so that the key ids after it fit where they can.
	const nameWidth = Math.min(32, Math.max(0, ...loaded.aliases.map((alias) => alias.name.length)));
	const cli = {
		list: ['alias', 'list'],
		create: ['alias', 'create', state.value || 'alias/NAME'],
		retarget: [
			'alias',
			'update',
			focused?.name ?? 'alias/NAME',
			'--key',
			aliases.picker.value || 'KEY',
		],
		delete: ['alias', 'delete', focused?.name ?? 'alias/NAME'],
	}[state.mode];
	return (
		<Box flexDirection="column">
			<Text>
				Aliases in this account and region; <Text bold>this key</Text> is{' '}
				{terminalSafeLine(loaded.key.keyId)}
			</Text>
			{loaded.aliases.length === 0 ? (
				<Text dimColor>No aliases yet: press c to create one.</Text>
			) : null}
			{loaded.aliases.slice(start, start + maxRows).map((alias, offset) => {
				const isFocused = start + offset === state.focus;
				const isThisKey = alias.targetKeyId === loaded.key.keyId;
				return (
					<Text key={alias.name} wrap="wrap" bold={isFocused}>
						<Text color={color('accent')}>{isFocused ? '› ' : '  '}</Text>
						{terminalSafeLine(alias.name).padEnd(nameWidth)} →{' '}
						{terminalSafeLine(alias.targetKeyId ?? '(no key)')}
						{isThisKey ? <Text color={color('success')}> (this key)</Text> : null}
					</Text>
				);
			})}
			<Box marginTop={1} flexDirection="column">
				{state.mode === 'create' ? (
					<TextField
						label="New alias"
						isFocused
						defaultValue={state.value}
						error={state.value === 'alias/' ? undefined : aliasNameError(state.value)}
						note={`points at ${loaded.key.keyId}`}
						onChange={aliases.setValue}
						onSubmit={aliases.create}
					/>
				) : null}
				{state.mode === 'retarget' && focused ? (
					<KeyPickerField
						label="Point at key"
						isFocused
						value={aliases.picker.value}
						version={aliases.picker.version}
						index={aliases.picker.index}
						choices={aliases.picker.choices}
						maxChoices={maxChoices}
						error={aliases.picker.value.trim() === '' ? 'Enter a key id, ARN or alias.' : undefined}
						note={terminalSafeLine(`${focused.name} now → ${focused.targetKeyId ?? '(no key)'}`)}
						onChange={aliases.picker.setValue}
						onSubmit={aliases.retarget}
					/>
				) : null}
				{state.mode === 'delete' && focused ? (
					<TypeToConfirm
						warning={`Delete ${focused.name}? Code that uses this alias stops finding the key.`}
						expected={focused.name}
						onConfirm={aliases.remove}
					/>
				) : null}
				{isBusy ? <Spinner label="Working…" /> : null}
				{state.message && state.mode === 'list' ? (
					<Text color={color('success')}>✔ {terminalSafeLine(state.message)}</Text>
				) : null}
				{aliases.action.state.status === 'error' ? (
					<ErrorPanel error={aliases.action.state.error} />
				) : null}
			</Box>
			<CliHint args={cli} />
		</Box>
	);
}
