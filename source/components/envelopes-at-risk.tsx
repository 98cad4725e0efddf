import {Box, Text} from 'ink';
import {useEffect, useState} from 'react';
import {formatDate} from '../format.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {useTask} from '../hooks/use-task.js';
import {useColor} from '../hooks/use-theme.js';
import {deletionImpact, describeLastUsage} from '../scan/deletion-impact.js';
import {terminalSafeLine} from '../terminal-text.js';

export type EnvelopesAtRiskProps = {
	/** The key about to be deleted (id or ARN). */
	readonly keyRef: string;
	/** Whose deletion: the key's (every alias dangles) or the stack's (it removes its own). */
	readonly what?: 'key' | 'stack';
	/** For a stack: the alias names it owns. */
	readonly stackAliases?: readonly string[];
	/** Envelopes listed by name before the rest are counted. @default 5 */
	readonly maxRows?: number;
};

/**
 * What deleting the key would break (scan/deletion-impact.ts, the same count as the CLI): the
 * envelopes and SDK messages under cwd that only this key opens, those another key opens too,
 * the aliases left pointing at it, and its last use.
 */
export function EnvelopesAtRisk({
	keyRef,
	what = 'key',
	stackAliases,
	maxRows = 5,
}: EnvelopesAtRiskProps) {
	const {services, settings} = useAppContext();
	const color = useColor();
	const [seen, setSeen] = useState(0);
	const impact = useTask((signal) =>
		deletionImpact(services.keys, keyRef, {
			roots: [settings.cwd],
			...(stackAliases ? {stackAliases} : {}),
			signal,
			onProgress: setSeen,
		}),
	);
	const {run} = impact;
	useEffect(() => {
		void run();
	}, [run]);
	const where = terminalSafeLine(settings.cwd);
	if (impact.state.status === 'error')
		return (
			<Text color={color('warning')} wrap="wrap">
				Could not check what the deletion would break:{' '}
				{terminalSafeLine(impact.state.error.message)}
			</Text>
		);
	if (impact.state.status !== 'success')
		return (
			<Text dimColor wrap="wrap">
				Looking for envelopes under {where} that only this key opens… (
				{seen.toLocaleString('en-US')} files)
			</Text>
		);
	const {unreadable, alsoOpenElsewhere, danglingAliases, lastUsage, filesSeen} = impact.state.value;
	const relative = (file: {relativePath: string}) => terminalSafeLine(file.relativePath);
	const aliases = danglingAliases.map((alias) => terminalSafeLine(alias.name)).join(', ');
	return (
		<Box flexDirection="column">
			{unreadable.length === 0 ? (
				<Text dimColor wrap="wrap">
					No envelope under {where} opens only under this key ({filesSeen.toLocaleString('en-US')}{' '}
					files searched).
				</Text>
			) : (
				<Text color={color('warning')} wrap="wrap">
					{unreadable.length} envelope{unreadable.length === 1 ? '' : 's'} under {where} would
					become unreadable:
				</Text>
			)}
			{unreadable.slice(0, maxRows).map((file) => (
				<Text key={file.path} wrap="wrap">
					{'  '}
					{relative(file)}
				</Text>
			))}
			{unreadable.length > maxRows ? (
				<Text dimColor>
					{'  '}… and {unreadable.length - maxRows} more
				</Text>
			) : null}
			{alsoOpenElsewhere.length > 0 ? (
				<Text dimColor wrap="wrap">
					{alsoOpenElsewhere.length} more also open{alsoOpenElsewhere.length === 1 ? 's' : ''} under
					another key: {alsoOpenElsewhere.slice(0, maxRows).map(relative).join(', ')}
				</Text>
			) : null}
			{danglingAliases.length > 0 ? (
				<Text color={color('warning')} wrap="wrap">
					{what === 'key'
						? `Aliases left on a key that cannot be used: ${aliases}`
						: `Aliases made outside the stack, left pointing at a key pending deletion: ${aliases}`}
				</Text>
			) : null}
			<Text wrap="wrap">
				Last used: {terminalSafeLine(describeLastUsage(lastUsage, formatDate))}
			</Text>
		</Box>
	);
}
