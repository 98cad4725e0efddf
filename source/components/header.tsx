import {Box, Text} from 'ink';
import type {TargetKind} from '../hooks/use-app-context.js';
import {useColor} from '../hooks/use-theme.js';
import {targetBadges, targetDetail} from './target-label.js';

export type HeaderProps = {
	/** The session's target line ("target: SANDBOX (local, not AWS) us-east-1, state in …"). */
	readonly targetLine: string;
	readonly targetKind: TargetKind;
	readonly isReadOnly: boolean;
};

/**
 * One line that says where the keys live. The sandbox badge is inverse video as well as
 * coloured, so it stays unmistakable under NO_COLOR.
 */
export function Header({targetLine, targetKind, isReadOnly}: HeaderProps) {
	const color = useColor();
	const detail = targetDetail(targetLine);
	return (
		<Box width="100%">
			{/* Badge and name never shrink: a long state path is what gets truncated. */}
			<Box flexShrink={0}>
				<Text bold inverse color={targetKind === 'aws' ? color('warning') : color('accent')}>
					{` ${targetBadges[targetKind]} `}
				</Text>
				<Text> </Text>
			</Box>
			<Box flexGrow={1} flexShrink={1} overflow="hidden">
				<Text wrap="truncate-middle">{detail}</Text>
			</Box>
			<Box flexShrink={0}>
				{isReadOnly ? <Text color={color('warning')}> read-only</Text> : null}
				<Text dimColor> kms-tui</Text>
			</Box>
		</Box>
	);
}
