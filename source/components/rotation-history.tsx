import {Box, Text} from 'ink';
import {formatDate} from '../format.js';
import type {RotationRecord} from '../service/index.js';

export type RotationHistoryProps = {
	readonly history: readonly RotationRecord[];
	/** Show only the newest ones. @default 4 */
	readonly maxRows?: number;
};

/** The rotations so far, oldest first, as a short timeline. */
export function RotationHistory({history, maxRows = 4}: RotationHistoryProps) {
	const shown = history.slice(-maxRows);
	return (
		<Box flexDirection="column">
			<Text bold>History</Text>
			{history.length === 0 ? <Text dimColor> No rotations yet.</Text> : null}
			{history.length > shown.length ? (
				<Text dimColor> … {history.length - shown.length} earlier</Text>
			) : null}
			{shown.map((record) => (
				<Text
					key={`${record.date.toISOString()}-${record.keyMaterialId ?? ''}`}
					wrap="truncate-end"
				>
					{'  ● '}
					{formatDate(record.date)}
					{'  '}
					{record.type === 'AUTOMATIC' ? 'automatic' : 'on demand'}
				</Text>
			))}
		</Box>
	);
}
