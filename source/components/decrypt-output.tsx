import path from 'node:path';
import {TextField} from './text-field.js';
import {TypeToConfirm} from './type-to-confirm.js';

export type DecryptOutputProps = {
	/** The field's text, relative to cwd. */
	readonly value: string;
	/** Bumped to remount the field with `value`. */
	readonly version: number;
	/** The name decrypt chooses by itself. */
	readonly defaultValue: string;
	/** An existing file the field names (relative to cwd), waiting for the user to confirm replacing it. */
	readonly replace?: string;
	readonly onChange: (value: string, version: number) => void;
	readonly onSubmit: (value: string) => void;
	readonly onConfirmReplace: () => void;
};

/**
 * Where the decrypted file goes: an editable path that starts at the name decrypt would choose
 * (a free one: it never replaces a file). A typed name that exists is replaced only after its
 * name is typed to confirm.
 */
export function DecryptOutput(props: DecryptOutputProps) {
	if (props.replace)
		return (
			<TypeToConfirm
				warning={`${props.replace} exists. Replace it with the decrypted file?`}
				expected={path.basename(props.replace)}
				onConfirm={props.onConfirmReplace}
			/>
		);
	const isDefault = props.value.trim() === props.defaultValue;
	return (
		<TextField
			key={props.version}
			label="Output"
			isFocused
			defaultValue={props.value}
			note={
				isDefault
					? 'replaces nothing; edit to choose another'
					: 'replaces a file only once you confirm'
			}
			onChange={(value) => props.onChange(value, props.version)}
			onSubmit={props.onSubmit}
		/>
	);
}
