import {Text} from 'ink';
import type {EnvelopeSummary} from '../envelope/index.js';
import {type EsdkSummary, formatEsdkSummary} from '../esdk/inspect.js';
import {isSandboxArn, sizeText} from '../hooks/envelope-errors.js';
import {KeyValueTable} from './key-value-table.js';

export type EnvelopeSummaryTableProps = {
	readonly summary: EnvelopeSummary;
};

/** What an envelope's header says (kms-tui inspect), read without KMS. */
export function EnvelopeSummaryTable({summary}: EnvelopeSummaryTableProps) {
	const context = Object.entries(summary.encryptionContext);
	// Format v2 may hold several keys: each one, in the order decrypt tries them.
	const keys = summary.wrappedKeys?.length ? summary.wrappedKeys : [{keyArn: summary.keyArn}];
	const keyText = (arn: string) => `${arn}${isSandboxArn(arn) ? ' (a kms-tui sandbox key)' : ''}`;
	return (
		<KeyValueTable
			rows={[
				{
					label: keys.length > 1 ? 'Keys' : 'Key',
					value:
						keys.length > 1
							? keys.map((key, index) => `${index + 1}. ${keyText(key.keyArn)}`).join('\n')
							: keyText(summary.keyArn),
				},
				{
					label: 'Context',
					value:
						context.length > 0
							? context.map(([key, value]) => `${key}=${value}`).join(', ')
							: '(none)',
				},
				{label: 'Algorithm', value: summary.algorithm},
				{
					label: 'Plaintext',
					value: `${sizeText(summary.plaintextSize)}${summary.plaintextSizeRecorded ? '' : ' (from the file length)'}`,
				},
				{
					label: 'Envelope',
					value: `${sizeText(summary.fileSize)}, ${summary.encoding}, ${summary.frameCount ?? '?'} frame(s)`,
				},
				{label: 'Created', value: summary.createdAt},
				...(summary.lengthConsistent
					? []
					: [{label: 'Warning', value: 'the file length does not match the header'}]),
			]}
		/>
	);
}

/**
 * What an AWS Encryption SDK message's header says: the very text `kms-tui inspect` prints
 * (formatEsdkSummary escapes every value from the file for the terminal).
 */
export function EsdkSummaryText({label, summary}: {label: string; summary: EsdkSummary}) {
	return <Text wrap="wrap">{formatEsdkSummary(label, summary)}</Text>;
}
