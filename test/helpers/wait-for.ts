/**
 * Polling instead of sleeping: yield to the event loop (setImmediate, then setTimeout 0) and
 * look at the last frame again, until it matches or the time is up. Frames are compared with
 * ANSI codes stripped, so assertions never depend on colour.
 */
import {stripVTControlCharacters} from 'node:util';

export type LastFrame = () => string | undefined;
type Predicate = (frame: string) => boolean;

export function plain(frame: string | undefined): string {
	return stripVTControlCharacters(frame ?? '');
}

/** The frame with every run of whitespace (line breaks from wrapping included) made one space. */
export function flat(frame: string): string {
	return frame.replace(/\s+/g, ' ');
}

async function tick(): Promise<void> {
	await new Promise<void>((resolve) => setImmediate(resolve));
	await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

export async function waitForFrame(
	lastFrame: LastFrame,
	expected: string | RegExp | Predicate,
	timeoutMs = 10_000,
): Promise<string> {
	const matches: Predicate =
		typeof expected === 'string'
			? (frame) => frame.includes(expected)
			: expected instanceof RegExp
				? (frame) => expected.test(frame)
				: expected;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const frame = plain(lastFrame());
		if (matches(frame)) return frame;
		if (Date.now() > deadline) {
			throw new Error(`Timed out waiting for ${String(expected)}; last frame:\n${frame}`);
		}
		await tick();
	}
}

/**
 * Writes a key (or a burst of keys, in one write) and waits until the frame changes (or
 * `expected` shows). The app reads keys from the commit that draws its first frame, and hands
 * each key to the handlers of that moment (source/input/keypress.ts): no pause before writing.
 */
export async function press(
	stdin: {write(data: string): void},
	lastFrame: LastFrame,
	key: string,
	expected?: string | RegExp | Predicate,
): Promise<string> {
	const before = plain(lastFrame());
	stdin.write(key);
	return waitForFrame(lastFrame, expected ?? ((frame) => frame !== before));
}

/** Types text one character at a time, as a user would, and waits until the text shows. */
export async function type(
	stdin: {write(data: string): void},
	lastFrame: LastFrame,
	text: string,
): Promise<string> {
	for (const character of text) await press(stdin, lastFrame, character);
	// The field echoes first; what reacts to its value (hints, validation) renders a frame later.
	return waitForFrame(lastFrame, text);
}
