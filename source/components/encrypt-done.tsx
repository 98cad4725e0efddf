import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import type {EnvelopeSummary} from '../envelope/index.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';
import {formatDuration} from './elapsed.js';
import {EnvelopeSummaryTable} from './envelope-summary.js';

export type EncryptDoneProps = {
	/** The envelope written, relative to cwd. */
	readonly outputPath: string;
	readonly bytes: number;
	readonly elapsedMs: number;
	readonly summary: EnvelopeSummary;
	/** Shown last (the CLI hint). */
	readonly children?: ReactNode;
};

/** What an encryption wrote: the file, its size and time, and the envelope's header read back. */
export function EncryptDone({outputPath, bytes, elapsedMs, summary, children}: EncryptDoneProps) {
	const color = useColor();
	return (
		<Box flexDirection="column">
			<Text color={color('success')} bold wrap="wrap">
				✔ Wrote {terminalSafeLine(outputPath)} ({bytes.toLocaleString('en-US')} bytes in{' '}
				{formatDuration(elapsedMs)})
			</Text>
			<Box marginY={1}>
				<EnvelopeSummaryTable summary={summary} />
			</Box>
			<Text dimColor wrap="wrap">
				One GenerateDataKey call; the data key was wiped after use. Only the KMS key can unwrap it
				again.
			</Text>
			{children}
		</Box>
	);
}
