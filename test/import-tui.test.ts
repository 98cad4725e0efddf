/** importTui hides fetch only while Ink's layout engine loads, and puts it back as it was. */
import {describe, expect, it} from 'vitest';
import {importTui} from '../source/import-tui.js';

describe('importTui', () => {
	it('loads the TUI and leaves globalThis.fetch exactly as it found it', async () => {
		const before = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
		const tui = await importTui();
		expect(typeof tui.runTui).toBe('function');
		expect(Object.getOwnPropertyDescriptor(globalThis, 'fetch')).toEqual(before);
		expect(typeof fetch).toBe('function');
	});
});
