/**
 * Output that is a terminal. Binary bytes sent to a terminal garble it and can drive it (ESC
 * sequences, C1 controls), so, as age does, kms-tui refuses to write a binary envelope there and
 * lets decrypt show only text, unless `--force` says the user means it (docs/FORMAT.md §8).
 */
import {EnvelopeError} from './errors.js';
import type {ByteSink} from './io.js';

const refusal = 'refusing to write binary to a terminal';
const remedy = 'redirect it to a file or a pipe, use -o FILE, or pass --force';

/** Encrypt to a terminal: the binary encoding is never text. */
export function binaryToTerminal(outputLabel: string): EnvelopeError {
	return new EnvelopeError(
		'invalid-argument',
		`${outputLabel} is a terminal: ${refusal}; nothing was written — ${remedy} (--format json is text).`,
	);
}

/**
 * C0 controls other than tab, newline, form feed and carriage return (ESC included), DEL, and
 * the C1 controls U+0080–U+009F. Bidi marks and other format characters are text.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
const notText = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f]/u;

/**
 * A sink for a terminal that passes text through and fails, before writing it, on the first
 * batch that is not UTF-8 text. What went before was text and has been shown.
 */
export function textOnlySink(sink: ByteSink, outputLabel: string): ByteSink {
	const decoder = new TextDecoder('utf-8', {fatal: true});
	let shown = 0;
	const refuse = () =>
		new EnvelopeError(
			'invalid-argument',
			`${outputLabel} is a terminal and the plaintext is not text: ${refusal}; ${shown > 0 ? `the first ${shown} bytes (text) were shown` : 'nothing was written'} — ${remedy}.`,
		);
	return {
		async write(chunks) {
			for (const chunk of chunks) {
				let text: string;
				try {
					text = decoder.decode(chunk, {stream: true});
				} catch {
					throw refuse();
				}
				if (notText.test(text)) throw refuse();
			}
			await sink.write(chunks);
			for (const chunk of chunks) shown += chunk.length;
		},
		...(sink.flush ? {flush: () => (sink.flush as () => Promise<void>).call(sink)} : {}),
	};
}
