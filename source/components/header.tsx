import {Box, Text} from 'ink';
import type {TargetKind} from '../hooks/use-app-context.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';
import {shellWidth} from './shell-width.js';
import {targetBadges, targetDetail} from './target-label.js';

export type HeaderProps = {
	/** The session's target line ("target: SANDBOX (local, not AWS) us-east-1, state in …"). */
	readonly targetLine: string;
	readonly targetKind: TargetKind;
	readonly isReadOnly: boolean;
};

/**
 * One line (two when the detail must wrap) that says where the keys live. The sandbox badge is inverse video as well as
 * coloured, so it stays unmistakable under NO_COLOR. The detail names a region, profile, endpoint
 * or state path: it wraps rather than lose characters, and on a narrow terminal the program's
 * name makes room for it first.
 */
export function Header({targetLine, targetKind, isReadOnly}: HeaderProps) {
	const color = useColor();
	// Paths, profile and endpoint names are the user's, but may hold anything: escaped.
	const detail = terminalSafeLine(targetDetail(targetLine));
	const {columns} = useTerminalSize();
	const badge = ` ${targetBadges[targetKind]} `;
	const name = ' kms-tui';
	const readOnly = isReadOnly ? ' read-only' : '';
	const hasName =
		badge.length + 1 + detail.length + readOnly.length + name.length <= shellWidth(columns);
	return (
		<Box width="100%">
			{/* The badge never shrinks: the detail is what wraps. */}
			<Box flexShrink={0}>
				<Text bold inverse color={targetKind === 'aws' ? color('warning') : color('accent')}>
					{badge}
				</Text>
				<Text> </Text>
			</Box>
			<Box flexGrow={1} flexShrink={1} overflow="hidden">
				<Text wrap="wrap">{detail}</Text>
			</Box>
			<Box flexShrink={0}>
				{isReadOnly ? <Text color={color('warning')}>{readOnly}</Text> : null}
				{hasName ? <Text dimColor>{name}</Text> : null}
			</Box>
		</Box>
	);
}
