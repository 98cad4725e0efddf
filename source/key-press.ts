/**
 * Key specs as the keymap writes them (`q`, `escape`, `shift+tab`, `ctrl+d`): matching a key press
 * against one, telling typing keys apart, and writing one for the help bar.
 */
import type {KeySpec} from './keymap.js';

/** One key as source/input/key-events.ts parses it (the names follow ink's Key). */
export type KeyPress = {
	readonly upArrow: boolean;
	readonly downArrow: boolean;
	readonly leftArrow: boolean;
	readonly rightArrow: boolean;
	readonly pageUp: boolean;
	readonly pageDown: boolean;
	readonly home: boolean;
	readonly end: boolean;
	readonly return: boolean;
	readonly escape: boolean;
	readonly ctrl: boolean;
	readonly shift: boolean;
	readonly tab: boolean;
	readonly backspace: boolean;
	/** Forward delete (the Delete key, `ESC [ 3 ~`); Backspace is `backspace`. */
	readonly delete: boolean;
	/** Alt/Option (or Meta) held. */
	readonly meta: boolean;
	/** Text that arrived as one bracketed paste: never a shortcut. */
	readonly paste: boolean;
};

export function matchesKey(spec: KeySpec, input: string, key: KeyPress): boolean {
	switch (spec) {
		case 'escape':
			return key.escape;
		case 'return':
			return key.return;
		case 'up':
			return key.upArrow;
		case 'down':
			return key.downArrow;
		case 'tab':
			return key.tab && !key.shift;
		case 'shift+tab':
			return key.tab && key.shift;
		case 'pageup':
			return key.pageUp;
		case 'pagedown':
			return key.pageDown;
		default:
			break;
	}
	if (spec.startsWith('ctrl+')) return key.ctrl && input === spec.slice('ctrl+'.length);
	return !key.ctrl && !key.meta && !key.paste && input === spec;
}

/**
 * Keys a focused text field owns: printable characters, enter, editing and cursor keys. While a
 * field has focus the shell ignores them, so typing `q` in a path types q instead of quitting.
 */
export function isTypingKey(input: string, key: KeyPress): boolean {
	if (key.escape || key.ctrl || key.upArrow || key.downArrow || key.tab) return false;
	return (
		key.return ||
		key.backspace ||
		key.delete ||
		key.leftArrow ||
		key.rightArrow ||
		key.home ||
		key.end ||
		key.paste ||
		(input.length > 0 && !key.meta)
	);
}

/** How a key is written in the help bar and overlay. */
export function displayKey(spec: KeySpec): string {
	const names: Record<string, string> = {
		escape: 'esc',
		return: 'enter',
		up: '↑',
		down: '↓',
		tab: 'tab',
		'shift+tab': 'shift+tab',
		pageup: 'PgUp',
		pagedown: 'PgDn',
	};
	return names[spec] ?? spec;
}
