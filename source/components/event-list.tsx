import {Box, Text} from 'ink';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {stackStatusToken, useColor} from '../hooks/use-theme.js';
import type {StackEvent} from '../service/index.js';
import {formatElapsed} from './elapsed.js';
import {shellWidth} from './shell-width.js';
import {shownEvent} from './untrusted-text.js';

export type EventListProps = {
	readonly events: readonly StackEvent[];
	/** When the operation started: each event shows its time since then. */
	readonly startedAt: number;
	/** Show only the newest ones. @default 8 */
	readonly maxRows?: number;
};

export type EventColumns = {
	readonly time: number;
	readonly status: number;
	readonly logicalId: number;
	/** False when the resource types do not fit beside the rest: they are left out, not cut. */
	readonly hasType: boolean;
};

const timeWidth = 7;

/**
 * Columns as wide as their longest value, so a status or logical id is never cut
 * (`CREATE_C…`); the resource type takes what is left, and only when all of it fits.
 */
export function eventColumns(events: readonly StackEvent[], width: number): EventColumns {
	const longest = (values: string[]) => Math.max(0, ...values.map((value) => value.length));
	// Two spaces between columns: one reads as a word break inside "CREATE_COMPLETE Alias".
	const status = longest(events.map((event) => event.status)) + 2;
	const logicalId = longest(events.map((event) => event.logicalId)) + 2;
	const type = longest(events.map((event) => event.resourceType));
	return {
		time: timeWidth,
		status,
		logicalId,
		hasType: timeWidth + status + logicalId + type <= width,
	};
}

/** CloudFormation stack events, oldest first, coloured by status; failures show their reason. */
export function EventList({events, startedAt, maxRows = 8}: EventListProps) {
	const color = useColor();
	const {columns} = useTerminalSize();
	const shown = events.slice(-maxRows).map(shownEvent);
	const widths = eventColumns(shown, shellWidth(columns));
	return (
		<Box flexDirection="column">
			{events.length > shown.length ? (
				<Text dimColor>… {events.length - shown.length} earlier events</Text>
			) : null}
			{shown.map((event) => (
				<Box key={event.id} flexDirection="column">
					<Box>
						<Box width={widths.time} flexShrink={0}>
							<Text dimColor>+{formatElapsed(event.timestamp.getTime() - startedAt)}</Text>
						</Box>
						{/* Too narrow for both: the status and the id wrap rather than lose letters. */}
						<Box width={widths.status} flexShrink={1}>
							<Text color={color(stackStatusToken(event.status))} wrap="wrap">
								{event.status}
							</Text>
						</Box>
						<Box width={widths.logicalId} flexShrink={1}>
							<Text wrap="wrap">{event.logicalId}</Text>
						</Box>
						{widths.hasType ? <Text dimColor>{event.resourceType}</Text> : null}
					</Box>
					{event.reason && event.status.endsWith('_FAILED') ? (
						<Box paddingLeft={widths.time}>
							<Text color={color('danger')} wrap="wrap">
								{event.reason}
							</Text>
						</Box>
					) : null}
				</Box>
			))}
		</Box>
	);
}
