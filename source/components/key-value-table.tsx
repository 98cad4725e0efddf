import {Box, Text} from 'ink';
import {terminalSafe, terminalSafeLine} from '../terminal-text.js';

export type KeyValueRow = {
	readonly label: string;
	readonly value: string;
	readonly color?: string;
};

export type KeyValueTableProps = {
	readonly rows: readonly KeyValueRow[];
	/** Width of the label column. @default 16 */
	readonly labelWidth?: number;
};

export function KeyValueTable({rows, labelWidth = 16}: KeyValueTableProps) {
	return (
		<Box flexDirection="column">
			{rows.map((row) => (
				<Box key={row.label}>
					<Box width={labelWidth} flexShrink={0}>
						<Text dimColor>{terminalSafeLine(row.label)}</Text>
					</Box>
					{/* Values are ARNs, ids and paths a user copies: wrapped, never cut with an ellipsis. */}
					<Text wrap="wrap" color={row.color}>
						{/* Values come from AWS, envelope headers and disk: escaped at display. */}
						{terminalSafe(row.value)}
					</Text>
				</Box>
			))}
		</Box>
	);
}
