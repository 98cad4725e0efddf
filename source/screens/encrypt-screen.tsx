import path from 'node:path';
import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {EncryptDone} from '../components/encrypt-done.js';
import {EnvelopeProgress} from '../components/envelope-progress.js';
import {ErrorPanel} from '../components/error-panel.js';
import {FormatChoice} from '../components/format-choice.js';
import {KeyPickerField} from '../components/key-picker.js';
import {PathField} from '../components/path-field.js';
import {TextField} from '../components/text-field.js';
import {encryptedName} from '../envelope/output.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {terminalSafeLine} from '../terminal-text.js';
import {encryptArgs, useEncryptState} from './use-encrypt-state.js';

/**
 * Encrypt a file: the key (↑ from the file: the keys that exist), path (tab completes), context
 * pairs, format → progress → the envelope's header.
 */
export function EncryptScreen() {
	const {settings} = useAppContext();
	const encrypt = useEncryptState();
	const {state, choice, picker} = encrypt;
	const {phase, field} = state;

	const handlers: Handlers = {};
	if (phase.name === 'running') handlers.cancel = encrypt.cancel;
	else if (phase.name === 'done') handlers['encrypt-again'] = encrypt.again;
	else if (choice) {
		handlers['start-encrypt'] = () => void encrypt.start();
		if (field === 'key') {
			handlers.up = () => picker.move(-1);
			handlers.down = () => picker.move(1);
			handlers['next-field'] = () => encrypt.setField('path');
		}
		if (field === 'path') {
			handlers['complete-path'] = () => void encrypt.complete();
			handlers['previous-field'] = () => encrypt.setField('key');
		}
		if (field === 'context') {
			handlers['next-field'] = () => encrypt.setField('format');
			handlers['previous-field'] = () => encrypt.setField('path');
			if (state.pairs.length > 0) handlers['remove-pair'] = encrypt.removePair;
		}
		if (field === 'format') handlers['leave-choice'] = () => encrypt.setField('context');
	}
	useKeymap(handlers, {isTextFocused: phase.name === 'form' && field !== 'format'});

	if (encrypt.load.state.status === 'error')
		return <ErrorPanel error={encrypt.load.state.error} title="No key to encrypt with" />;
	if (!choice) return <Spinner label="Finding the key…" />;
	const cli = <CliHint args={encryptArgs(state, encrypt.pickedKey)} />;
	if (phase.name === 'running')
		return (
			<Box flexDirection="column">
				<EnvelopeProgress
					label={
						phase.done === 0 && phase.total === undefined
							? 'Asking KMS for a data key'
							: `Encrypting ${state.path}`
					}
					done={phase.done}
					total={phase.total}
					first={phase.first}
					now={phase.at}
				/>
				{cli}
			</Box>
		);
	if (phase.name === 'done')
		return (
			<EncryptDone
				outputPath={path.relative(settings.cwd, phase.result.outputPath)}
				bytes={phase.result.bytes}
				elapsedMs={phase.elapsedMs}
				summary={phase.summary}
			>
				{cli}
			</EncryptDone>
		);

	const output = state.path ? encryptedName(path.basename(state.path), state.format) : 'FILE.kms';
	return (
		<Box flexDirection="column">
			{phase.error ? (
				<ErrorPanel
					error={phase.error}
					title={phase.error.kind === 'aborted' ? 'Cancelled' : 'Not encrypted'}
				/>
			) : null}
			<KeyPickerField
				label="Key"
				value={picker.value}
				version={picker.version}
				index={picker.index}
				isFocused={field === 'key'}
				choices={picker.choices}
				maxChoices={3}
				note={encrypt.keyNote}
				onChange={picker.setValue}
				onSubmit={() => encrypt.setField('path')}
			/>
			<PathField
				label="File"
				value={state.path}
				version={state.version}
				isFocused={field === 'path'}
				candidates={state.candidates}
				note={`relative to ${settings.cwd}; tab completes, enter next`}
				onChange={encrypt.setPath}
				onSubmit={() => encrypt.setField('context')}
			/>
			<TextField
				key={`context-${state.version}`}
				label="Context"
				defaultValue={state.draft}
				placeholder={field === 'context' ? 'name=value' : undefined}
				isFocused={field === 'context'}
				error={state.pairError}
				note={field === 'context' ? 'enter adds a pair; enter on empty: next' : undefined}
				onChange={(value) => encrypt.setDraft(value, state.version)}
				onSubmit={encrypt.submitDraft}
			/>
			<Box paddingLeft={16}>
				<Text wrap="wrap">
					{state.pairs.length > 0
						? state.pairs
								.map(([key, value]) => `${terminalSafeLine(key)}=${terminalSafeLine(value)}`)
								.join(', ')
						: '(no encryption context)'}
				</Text>
			</Box>
			<FormatChoice
				value={state.format}
				isFocused={field === 'format'}
				onChange={encrypt.setFormat}
			/>
			<Text wrap="wrap">
				Output: {terminalSafeLine(output)} next to the file
				{settings.readOnly ? '' : ' · ctrl+e encrypts (esc cancels while it runs)'}
			</Text>
			{settings.readOnly ? <Text dimColor>Read-only: encrypting is off.</Text> : null}
			{cli}
		</Box>
	);
}
