import {Select} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {useColor} from '../hooks/use-theme.js';

export type EnvelopeFormatChoice = 'binary' | 'json';

const formats = [
	{label: 'binary: header line + frames, any size', value: 'binary'},
	{label: 'json: one JSON document, < 64 MiB', value: 'json'},
];

export type FormatChoiceProps = {
	readonly value: EnvelopeFormatChoice;
	/** The arrows move the choice only while it has focus. */
	readonly isFocused: boolean;
	readonly onChange: (format: EnvelopeFormatChoice) => void;
};

/** The envelope format as a labelled two-way choice, aligned with the text fields above it. */
export function FormatChoice({value, isFocused, onChange}: FormatChoiceProps) {
	const color = useColor();
	return (
		<Box>
			<Box width={16} flexShrink={0}>
				<Text bold={isFocused} color={isFocused ? color('accent') : undefined}>
					{isFocused ? '› ' : '  '}Format
				</Text>
			</Box>
			<Select
				options={formats}
				defaultValue={value}
				isDisabled={!isFocused}
				visibleOptionCount={2}
				onChange={(chosen) => onChange(chosen === 'json' ? 'json' : 'binary')}
			/>
		</Box>
	);
}
