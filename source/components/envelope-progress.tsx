import {ProgressBar, Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {rateText, sizeText} from '../hooks/envelope-errors.js';
import {terminalSafeLine} from '../terminal-text.js';

export type EnvelopeProgressProps = {
	/** "Encrypting data.txt" */
	readonly label: string;
	readonly done: number;
	readonly total?: number;
	/** When `done` was reported. */
	readonly now: number;
	/** The first report of the run, which rates are measured from. */
	readonly first: {readonly done: number; readonly at: number} | undefined;
};

/** A running encrypt/decrypt: bar, bytes, MB/s and ETA, and how to cancel without leftovers. */
export function EnvelopeProgress({label, done, total, now, first}: EnvelopeProgressProps) {
	const percent = total ? Math.min(100, Math.floor((done / total) * 100)) : 0;
	const rate = rateText({done, total, at: now}, first);
	return (
		<Box flexDirection="column">
			<Spinner label={`${terminalSafeLine(label)}…`} />
			<Box gap={1}>
				<Box width={40} flexShrink={0}>
					<ProgressBar value={percent} />
				</Box>
				<Text>{total ? `${percent}%` : ''}</Text>
			</Box>
			<Text>
				{sizeText(done)}
				{total === undefined ? '' : ` of ${sizeText(total)}`}
				{rate ? ` · ${rate}` : ''}
			</Text>
			<Text dimColor wrap="wrap">
				esc cancels: the output is written to a temp file and removed, so nothing partial is left.
			</Text>
		</Box>
	);
}
