import {Box, Text} from 'ink';
import {stackStatusToken, useColor} from '../hooks/use-theme.js';
import type {StackEvent} from '../service/index.js';
import {formatElapsed} from './elapsed.js';

export type EventListProps = {
	readonly events: readonly StackEvent[];
	/** When the operation started: each event shows its time since then. */
	readonly startedAt: number;
	/** Show only the newest ones. @default 8 */
	readonly maxRows?: number;
};

/** CloudFormation stack events, oldest first, coloured by status; failures show their reason. */
export function EventList({events, startedAt, maxRows = 8}: EventListProps) {
	const color = useColor();
	const shown = events.slice(-maxRows);
	return (
		<Box flexDirection="column">
			{events.length > shown.length ? (
				<Text dimColor>… {events.length - shown.length} earlier events</Text>
			) : null}
			{shown.map((event) => (
				<Box key={event.id} flexDirection="column">
					<Box>
						<Box width={7} flexShrink={0}>
							<Text dimColor>+{formatElapsed(event.timestamp.getTime() - startedAt)}</Text>
						</Box>
						<Box width={30} flexShrink={0}>
							<Text color={color(stackStatusToken(event.status))} wrap="truncate-end">
								{event.status}
							</Text>
						</Box>
						<Box width={18} flexShrink={0}>
							<Text wrap="truncate-end">{event.logicalId}</Text>
						</Box>
						<Text dimColor wrap="truncate-end">
							{event.resourceType}
						</Text>
					</Box>
					{event.reason && event.status.endsWith('_FAILED') ? (
						<Box paddingLeft={7}>
							<Text color={color('danger')} wrap="truncate-end">
								{event.reason}
							</Text>
						</Box>
					) : null}
				</Box>
			))}
		</Box>
	);
}
