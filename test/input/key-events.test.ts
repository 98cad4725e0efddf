/** The terminal-input parser: one event per key, whatever the chunks a read happens to return. */
import {describe, expect, it} from 'vitest';
import {createKeyParser, type KeyEvent, noKey} from '../../source/input/key-events.js';
import type {KeyPress} from '../../source/key-press.js';

/** A compact name for an event: `down`, `shift+tab`, `ctrl+c`, `meta+x`, `text:a`, `paste:…`. */
function name({input, key}: KeyEvent): string {
	const flags = (Object.keys(noKey) as (keyof KeyPress)[]).filter(
		(flag) => key[flag] && !['ctrl', 'shift', 'meta', 'paste'].includes(flag),
	);
	const modifiers = [key.ctrl && 'ctrl', key.meta && 'meta', key.shift && 'shift']
		.filter(Boolean)
		.join('+');
	const base = key.paste
		? `paste:${input}`
		: flags.length > 0
			? flags.join('+')
			: input === ''
				? 'unknown'
				: `text:${input}`;
	if (key.paste || !modifiers) return base;
	return `${modifiers}+${base.replace(/^text:/, '')}`;
}

function parse(...chunks: string[]): string[] {
	const parser = createKeyParser();
	const events = chunks.flatMap((chunk) => parser.push(chunk));
	return [...events, ...parser.flush()].map(name);
}

describe('createKeyParser', () => {
	it('splits a burst into one event per key', () => {
		expect(parse('kkk')).toEqual(['text:k', 'text:k', 'text:k']);
		expect(parse('\u007f\u007f\u0008')).toEqual(['backspace', 'backspace', 'backspace']);
		expect(parse('\u001B[A\u001B[A\u001B[B')).toEqual(['upArrow', 'upArrow', 'downArrow']);
		expect(parse('ab\rc\n\t')).toEqual(['text:a', 'text:b', 'return', 'text:c', 'return', 'tab']);
	});

	it('names arrows, Home/End, Delete, PageUp/Down and their modifiers (xterm, SS3, rxvt)', () => {
		expect(parse('\u001BOA\u001BOB\u001BOC\u001BOD')).toEqual([
			'upArrow',
			'downArrow',
			'rightArrow',
			'leftArrow',
		]);
		expect(parse('\u001B[H\u001B[F\u001B[1~\u001B[4~\u001B[7~\u001B[8~\u001BOH\u001BOF')).toEqual([
			'home',
			'end',
			'home',
			'end',
			'home',
			'end',
			'home',
			'end',
		]);
		expect(parse('\u001B[3~\u001B[5~\u001B[6~')).toEqual(['delete', 'pageUp', 'pageDown']);
		expect(parse('\u001B[1;2A\u001B[1;5C\u001B[1;3D\u001B[3;5~\u001B[Z')).toEqual([
			'shift+upArrow',
			'ctrl+rightArrow',
			'meta+leftArrow',
			'ctrl+delete',
			'shift+tab',
		]);
		expect(parse('\u001B[a\u001B[5^\u001B\u001B[A')).toEqual([
			'shift+upArrow',
			'ctrl+pageUp',
			'meta+upArrow',
		]);
	});

	it('reads ctrl+letter, Alt+key and upper case as the keymap writes them', () => {
		expect(parse('\u0003\u0004\u0018\u001C')).toEqual(['ctrl+c', 'ctrl+d', 'ctrl+x', 'ctrl+\\']);
		expect(parse('\u001Bx\u001B\u007f')).toEqual(['meta+x', 'meta+backspace']);
		const [upper] = createKeyParser().push('R');
		expect(upper).toMatchObject({input: 'R', key: {shift: true, ctrl: false, meta: false}});
	});

	it('keeps UTF-8 text whole: one event per code point, surrogate pairs included', () => {
		expect(parse('ü😀é')).toEqual(['text:ü', 'text:😀', 'text:é']);
	});

	it('waits for an escape sequence cut between chunks, and takes a lone ESC as Esc', () => {
		const parser = createKeyParser();
		expect(parser.push('j\u001B')).toHaveLength(1);
		expect(parser.hasPending()).toBe(true);
		expect(parser.push('[').map(name)).toEqual([]);
		expect(parser.push('1;5').map(name)).toEqual([]);
		expect(parser.push('B').map(name)).toEqual(['ctrl+downArrow']);
		expect(parser.hasPending()).toBe(false);

		expect(parser.push('\u001B')).toEqual([]);
		expect(parser.flush().map(name)).toEqual(['escape']);
		// ESC then a whole sequence in the next chunk: Esc, then that key.
		expect(parse('\u001B', '\u001B', '[A')).toEqual(['escape', 'upArrow']);
	});

	it('takes ESC then another key in a later chunk as Esc and that key, not an Alt chord', () => {
		expect(parse('\u001B', 'j')).toEqual(['escape', 'text:j']);
		expect(parse('\u001B', '\u001B[B')).toEqual(['escape', 'downArrow']);
		expect(parse('\u001B', '\r')).toEqual(['escape', 'return']);
	});

	it('gives a bracketed paste as one event, across chunks, with its bytes untouched', () => {
		expect(parse('a\u001B[200~x\r\u001B[Aq\u001B[201~b')).toEqual([
			'text:a',
			'paste:x\r\u001B[Aq',
			'text:b',
		]);
		expect(parse('\u001B[200~one ', 'two\u001B[2', '01~')).toEqual(['paste:one two']);
	});

	it('never types an unknown or broken sequence into a field', () => {
		expect(parse('\u001B[99z\u001B[[A\u001B[?1;2c')).toEqual(['unknown', 'unknown', 'unknown']);
		expect(parse('\u001B[1;')).toEqual(['unknown']);
		expect(parse('\u001BOP')).toEqual(['unknown']);
	});

	it('reads CR LF as one Enter', () => {
		expect(parse('a\r\nb')).toEqual(['text:a', 'return', 'text:b']);
	});
});
