import {Box, Text} from 'ink';
import {useEffect} from 'react';
import {findEnvelopes} from '../hooks/find-envelopes.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useTask} from '../hooks/use-task.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';

export type EnvelopesAtRiskProps = {
	/** The key about to be deleted, as envelope headers record it. */
	readonly keyArn: string;
	/** Envelopes listed by name before the rest are counted. @default 5 */
	readonly maxRows?: number;
};

/** The envelopes under cwd made with this key: what its deletion would make unreadable. */
export function EnvelopesAtRisk({keyArn, maxRows = 5}: EnvelopesAtRiskProps) {
	const {settings} = useAppContext();
	const color = useColor();
	const scan = useTask((signal) => findEnvelopes(settings.cwd, {keyArn, signal}));
	const {run} = scan;
	useEffect(() => {
		void run();
	}, [run]);
	if (scan.state.status !== 'success')
		return (
			<Text dimColor>
				Looking for envelopes made with this key under {terminalSafeLine(settings.cwd)}…
			</Text>
		);
	const {envelopes, isTruncated} = scan.state.value;
	if (envelopes.length === 0)
		return (
			<Text dimColor wrap="wrap">
				No envelope made with this key under {terminalSafeLine(settings.cwd)}
				{isTruncated ? ' (searched the first 500 files)' : ''}.
			</Text>
		);
	return (
		<Box flexDirection="column">
			<Text color={color('warning')} wrap="wrap">
				{envelopes.length} envelope{envelopes.length === 1 ? '' : 's'} under{' '}
				{terminalSafeLine(settings.cwd)} would become unreadable:
			</Text>
			{envelopes.slice(0, maxRows).map((envelope) => (
				<Text key={envelope.path} wrap="wrap">
					{'  '}
					{terminalSafeLine(envelope.relativePath)}
				</Text>
			))}
			{envelopes.length > maxRows ? (
				<Text dimColor>
					{'  '}… and {envelopes.length - maxRows} more
				</Text>
			) : null}
			{isTruncated ? <Text dimColor> (searched the first 500 files only)</Text> : null}
		</Box>
	);
}
