/** LineInput: the line editing, and chords left to the keymap (the reason it exists). */
import type {Key} from 'ink';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {editLine, LineInput, type LineState} from '../../source/components/line-input.js';
import {keys} from '../helpers/keys.js';
import {type, waitForFrame} from '../helpers/wait-for.js';

const none: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
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
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};
const at = (value: string, cursor = value.length): LineState => ({value, cursor});

describe('editLine', () => {
	it('inserts at the cursor and moves it past the text', () => {
		expect(editLine(at('ac', 1), 'b', none)).toEqual(at('abc', 2));
		expect(editLine(at(''), 'pasted text', none)).toEqual(at('pasted text'));
	});

	it('leaves every ctrl/meta chord, and the form’s keys, to someone else', () => {
		for (const chord of ['d', 'e', 'x', 'a']) {
			expect(editLine(at('v'), chord, {...none, ctrl: true})).toBeUndefined();
			expect(editLine(at('v'), chord, {...none, meta: true})).toBeUndefined();
		}
		for (const key of ['upArrow', 'downArrow', 'tab', 'escape', 'pageUp', 'pageDown'] as const) {
			expect(editLine(at('v'), '', {...none, [key]: true})).toBeUndefined();
		}
	});

	it('moves with ←/→/home/end and deletes the character before the cursor', () => {
		expect(editLine(at('abc', 0), '', {...none, leftArrow: true})).toEqual(at('abc', 0));
		expect(editLine(at('abc', 3), '', {...none, rightArrow: true})).toEqual(at('abc', 3));
		expect(editLine(at('abc', 2), '', {...none, home: true})).toEqual(at('abc', 0));
		expect(editLine(at('abc', 0), '', {...none, end: true})).toEqual(at('abc', 3));
		expect(editLine(at('abc', 2), '', {...none, backspace: true})).toEqual(at('ac', 1));
		expect(editLine(at('abc', 3), '', {...none, delete: true})).toEqual(at('ab', 2));
		expect(editLine(at('abc', 0), '', {...none, backspace: true})).toEqual(at('abc', 0));
	});

	it('submits on enter and drops control bytes from a paste', () => {
		expect(editLine(at('x'), '\r', {...none, return: true})).toBe('submit');
		expect(editLine(at(''), 'a\u0007b\u001bc', none)).toEqual(at('abc'));
		expect(editLine(at('x'), '\u0007', none)).toBeUndefined();
	});
});

describe('LineInput', () => {
	it('types, reports each change, ignores ctrl+d and submits the value', async () => {
		const changes: string[] = [];
		const submitted: string[] = [];
		const {lastFrame, stdin} = render(
			<LineInput
				defaultValue="alias/"
				onChange={(value) => changes.push(value)}
				onSubmit={(value) => submitted.push(value)}
			/>,
		);
		await waitForFrame(lastFrame, 'alias/');
		await type(stdin, lastFrame, 'x');
		stdin.write(keys.ctrlD);
		await type(stdin, lastFrame, 'y');
		expect(lastFrame()).toContain('alias/xy');
		stdin.write(keys.enter);
		await waitForFrame(lastFrame, () => submitted.length > 0);
		expect(changes).toEqual(['alias/x', 'alias/xy']);
		expect(submitted).toEqual(['alias/xy']);
	});
});
