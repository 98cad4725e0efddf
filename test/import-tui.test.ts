/** importTui hides fetch only while Ink's layout engine loads, and keeps Ink out of CI mode on a terminal. */
import {describe, expect, it} from 'vitest';
import {importTui} from '../source/import-tui.js';

describe('importTui', () => {
	it('loads the TUI and leaves globalThis.fetch exactly as it found it', async () => {
		const before = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
		const tui = await importTui({}, false);
		expect(typeof tui.runTui).toBe('function');
		expect(Object.getOwnPropertyDescriptor(globalThis, 'fetch')).toEqual(before);
		expect(typeof fetch).toBe('function');
	});

	it('drops CI markers on a terminal only', async () => {
		const terminal: NodeJS.ProcessEnv = {CI: '', CONTINUOUS_INTEGRATION: 'true', HOME: '/h'};
		await importTui(terminal, true);
		expect(terminal).toEqual({HOME: '/h'});
		const pipe: NodeJS.ProcessEnv = {CI: 'true'};
		await importTui(pipe, false);
		expect(pipe).toEqual({CI: 'true'});
	});
});
