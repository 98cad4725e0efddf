import {Box, Text} from 'ink';
import type {FoundEnvelope, FoundEsdkMessage} from '../hooks/find-envelopes.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';

export type EnvelopeChoicesProps = {
	readonly cwd: string;
	readonly envelopes: readonly (FoundEnvelope | FoundEsdkMessage)[];
	readonly isScanning: boolean;
	/** The one ↑↓ is on, if any. */
	readonly index?: number;
	/** Rows shown at most: a window that follows the arrows. @default 6 */
	readonly maxRows?: number;
};

/** The envelopes found under cwd, with when and under which key each was made (its id whole). */
export function EnvelopeChoices({
	cwd,
	envelopes,
	isScanning,
	index,
	maxRows = 6,
}: EnvelopeChoicesProps) {
	const color = useColor();
	const start = Math.max(0, Math.min((index ?? 0) - maxRows + 1, envelopes.length - maxRows));
	return (
		<Box flexDirection="column" marginY={1}>
			<Text dimColor wrap="wrap">
				{terminalSafeLine(
					isScanning
						? `Looking for envelopes under ${cwd}…`
						: envelopes.length > 0
							? `Envelopes under ${cwd} (↑↓ picks one):`
							: `No .kms or .kms.json envelopes or AWS Encryption SDK messages under ${cwd}.`,
				)}
			</Text>
			{envelopes.slice(start, start + maxRows).map((envelope, offset) => (
				<Text key={envelope.path} wrap="wrap">
					<Text color={color('accent')}>{start + offset === index ? '› ' : '  '}</Text>
					{terminalSafeLine(envelope.relativePath)}
					<Text dimColor>
						{'  '}
						{'esdk' in envelope
							? `SDK message, key ${terminalSafeLine(envelope.esdk.encryptedDataKeys[0]?.keyArn?.split('/').at(-1) ?? '?')}`
							: `${terminalSafeLine(envelope.summary.createdAt.slice(0, 16).replace('T', ' '))} key ${terminalSafeLine(envelope.summary.keyArn.split('/').at(-1) ?? '')}`}
					</Text>
				</Text>
			))}
		</Box>
	);
}
