/**
 * A one-line text input that leaves key chords to the keymap.
 *
 * Why not @inkjs/ui's TextInput: it types the letter of every ctrl/meta chord but ctrl+c into the
 * field (ctrl+d types "d"), and nothing can stop it, since every Ink useInput handler sees every
 * key. The keymap's actions that work while a field has focus are such chords (ctrl+d deploy,
 * ctrl+e encrypt, ctrl+x remove pair), so each of them also changed the text. Otherwise this
 * behaves like TextInput: uncontrolled (defaultValue, onChange), ←/→/home/end move the cursor,
 * backspace removes the character before it and delete the one under it, enter submits, and
 * up/down/tab/esc are left to the form. Keys come one at a time from the keypress reader, so a
 * burst (typed text, three Backspaces, ←←) is applied key by key to the latest line; a bracketed
 * paste arrives as one string and is inserted whole, minus control bytes.
 */
import {Text} from 'ink';
import {useRef, useState} from 'react';
import {useKeypress} from '../input/keypress.js';
import type {KeyPress} from '../key-press.js';
import {terminalSafeLine} from '../terminal-text.js';

export type LineState = {readonly value: string; readonly cursor: number};

/** The line after one key: a new state, 'submit', or undefined when the key is not for the line. */
export function editLine(
	state: LineState,
	input: string,
	key: KeyPress,
): LineState | 'submit' | undefined {
	const {value, cursor} = state;
	if (key.ctrl || key.meta) return undefined;
	if (key.upArrow || key.downArrow || key.tab || key.escape || key.pageUp || key.pageDown) {
		return undefined;
	}
	if (key.return) return 'submit';
	const before = previousBoundary(value, cursor);
	const after = nextBoundary(value, cursor);
	if (key.leftArrow) return {value, cursor: before};
	if (key.rightArrow) return {value, cursor: after};
	if (key.home) return {value, cursor: 0};
	if (key.end) return {value, cursor: value.length};
	if (key.backspace) {
		if (cursor === 0) return state;
		return {value: value.slice(0, before) + value.slice(cursor), cursor: before};
	}
	if (key.delete) {
		if (cursor === value.length) return state;
		return {value: value.slice(0, cursor) + value.slice(after), cursor};
	}
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is removed.
	const text = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
	if (text === '') return undefined;
	return {value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length};
}

/** The cursor moves and deletes whole code points: an emoji is one step, not two halves. */
function isLowSurrogate(value: string, index: number): boolean {
	const code = value.charCodeAt(index);
	return code >= 0xdc00 && code <= 0xdfff;
}

function previousBoundary(value: string, cursor: number): number {
	if (cursor <= 0) return 0;
	return cursor >= 2 && isLowSurrogate(value, cursor - 1) ? cursor - 2 : cursor - 1;
}

function nextBoundary(value: string, cursor: number): number {
	if (cursor >= value.length) return value.length;
	return isLowSurrogate(value, cursor + 1) ? cursor + 2 : cursor + 1;
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
	// Each key edits the line the previous key left, whether or not React has drawn it yet.
	const latest = useRef(state);
	useKeypress(
		(input, key) => {
			const before = latest.current;
			const next = editLine(before, input, key);
			if (next === 'submit') {
				onSubmit?.(before.value);
				return true;
			}
			if (!next || next === before) return false;
			latest.current = next;
			setState(next);
			if (next.value !== before.value) onChange?.(next.value);
			// An edit changes only this line (held in `latest`): the next key may follow at once.
			// Enter may close the field, so it waits (above).
			return 'in-place';
		},
		{isActive: !isDisabled},
	);
	const {value, cursor} = state;
	// A default value may be a file name found on disk: escaped, as everything untrusted shown.
	if (isDisabled)
		return (
			<Text>{value === '' ? <Text dimColor>{placeholder}</Text> : terminalSafeLine(value)}</Text>
		);
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
			{terminalSafeLine(value.slice(0, cursor))}
			<Text inverse>
				{terminalSafeLine(value.slice(cursor, nextBoundary(value, cursor)) || ' ')}
			</Text>
			{terminalSafeLine(value.slice(nextBoundary(value, cursor)))}
		</Text>
	);
}
