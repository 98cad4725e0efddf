import path from 'node:path';
import {Select, Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {formatDuration} from '../components/elapsed.js';
import {EnvelopeProgress} from '../components/envelope-progress.js';
import {EnvelopeSummaryTable} from '../components/envelope-summary.js';
import {ErrorPanel} from '../components/error-panel.js';
import {PathField} from '../components/path-field.js';
import {TextField} from '../components/text-field.js';
import {encryptedName} from '../envelope/output.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useColor} from '../hooks/use-theme.js';
import {encryptArgs, useEncryptState} from './use-encrypt-state.js';

const formats = [
	{label: 'binary: header line + frames, any size', value: 'binary'},
	{label: 'json: one classic envelope document, < 64 MiB', value: 'json'},
];

/** Encrypt a file: path (tab completes), context pairs, format → progress → the envelope's header. */
export function EncryptScreen() {
	const {settings} = useAppContext();
	const color = useColor();
	const encrypt = useEncryptState();
	const {state, choice} = encrypt;
	const {phase, field} = state;

	const handlers: Handlers = {};
	if (phase.name === 'running') handlers.cancel = encrypt.cancel;
	else if (phase.name === 'done') handlers['encrypt-again'] = encrypt.again;
	else if (choice) {
		handlers['start-encrypt'] = () => void encrypt.start();
		if (field === 'path') handlers['complete-path'] = () => void encrypt.complete();
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
	const cli = <CliHint args={encryptArgs(state)} />;
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
			<Box flexDirection="column">
				<Text color={color('success')} bold wrap="wrap">
					✔ Wrote {path.relative(settings.cwd, phase.result.outputPath)} (
					{phase.result.bytes.toLocaleString('en-US')} bytes in {formatDuration(phase.elapsedMs)})
				</Text>
				<Box marginY={1}>
					<EnvelopeSummaryTable summary={phase.summary} />
				</Box>
				<Text dimColor wrap="wrap">
					One GenerateDataKey call; the data key was wiped after use. Only the KMS key can unwrap it
					again.
				</Text>
				{cli}
			</Box>
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
			<Text bold wrap="truncate-end">
				Encrypt with {choice.keyRef} ({choice.source})
			</Text>
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
						? state.pairs.map(([key, value]) => `${key}=${value}`).join(', ')
						: '(no encryption context)'}
				</Text>
			</Box>
			<Box>
				<Box width={16} flexShrink={0}>
					<Text bold={field === 'format'} color={field === 'format' ? color('accent') : undefined}>
						{field === 'format' ? '› ' : '  '}Format
					</Text>
				</Box>
				<Select
					options={formats}
					defaultValue={state.format}
					isDisabled={field !== 'format'}
					visibleOptionCount={2}
					onChange={(value) => encrypt.setFormat(value === 'json' ? 'json' : 'binary')}
				/>
			</Box>
			<Text wrap="wrap">
				Output: {output} next to the file
				{settings.readOnly ? '' : ' · ctrl+e encrypts (esc cancels while it runs)'}
			</Text>
			{settings.readOnly ? <Text dimColor>Read-only: encrypting is off.</Text> : null}
			{cli}
		</Box>
	);
}
