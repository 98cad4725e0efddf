import {Box, Text} from 'ink';

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
						<Text dimColor>{row.label}</Text>
					</Box>
					<Text wrap="truncate-middle" color={row.color}>
						{row.value}
					</Text>
				</Box>
			))}
		</Box>
	);
}
