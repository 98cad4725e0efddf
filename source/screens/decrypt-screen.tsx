import path from 'node:path';
import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {DecryptOutput} from '../components/decrypt-output.js';
import {EnvelopeChoices} from '../components/envelope-choices.js';
import {EnvelopeProgress} from '../components/envelope-progress.js';
import {EnvelopeSummaryTable, EsdkSummaryText} from '../components/envelope-summary.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {PathField} from '../components/path-field.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useScreenRows} from '../hooks/use-screen-rows.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';
import {decryptArgs, isEsdkSummary, useDecryptState} from './use-decrypt-state.js';

/**
 * Decrypt an envelope or an AWS Encryption SDK message: pick it, see its header (no KMS yet),
 * then decrypt with progress.
 */
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
		handlers.cancel = state.replace ? decrypt.cancelReplace : decrypt.back;
		if (!phase.error && !state.replace) handlers['decrypt-file'] = () => void decrypt.decrypt();
	} else if (phase.name === 'running') handlers.cancel = decrypt.cancel;
	else if (phase.name === 'done') handlers['decrypt-again'] = decrypt.back;
	const isOutputShown = phase.name === 'header' && !settings.readOnly;
	const isShort = useScreenRows() < 18;
	useKeymap(handlers, {isTextFocused: phase.name === 'pick' || isOutputShown});

	const file = state.path || 'FILE';
	const cli = <CliHint args={decryptArgs(state)} />;
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
					<EnvelopeChoices
						cwd={settings.cwd}
						envelopes={envelopes}
						isScanning={decrypt.isScanning}
						index={state.listIndex}
					/>
					{cli}
				</Box>
			);
		case 'inspecting':
			return <Spinner label={`Reading the header of ${terminalSafeLine(state.path)}…`} />;
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
						✔ Decrypted {terminalSafeLine(state.path)}: every frame verified
					</Text>
					<Box marginY={1}>
						<KeyValueTable
							rows={[
								{label: 'Output', value: path.relative(settings.cwd, phase.result.outputPath)},
								{label: 'Bytes', value: phase.result.bytes.toLocaleString('en-US')},
								{label: 'Mode', value: `${phase.mode} (only you can read it)`},
								{label: 'Key', value: phase.result.keyArn},
							]}
						/>
					</Box>
					{cli}
				</Box>
			);
		case 'header':
			return (
				<Box flexDirection="column">
					{isEsdkSummary(phase.summary) ? (
						<EsdkSummaryText label={state.path} summary={phase.summary} />
					) : (
						<>
							<Text bold>{terminalSafeLine(state.path)}</Text>
							<EnvelopeSummaryTable summary={phase.summary} />
						</>
					)}
					{/*
					 * On a short terminal (60×20) the header and the output field need every row; an SDK
					 * message's header is longer (inspect's text, which already says it is unverified), so
					 * at 80×24 it goes without this paragraph too (the help bar says enter decrypts).
					 */}
					<Box marginY={1} display={isShort || isEsdkSummary(phase.summary) ? 'none' : 'flex'}>
						<Text dimColor wrap="wrap">
							Read from the header without KMS; nothing is verified until it is decrypted.
							{phase.error || settings.readOnly
								? ''
								: ' Enter decrypts it (one KMS Decrypt); the output is written only after the last frame verifies.'}
						</Text>
					</Box>
					{isOutputShown ? (
						<DecryptOutput
							value={state.output}
							version={state.outputVersion}
							defaultValue={state.defaultOutput}
							replace={state.replace && path.relative(settings.cwd, state.replace)}
							onChange={decrypt.setOutput}
							onSubmit={(value) => void decrypt.decrypt(value)}
							onConfirmReplace={decrypt.confirmReplace}
						/>
					) : null}
					{phase.error ? (
						<ErrorPanel
							error={phase.error}
							title={phase.error.kind === 'aborted' ? 'Cancelled' : 'Not decrypted'}
						/>
					) : null}
					{isShort ? null : <CliHint args={['inspect', file]} />}
					{cli}
				</Box>
			);
	}
}
