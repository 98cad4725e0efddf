import {Box, Text} from 'ink';
import {terminalSafeLine} from '../terminal-text.js';
import {TextField} from './text-field.js';

export type PathFieldProps = {
	readonly label: string;
	readonly value: string;
	/** Bumped to remount the field with `value` (after a completion or a pick from a list). */
	readonly version: number;
	readonly isFocused: boolean;
	/** The names tab found when the completion is ambiguous. */
	readonly candidates: readonly string[];
	readonly note?: string;
	readonly error?: string;
	/** With the version of the field instance that changed (a replaced one may still report). */
	readonly onChange: (value: string, version: number) => void;
	readonly onSubmit: (value: string) => void;
};

const maxShown = 8;

/** A path text field (relative to cwd) with the completion candidates listed under it. */
export function PathField(props: PathFieldProps) {
	const {candidates} = props;
	return (
		<Box flexDirection="column">
			<TextField
				key={props.version}
				label={props.label}
				defaultValue={props.value}
				isFocused={props.isFocused}
				error={props.error}
				note={props.isFocused && candidates.length === 0 ? props.note : undefined}
				onChange={(value) => props.onChange(value, props.version)}
				onSubmit={props.onSubmit}
			/>
			{props.isFocused && candidates.length > 0 ? (
				<Box paddingLeft={16}>
					<Text dimColor wrap="wrap">
						{candidates.slice(0, maxShown).map(terminalSafeLine).join('  ')}
						{candidates.length > maxShown ? `  … ${candidates.length - maxShown} more` : ''}
					</Text>
				</Box>
			) : null}
		</Box>
	);
}
