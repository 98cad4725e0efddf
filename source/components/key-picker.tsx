import {Box, Text} from 'ink';
import type {KeyChoice} from '../hooks/use-key-picker.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';
import {shellWidth} from './shell-width.js';
import {TextField} from './text-field.js';

const labelWidth = 16;

export type KeyPickerFieldProps = {
	readonly label: string;
	readonly value: string;
	/** Bumped to remount the field with `value` (after a pick with the arrows). */
	readonly version: number;
	readonly isFocused: boolean;
	/** Undefined while the keys are read. */
	readonly choices?: readonly KeyChoice[];
	/** The choice the arrows are on. */
	readonly index?: number;
	readonly note?: string;
	readonly error?: string;
	/** Rows of choices shown at most (a window that follows the arrows). @default 5 */
	readonly maxChoices?: number;
	readonly onChange: (value: string, version: number) => void;
	readonly onSubmit: (value: string) => void;
};

/**
 * A key field with the keys that exist listed under it: ↑↓ picks one into the field, and the
 * field still takes any id, ARN or alias typed. Ids are never cut: on a narrow terminal a row
 * leaves out its detail (where an alias points, a key's description) rather than wrap or cut.
 */
export function KeyPickerField(props: KeyPickerFieldProps) {
	const color = useColor();
	const {columns} = useTerminalSize();
	// The label column and the row's marker come first.
	const rowWidth = shellWidth(columns) - labelWidth - 2;
	const {choices, index, maxChoices = 5} = props;
	const selected = index ?? choices?.findIndex((choice) => choice.value === props.value) ?? -1;
	const start =
		choices === undefined
			? 0
			: Math.max(0, Math.min(selected - Math.floor(maxChoices / 2), choices.length - maxChoices));
	const shown = choices?.slice(start, start + maxChoices) ?? [];
	return (
		<Box flexDirection="column">
			<TextField
				labelWidth={labelWidth}
				key={props.version}
				label={props.label}
				defaultValue={props.value}
				isFocused={props.isFocused}
				error={props.error}
				note={props.note}
				onChange={(value) => props.onChange(value, props.version)}
				onSubmit={props.onSubmit}
			/>
			{props.isFocused ? (
				<Box flexDirection="column" paddingLeft={labelWidth}>
					{choices === undefined ? (
						<Text dimColor>Reading the keys…</Text>
					) : choices.length === 0 ? (
						<Text dimColor>No key to offer here: type an id, ARN or alias.</Text>
					) : (
						<Text dimColor>
							↑↓ picks ({choices.length} {choices.length === 1 ? 'choice' : 'choices'}), or type one
						</Text>
					)}
					{shown.map((choice, offset) => {
						const isSelected = start + offset === selected;
						return (
							<Text key={choice.value} wrap="wrap" bold={isSelected}>
								<Text color={color('accent')}>{isSelected ? '› ' : '  '}</Text>
								{terminalSafeLine(choice.value)}
								{choice.value.length + 1 + choice.detail.length <= rowWidth ? (
									<Text dimColor> {terminalSafeLine(choice.detail)}</Text>
								) : null}
							</Text>
						);
					})}
				</Box>
			) : null}
		</Box>
	);
}
