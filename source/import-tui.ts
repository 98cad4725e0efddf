/**
 * Imports the TUI module, and with it Ink, after two adjustments to the process that only
 * matter while Ink loads.
 *
 * 1. `fetch` is hidden for the duration. Ink lays out with yoga-layout's WebAssembly build,
 *    whose Emscripten loader is a web build: when `fetch` exists it "downloads" its embedded
 *    base64 wasm with fetch() of a data: URL. That first touch of `fetch` loads Node's bundled
 *    undici, and the data: URL goes through its whole Request/Response path: about 40 ms of a
 *    ~290 ms first frame (node --cpu-prof on this machine). Without `fetch` the loader decodes
 *    the same bytes with atob() in about a millisecond. Nothing else runs during the import (the
 *    AWS SDK does not use fetch), and `fetch` is put back exactly as it was.
 * 2. On a terminal, CI markers are dropped. Ink reads is-in-ci once, at load: CI or
 *    CONTINUOUS_INTEGRATION set to anything but "0"/"false" (an empty CI= included) makes it draw
 *    only the last frame, at exit: a blank screen that looks like a hang. The TUI only starts
 *    with no command given, for a person at a terminal, so there it is never "in CI".
 */
import type * as Tui from './tui.js';

export async function importTui(
	env: NodeJS.ProcessEnv = process.env,
	isTerminal: boolean = process.stdout.isTTY === true,
): Promise<typeof Tui> {
	if (isTerminal) {
		delete env.CI;
		delete env.CONTINUOUS_INTEGRATION;
	}
	const fetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
	if (!fetch?.configurable) return import('./tui.js');
	Object.defineProperty(globalThis, 'fetch', {
		value: undefined,
		configurable: true,
		writable: true,
	});
	try {
		return await import('./tui.js');
	} finally {
		Object.defineProperty(globalThis, 'fetch', fetch);
	}
}
