import {Box, Text} from 'ink';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafe} from '../terminal-text.js';
import {LineInput} from './line-input.js';

export type TextFieldProps = {
	readonly label: string;
	readonly defaultValue?: string;
	readonly placeholder?: string;
	/** Only the focused field receives keys. */
	readonly isFocused: boolean;
	/** Shown under the field as the user types (inline validation). */
	readonly error?: string;
	/** Shown under the field when there is no error. */
	readonly note?: string;
	/** Width of the label column. @default 16 */
	readonly labelWidth?: number;
	readonly onChange?: (value: string) => void;
	readonly onSubmit?: (value: string) => void;
};

/** A labelled LineInput with an inline message; the focused one shows a marker. */
export function TextField({
	label,
	defaultValue,
	placeholder,
	isFocused,
	error,
	note,
	labelWidth = 16,
	onChange,
	onSubmit,
}: TextFieldProps) {
	const color = useColor();
	return (
		<Box flexDirection="column">
			<Box>
				<Box width={labelWidth} flexShrink={0}>
					<Text bold={isFocused} color={isFocused ? color('accent') : undefined}>
						{isFocused ? '› ' : '  '}
						{label}
					</Text>
				</Box>
				<LineInput
					isDisabled={!isFocused}
					defaultValue={defaultValue}
					placeholder={placeholder}
					onChange={onChange}
					onSubmit={onSubmit}
				/>
			</Box>
			{error ? (
				<Box paddingLeft={labelWidth}>
					<Text color={color('danger')}>✘ {terminalSafe(error)}</Text>
				</Box>
			) : note ? (
				<Box paddingLeft={labelWidth}>
					<Text dimColor>{terminalSafe(note)}</Text>
				</Box>
			) : null}
		</Box>
	);
}
