/**
 * A one-line text input that leaves key chords to the keymap.
 *
 * Why not @inkjs/ui's TextInput: it types the letter of every ctrl/meta chord but ctrl+c into the
 * field (ctrl+d types "d"), and nothing can stop it, since every Ink useInput handler sees every
 * key. The keymap's actions that work while a field has focus are such chords (ctrl+d deploy,
 * ctrl+e encrypt, ctrl+x remove pair), so each of them also changed the text. Otherwise this
 * behaves like TextInput: uncontrolled (defaultValue, onChange), ←/→/home/end move the cursor,
 * backspace and delete remove the character before it, enter submits, and up/down/tab/esc are
 * left to the form. A paste arrives as one string and is inserted whole, minus control bytes.
 */
import {type Key, Text, useInput} from 'ink';
import {useRef, useState} from 'react';

export type LineState = {readonly value: string; readonly cursor: number};

/** The line after one key: a new state, 'submit', or undefined when the key is not for the line. */
export function editLine(
	state: LineState,
	input: string,
	key: Key,
): LineState | 'submit' | undefined {
	const {value, cursor} = state;
	if (key.ctrl || key.meta || key.super || key.hyper) return undefined;
	if (key.upArrow || key.downArrow || key.tab || key.escape || key.pageUp || key.pageDown) {
		return undefined;
	}
	if (key.return) return 'submit';
	if (key.leftArrow) return {value, cursor: Math.max(0, cursor - 1)};
	if (key.rightArrow) return {value, cursor: Math.min(value.length, cursor + 1)};
	if (key.home) return {value, cursor: 0};
	if (key.end) return {value, cursor: value.length};
	if (key.backspace || key.delete) {
		if (cursor === 0) return state;
		return {value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1};
	}
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is removed.
	const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
	if (text === '') return undefined;
	return {value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length};
}

export type LineInputProps = {
	readonly defaultValue?: string;
	readonly placeholder?: string;
	/** A disabled input shows its value and takes no keys. */
	readonly isDisabled?: boolean;
	readonly onChange?: (value: string) => void;
	readonly onSubmit?: (value: string) => void;
};

export function LineInput({
	defaultValue = '',
	placeholder = '',
	isDisabled = false,
	onChange,
	onSubmit,
}: LineInputProps) {
	const [state, setState] = useState<LineState>({value: defaultValue, cursor: defaultValue.length});
	// Keys can arrive faster than React renders (a paste, a fast typist): edit the latest line.
	const latest = useRef(state);
	useInput(
		(input, key) => {
			const before = latest.current;
			const next = editLine(before, input, key);
			if (next === 'submit') {
				onSubmit?.(before.value);
				return;
			}
			if (!next || next === before) return;
			latest.current = next;
			setState(next);
			if (next.value !== before.value) onChange?.(next.value);
		},
		{isActive: !isDisabled},
	);
	const {value, cursor} = state;
	if (isDisabled) return <Text>{value === '' ? <Text dimColor>{placeholder}</Text> : value}</Text>;
	if (value === '') {
		return (
			<Text>
				<Text inverse>{placeholder[0] ?? ' '}</Text>
				<Text dimColor>{placeholder.slice(1)}</Text>
			</Text>
		);
	}
	return (
		<Text>
			{value.slice(0, cursor)}
			<Text inverse>{value[cursor] ?? ' '}</Text>
			{value.slice(cursor + 1)}
		</Text>
	);
}
