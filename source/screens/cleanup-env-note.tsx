import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {describeCleanupLines} from '../env-file/key-cleanup.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {EnvLeftovers} from './use-cleanup-state.js';

/** After the stack's deletion: the .env lines that still name its key, and the offer to clean. */
export function EnvLeftoversNote({
	env,
	envFile,
}: {
	readonly env: EnvLeftovers;
	readonly envFile: string;
}) {
	const color = useColor();
	const file = terminalSafeLine(envFile);
	const lines = terminalSafeLine(describeCleanupLines(env.lines));
	if (env.error)
		return (
			<Text color={color('danger')} wrap="wrap">
				✘ {terminalSafeLine(env.error)}
			</Text>
		);
	if (env.done)
		return (
			<Text color={color('success')} wrap="wrap">
				✔ {env.done.mode === 'comment' ? 'Commented out' : 'Removed'} {lines} in {file}
				{env.done.backupPath
					? ` (the previous file is ${terminalSafeLine(env.done.backupPath)})`
					: ''}
				.
			</Text>
		);
	return (
		<Box flexDirection="column">
			<Text color={color('warning')} wrap="wrap">
				{file} still names the deleted key: {lines}. c comments them out (recommended: easy to take
				back), r removes them; the previous file is kept as {file}.bak.
			</Text>
			<CliHint args={['destroy', '--env-cleanup', 'comment']} />
		</Box>
	);
}
