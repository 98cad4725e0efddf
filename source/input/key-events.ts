/**
 * Terminal input → key events. A chunk read from a terminal holds any number of keys: a burst of
 * typing, three Backspaces, `↓↓↓`, a paste. This parser splits it into one event per key, in
 * order, so that each key can be handled on its own (Ink hands a run of plain bytes over as one
 * string, and `kkk` or three 0x7f bytes then match no binding at all).
 *
 * An escape sequence cut between two chunks is kept until the rest arrives; `hasPending()` says
 * so, and whoever reads the terminal calls `flush()` when nothing more came within the escape
 * timeout: the bytes were then a lone Esc (or an Alt chord), not the start of a sequence.
 */
import type {KeyPress} from '../key-press.js';

export type KeyEvent = {
	/** The text the key types: a character, the letter of a ctrl/meta chord, a paste; '' for named keys. */
	readonly input: string;
	readonly key: KeyPress;
	/** The bytes it came from (for debugging and tests). */
	readonly sequence: string;
};

const ESC = '\u001B';
const pasteStart = `${ESC}[200~`;
const pasteEnd = `${ESC}[201~`;

/** A key with no flag set: the base of every event (and of tests). */
export const noKey: KeyPress = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageUp: false,
	pageDown: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	paste: false,
};

type Named =
	| 'upArrow'
	| 'downArrow'
	| 'leftArrow'
	| 'rightArrow'
	| 'pageUp'
	| 'pageDown'
	| 'home'
	| 'end'
	| 'return'
	| 'escape'
	| 'tab'
	| 'backspace'
	| 'delete';

type Modifiers = {readonly shift?: boolean; readonly meta?: boolean; readonly ctrl?: boolean};

function named(name: Named | undefined, sequence: string, modifiers: Modifiers = {}): KeyEvent {
	const key: KeyPress = {...noKey, ...modifiers};
	return {input: '', key: name ? {...key, [name]: true} : key, sequence};
}

/** xterm's modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4 | meta 8). */
function modifiersOf(parameter: string | undefined): Modifiers {
	const bits = Number(parameter ?? '1') - 1;
	if (!Number.isInteger(bits) || bits <= 0) return {};
	return {shift: (bits & 1) !== 0, meta: (bits & 10) !== 0, ctrl: (bits & 4) !== 0};
}

const byFinal: Record<string, Named> = {
	A: 'upArrow',
	B: 'downArrow',
	C: 'rightArrow',
	D: 'leftArrow',
	H: 'home',
	F: 'end',
};

const byNumber: Record<string, Named> = {
	'1': 'home',
	'7': 'home',
	'3': 'delete',
	'4': 'end',
	'8': 'end',
	'5': 'pageUp',
	'6': 'pageDown',
};

/** rxvt's shifted arrows (`ESC [ a`) and its `$` (shift) / `^` (ctrl) function-key finals. */
const rxvtShifted: Record<string, Named> = {
	a: 'upArrow',
	b: 'downArrow',
	c: 'rightArrow',
	d: 'leftArrow',
};

/** A complete CSI sequence (`ESC [` params final) as a key; unknown ones become a key nobody binds. */
function csiKey(sequence: string, outerMeta: boolean): KeyEvent {
	const body = sequence.slice(2, -1);
	const final = sequence.at(-1) ?? '';
	const [first, second] = body.split(';');
	const meta = outerMeta ? {meta: true} : {};
	if (final === 'Z' && body === '') return named('tab', sequence, {shift: true, ...meta});
	if (byFinal[final] && /^(1?(;\d+)?)?$/.test(body)) {
		return named(byFinal[final], sequence, {...modifiersOf(second), ...meta});
	}
	if (rxvtShifted[final] && body === '') {
		return named(rxvtShifted[final], sequence, {shift: true, ...meta});
	}
	if ((final === '~' || final === '$' || final === '^') && first && byNumber[first]) {
		const rxvt = final === '$' ? {shift: true} : final === '^' ? {ctrl: true} : {};
		return named(byNumber[first], sequence, {...modifiersOf(second), ...rxvt, ...meta});
	}
	if (final === 'u' && first) return kittyKey(sequence, Number(first), modifiersOf(second));
	return named(undefined, sequence);
}

/** The kitty keyboard protocol's `CSI codepoint ; modifiers u`, for the keys this app binds. */
function kittyKey(sequence: string, codePoint: number, modifiers: Modifiers): KeyEvent {
	const special: Record<number, Named> = {
		27: 'escape',
		13: 'return',
		9: 'tab',
		127: 'backspace',
	};
	const name = special[codePoint];
	if (name) return named(name, sequence, modifiers);
	if (codePoint < 32 || !Number.isInteger(codePoint) || codePoint > 0x10_ff_ff) {
		return named(undefined, sequence);
	}
	const input = String.fromCodePoint(codePoint);
	return {input, key: {...noKey, ...modifiers}, sequence};
}

function ss3Key(sequence: string, outerMeta: boolean): KeyEvent {
	const name = byFinal[sequence.at(-1) ?? ''];
	return named(name, sequence, outerMeta ? {meta: true} : {});
}

/** One byte below 0x20 (or DEL) outside a sequence. */
function controlKey(character: string): KeyEvent {
	const code = character.charCodeAt(0);
	if (code === 0x0d || code === 0x0a) return named('return', character);
	if (code === 0x09) return named('tab', character);
	if (code === 0x7f || code === 0x08) return named('backspace', character);
	if (code === 0x00) return {input: ' ', key: {...noKey, ctrl: true}, sequence: character};
	// 0x01–0x1a are ctrl+a … ctrl+z; 0x1c–0x1f are ctrl+\ ] ^ _.
	const input = String.fromCharCode(code <= 0x1a ? code + 0x60 : code + 0x40);
	return {input, key: {...noKey, ctrl: true}, sequence: character};
}

function textKey(character: string, meta = false): KeyEvent {
	return {
		input: character,
		// Ink's convention, which the keymap's `R` relies on: an upper-case letter is shift+letter.
		key: {...noKey, meta, shift: /^[A-Z]$/.test(character)},
		sequence: meta ? `${ESC}${character}` : character,
	};
}

type Parsed = {readonly event?: KeyEvent; readonly length: number} | 'pending';

const isParameterOrIntermediate = (code: number) => code >= 0x20 && code <= 0x3f;
const isFinal = (code: number) => code >= 0x40 && code <= 0x7e;

/** The escape sequence at `start` (which holds ESC), or 'pending' when the text ends inside it. */
function parseEscape(text: string, start: number, isFinalChunk: boolean): Parsed {
	let index = start + 1;
	let meta = false;
	// ESC ESC [ A is Alt+↑ in several terminals; ESC ESC alone is Alt+Esc, taken as Esc.
	if (text[index] === ESC) {
		meta = true;
		index += 1;
	}
	const introducer = text[index];
	if (introducer === undefined) {
		if (!isFinalChunk) return 'pending';
		return {
			event: named('escape', text.slice(start, index), meta ? {meta: true} : {}),
			length: index - start,
		};
	}
	if (introducer === '[') {
		let end = index + 1;
		// Legacy function keys (ESC [ [ A) carry a second bracket.
		if (text[end] === '[') end += 1;
		while (end < text.length && isParameterOrIntermediate(text.charCodeAt(end))) end += 1;
		if (end >= text.length) {
			if (!isFinalChunk) return 'pending';
			// Never completed: drop the fragment rather than type it.
			return {event: named(undefined, text.slice(start)), length: text.length - start};
		}
		const code = text.charCodeAt(end);
		const sequence = text.slice(start, end + 1);
		if (!isFinal(code))
			return {event: named(undefined, text.slice(start, end)), length: end - start};
		return {event: csiKey(meta ? sequence.slice(1) : sequence, meta), length: end + 1 - start};
	}
	if (introducer === 'O' && !meta) {
		const final = text[index + 1];
		if (final === undefined) {
			if (!isFinalChunk) return 'pending';
			return {event: textKey('O', true), length: index + 1 - start};
		}
		return {event: ss3Key(text.slice(start, index + 2), false), length: index + 2 - start};
	}
	if (meta) return {event: named('escape', `${ESC}${ESC}`, {meta: true}), length: 2};
	// Alt+key: ESC followed by the key's own byte(s).
	const codePoint = text.codePointAt(index) ?? 0;
	const character = String.fromCodePoint(codePoint);
	const length = index - start + character.length;
	if (codePoint < 0x20 || codePoint === 0x7f) {
		const control = controlKey(character);
		return {
			event: {...control, key: {...control.key, meta: true}, sequence: `${ESC}${character}`},
			length,
		};
	}
	return {event: textKey(character, true), length};
}

export type KeyParser = {
	/** The keys in `chunk`, after what an earlier chunk left pending. */
	push(chunk: string): KeyEvent[];
	/** True when the input ends inside an escape sequence (a lone ESC, a cut CSI). */
	hasPending(): boolean;
	/** Gives up waiting: the pending bytes as keys (a lone ESC is the Esc key). */
	flush(): KeyEvent[];
};

export function createKeyParser(): KeyParser {
	let pending = '';
	/** Inside a bracketed paste: the text so far (a paste may span many chunks). */
	let paste: string | undefined;

	const parse = (isFinalChunk: boolean): KeyEvent[] => {
		const text = pending;
		pending = '';
		const events: KeyEvent[] = [];
		let index = 0;
		while (index < text.length) {
			if (paste !== undefined) {
				const end = text.indexOf(pasteEnd, index);
				if (end === -1) {
					// Keep a possible start of the end marker for the next chunk.
					const keep = partialSuffix(text, pasteEnd);
					paste += text.slice(index, text.length - keep);
					pending = text.slice(text.length - keep);
					return events;
				}
				paste += text.slice(index, end);
				events.push({input: paste, key: {...noKey, paste: true}, sequence: paste});
				paste = undefined;
				index = end + pasteEnd.length;
				continue;
			}
			const character = text[index] ?? '';
			if (character === ESC) {
				if (text.startsWith(pasteStart, index)) {
					paste = '';
					index += pasteStart.length;
					continue;
				}
				const parsed = parseEscape(text, index, isFinalChunk);
				if (parsed === 'pending') {
					pending = text.slice(index);
					return events;
				}
				if (parsed.event) events.push(parsed.event);
				index += parsed.length;
				continue;
			}
			const code = character.charCodeAt(0);
			if (code < 0x20 || code === 0x7f) {
				// CR LF (text piped or pasted without bracketing) is one Enter, not two.
				const length = character === '\r' && text[index + 1] === '\n' ? 2 : 1;
				events.push(controlKey(character));
				index += length;
				continue;
			}
			const codePoint = text.codePointAt(index) ?? code;
			const whole = String.fromCodePoint(codePoint);
			events.push(textKey(whole));
			index += whole.length;
		}
		return events;
	};

	return {
		push(chunk) {
			// A lone ESC left by the previous chunk is the Esc key unless this chunk continues a
			// sequence (`[` or `O`): Esc then j typed quickly is two keys, not Alt+j.
			const early =
				paste === undefined && (pending === ESC || pending === ESC + ESC) && !/^[[O]/.test(chunk)
					? parse(true)
					: [];
			pending += chunk;
			return [...early, ...parse(false)];
		},
		hasPending: () => paste === undefined && pending.startsWith(ESC),
		flush() {
			if (paste !== undefined) return [];
			return parse(true);
		},
	};
}

/** How many characters at the end of `text` could begin `marker`. */
function partialSuffix(text: string, marker: string): number {
	for (let length = Math.min(marker.length - 1, text.length); length > 0; length--) {
		if (marker.startsWith(text.slice(text.length - length))) return length;
	}
	return 0;
}
