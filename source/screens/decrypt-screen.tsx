import path from 'node:path';
import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {EnvelopeProgress} from '../components/envelope-progress.js';
import {EnvelopeSummaryTable} from '../components/envelope-summary.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {PathField} from '../components/path-field.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useColor} from '../hooks/use-theme.js';
import {useDecryptState} from './use-decrypt-state.js';

const maxListed = 6;

/** Decrypt an envelope: pick it, see its header (no KMS yet), then decrypt with progress. */
export function DecryptScreen() {
	const {settings} = useAppContext();
	const color = useColor();
	const decrypt = useDecryptState();
	const {state, envelopes} = decrypt;
	const {phase} = state;

	const handlers: Handlers = {};
	if (phase.name === 'pick') {
		handlers['complete-path'] = () => void decrypt.complete();
		if (envelopes.length > 0) {
			handlers.up = () => decrypt.move(-1);
			handlers.down = () => decrypt.move(1);
		}
	} else if (phase.name === 'header') {
		handlers.cancel = decrypt.back;
		if (!phase.error) handlers['decrypt-file'] = () => void decrypt.decrypt();
	} else if (phase.name === 'running') handlers.cancel = decrypt.cancel;
	else if (phase.name === 'done') handlers['decrypt-again'] = decrypt.back;
	useKeymap(handlers, {isTextFocused: phase.name === 'pick'});

	const file = state.path || 'FILE';
	const cli = <CliHint args={['decrypt', file]} />;
	switch (phase.name) {
		case 'pick':
			return (
				<Box flexDirection="column">
					{phase.error ? (
						<ErrorPanel error={phase.error} title="Not an envelope I can read" />
					) : null}
					<PathField
						label="Envelope"
						value={state.path}
						version={state.version}
						isFocused
						candidates={state.candidates}
						note="tab completes; enter shows its header (no KMS call yet)"
						onChange={decrypt.setPath}
						onSubmit={(value) => void decrypt.inspect(value)}
					/>
					<Box flexDirection="column" marginY={1}>
						<Text dimColor>
							{decrypt.isScanning
								? `Looking for envelopes under ${settings.cwd}…`
								: envelopes.length > 0
									? `Envelopes under ${settings.cwd} (↑↓ picks one):`
									: `No .kms or .kms.json envelopes under ${settings.cwd}.`}
						</Text>
						{envelopes.slice(0, maxListed).map((envelope, index) => (
							<Text key={envelope.path} wrap="truncate-end">
								<Text color={color('accent')}>{index === state.listIndex ? '› ' : '  '}</Text>
								{envelope.relativePath}
								<Text dimColor>
									{'  '}
									{envelope.summary.createdAt.slice(0, 16).replace('T', ' ')} key …
									{envelope.summary.keyArn.slice(-12)}
								</Text>
							</Text>
						))}
					</Box>
					{cli}
				</Box>
			);
		case 'inspecting':
			return <Spinner label={`Reading the header of ${state.path}…`} />;
		case 'running':
			return (
				<Box flexDirection="column">
					<EnvelopeProgress
						label={
							phase.done === 0 ? 'Asking KMS to decrypt the data key' : `Decrypting ${state.path}`
						}
						done={phase.done}
						total={phase.total}
						first={phase.first}
						now={phase.at}
					/>
					{cli}
				</Box>
			);
		case 'done':
			return (
				<Box flexDirection="column">
					<Text color={color('success')} bold>
						✔ Decrypted {state.path}: every frame verified
					</Text>
					<Box marginY={1}>
						<KeyValueTable
							rows={[
								{label: 'Output', value: path.relative(settings.cwd, phase.result.outputPath)},
								{label: 'Bytes', value: phase.result.bytes.toLocaleString('en-US')},
								{label: 'Mode', value: `${phase.mode} (only you can read it)`},
								{label: 'Key', value: phase.result.header.keyArn},
							]}
						/>
					</Box>
					{cli}
				</Box>
			);
		case 'header':
			return (
				<Box flexDirection="column">
					<Text bold>{state.path}</Text>
					<EnvelopeSummaryTable summary={phase.summary} />
					<Box marginY={1}>
						<Text dimColor wrap="wrap">
							Read from the header without KMS; nothing is verified until it is decrypted.
							{phase.error || settings.readOnly
								? ''
								: ' Enter decrypts it (one KMS Decrypt); the output is written only after the last frame verifies.'}
						</Text>
					</Box>
					{phase.error ? (
						<ErrorPanel
							error={phase.error}
							title={phase.error.kind === 'aborted' ? 'Cancelled' : 'Not decrypted'}
						/>
					) : null}
					<CliHint args={['inspect', file]} />
					{cli}
				</Box>
			);
	}
}
