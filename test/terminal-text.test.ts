import {describe, expect, it} from 'vitest';
import {hasUnsafeCharacters, terminalSafe, terminalSafeLine} from '../source/terminal-text.js';

describe('terminal-safe text', () => {
	it('escapes ESC sequences, C1 controls, bidi overrides, separators and the BOM', () => {
		const hostile = '\u001b]0;owned\u0007\u001b[2Jx\u009b31m\u202etxt.exe\u2028\ufeffend';
		const shown = terminalSafeLine(hostile);
		expect(shown).toBe(
			'\\e]0;owned\\u{0007}\\e[2Jx\\u{009b}31m\\u{202e}txt.exe\\u{2028}\\u{feff}end',
		);
		expect(hasUnsafeCharacters(shown)).toBe(false);
		expect(hasUnsafeCharacters(hostile)).toBe(true);
	});

	it('keeps ordinary text, accents and emoji; multi-line text keeps newlines and tabs', () => {
		expect(terminalSafeLine('café 日本 🔑 a=b')).toBe('café 日本 🔑 a=b');
		expect(terminalSafe('line one\n\tline two\r')).toBe('line one\n\tline two\\r');
		expect(terminalSafeLine('a\nb')).toBe('a\\nb');
		expect(hasUnsafeCharacters('plain name.txt')).toBe(false);
	});
});
