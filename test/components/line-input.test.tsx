/** LineInput: the line editing, and chords left to the keymap (the reason it exists). */
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import {editLine, LineInput, type LineState} from '../../source/components/line-input.js';
import {noKey as none} from '../../source/input/key-events.js';
import {KeypressProvider} from '../../source/input/keypress.js';
import {bracketedPaste, keys} from '../helpers/keys.js';
import {type, waitForFrame} from '../helpers/wait-for.js';

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

	it('moves with ←/→/home/end; backspace deletes before the cursor, delete under it', () => {
		expect(editLine(at('abc', 0), '', {...none, leftArrow: true})).toEqual(at('abc', 0));
		expect(editLine(at('abc', 3), '', {...none, rightArrow: true})).toEqual(at('abc', 3));
		expect(editLine(at('abc', 2), '', {...none, home: true})).toEqual(at('abc', 0));
		expect(editLine(at('abc', 0), '', {...none, end: true})).toEqual(at('abc', 3));
		expect(editLine(at('abc', 2), '', {...none, backspace: true})).toEqual(at('ac', 1));
		expect(editLine(at('abc', 1), '', {...none, delete: true})).toEqual(at('ac', 1));
		expect(editLine(at('abc', 3), '', {...none, delete: true})).toEqual(at('abc', 3));
		expect(editLine(at('abc', 0), '', {...none, backspace: true})).toEqual(at('abc', 0));
	});

	it('steps and deletes over an emoji as one character', () => {
		expect(editLine(at('a😀b', 3), '', {...none, leftArrow: true})).toEqual(at('a😀b', 1));
		expect(editLine(at('a😀b', 1), '', {...none, rightArrow: true})).toEqual(at('a😀b', 3));
		expect(editLine(at('a😀b', 3), '', {...none, backspace: true})).toEqual(at('ab', 1));
		expect(editLine(at('a😀b', 1), '', {...none, delete: true})).toEqual(at('ab', 1));
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
			<KeypressProvider>
				<LineInput
					defaultValue="alias/"
					onChange={(value) => changes.push(value)}
					onSubmit={(value) => submitted.push(value)}
				/>
			</KeypressProvider>,
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

describe('LineInput under a burst (many keys in one read)', () => {
	const field = (defaultValue: string, submitted: string[]) =>
		render(
			<KeypressProvider>
				<LineInput defaultValue={defaultValue} onSubmit={(value) => submitted.push(value)} />
			</KeypressProvider>,
		);

	it('applies every Backspace of one write (0x7f and 0x08), then the Enter after them', async () => {
		const submitted: string[] = [];
		const {lastFrame, stdin} = field('alias/abcdef', submitted);
		await waitForFrame(lastFrame, 'alias/abcdef');
		stdin.write(`${keys.backspace.repeat(3)}\b${keys.enter}`);
		await waitForFrame(lastFrame, () => submitted.length > 0);
		expect(submitted).toEqual(['alias/ab']);
		expect(lastFrame()).toContain('alias/ab');
		expect(lastFrame()).not.toContain('alias/abc');
	});

	it('types text, moves with ←/→/home/end/delete and submits, all in one write', async () => {
		const submitted: string[] = [];
		const {lastFrame, stdin} = field('', submitted);
		// "helo" ← ← "l" → End "!" Home Delete "H" ⏎  →  "Hello!"
		stdin.write(
			`helo${keys.left}${keys.left}l${keys.right}\u001B[F!\u001B[H\u001B[3~H${keys.enter}`,
		);
		await waitForFrame(lastFrame, () => submitted.length > 0);
		expect(submitted).toEqual(['Hello!']);
	});

	it('inserts a bracketed paste whole: its newline and escape bytes do not submit or move', async () => {
		const submitted: string[] = [];
		const {lastFrame, stdin} = field('dir/', submitted);
		await waitForFrame(lastFrame, 'dir/');
		stdin.write('\u001B[200~file\r\nname\u001B[A.txt\u001B[201~');
		await waitForFrame(lastFrame, 'dir/filename[A.txt');
		stdin.write(keys.enter);
		await waitForFrame(lastFrame, () => submitted.length > 0);
		expect(submitted).toEqual(['dir/filename[A.txt']);
	});

	it('takes a paste of plain text (no bracketing) as the characters it types', async () => {
		const submitted: string[] = [];
		const {lastFrame, stdin} = field('', submitted);
		const text = 'alias/a-much-longer-name-pasted-at-once/ünï©ødé/😀';
		stdin.write(`${text}${keys.enter}`);
		await waitForFrame(lastFrame, () => submitted.length > 0);
		expect(submitted).toEqual([text]);
	});

	it('takes a long paste, bracketed or not, whole and in order', async () => {
		const submitted: string[] = [];
		const {lastFrame, stdin} = field('', submitted);
		const text = Array.from({length: 400}, (_, index) => `w${index}`).join('/');
		stdin.write(`${text}${keys.enter}`);
		await waitForFrame(lastFrame, () => submitted.length === 1);
		stdin.write(`${bracketedPaste(`-${text}`)}${keys.enter}`);
		await waitForFrame(lastFrame, () => submitted.length === 2);
		expect(submitted).toEqual([text, `${text}-${text}`]);
	});
});
