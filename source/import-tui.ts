/**
 * Imports the TUI module, and with it Ink, with `globalThis.fetch` hidden for the duration.
 *
 * Ink lays out with yoga-layout's WebAssembly build, whose Emscripten loader is a web build: when
 * `fetch` exists it "downloads" its embedded base64 wasm with fetch() of a data: URL. That first
 * touch of `fetch` loads Node's bundled undici, and the data: URL goes through its whole
 * Request/Response path: about 40 ms of a ~290 ms first frame (node --cpu-prof on this machine).
 * Without `fetch` the loader decodes the same bytes with atob() in about a millisecond. Nothing
 * else runs during the import (the AWS SDK does not use fetch), and `fetch` is put back exactly
 * as it was before the import resolves.
 */
import type * as Tui from './tui.js';

export async function importTui(): Promise<typeof Tui> {
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
