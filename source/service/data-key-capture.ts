/**
 * The plaintext data key of a GenerateDataKey or Decrypt response, taken straight from the HTTP
 * response bytes, so that no JavaScript string ever holds it.
 *
 * Left to itself the SDK decodes the body to a string, JSON.parse()s it (another string: the
 * key in base64) and base64-decodes that into a Uint8Array. Strings cannot be zeroed and live
 * until the garbage collector reuses their memory, so a core dump taken during a decrypt held
 * several base64 copies of the key. Here a middleware at the innermost end of the deserialize step
 * (it runs on the raw response, before the SDK's deserializer) reads the body into a Buffer of its
 * own, zeroes each socket chunk it copied, decodes the `Plaintext` member's base64 bytes into a
 * Buffer, and overwrites those bytes with `A` (base64 zeros) before the SDK parses the body. The
 * SDK's `Plaintext` is then all zeros; the key is what `take()` returns.
 *
 * When the body is not shaped as expected (an escape inside the value, a duplicated member, an
 * error response) nothing is touched and the SDK's own result is used, as before.
 */

import type {DecryptCommand, GenerateDataKeyCommand} from '@aws-sdk/client-kms';

type Body = Uint8Array | AsyncIterable<Uint8Array> | undefined;
type RawResponse = {statusCode?: number; body?: unknown};
type Handler = (args: unknown) => Promise<{response: unknown}>;

/** What the capture uses of a command's middleware stack (the SDK's type is a union of overloads). */
type Stack = {
	add(
		middleware: (next: Handler) => Handler,
		options: {step: 'deserialize'; priority: 'low'; name: string},
	): void;
};

export type DataKeyCapture = {
	/** The key, once; undefined when the response could not be read this way. */
	take(): Buffer | undefined;
	/** Zeroes a key that was captured but never taken (the call failed after the response). */
	dispose(): void;
};

export function captureDataKey(command: DecryptCommand | GenerateDataKeyCommand): DataKeyCapture {
	let captured: Buffer | undefined;
	(command.middlewareStack as unknown as Stack).add(
		(next) => async (args) => {
			const result = await next(args);
			const response = result.response as RawResponse;
			if (response.statusCode !== 200) return result;
			const body = await readBody(response.body as Body);
			if (body === undefined) return result;
			captured?.fill(0);
			captured = extractPlaintext(body);
			response.body = body;
			return result;
		},
		{step: 'deserialize', priority: 'low', name: 'kmsTuiDataKeyCapture'},
	);
	return {
		take() {
			const key = captured;
			captured = undefined;
			return key;
		},
		dispose() {
			captured?.fill(0);
			captured = undefined;
		},
	};
}

/** The whole body in one Buffer (never from the shared pool); every chunk copied is zeroed. */
async function readBody(body: Body): Promise<Buffer | undefined> {
	if (body === undefined) return undefined;
	const chunks: Uint8Array[] = [];
	if (body instanceof Uint8Array) chunks.push(body);
	else if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
		for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
	} else return undefined;
	const whole = Buffer.alloc(chunks.reduce((total, chunk) => total + chunk.length, 0));
	let offset = 0;
	for (const chunk of chunks) {
		whole.set(chunk, offset);
		offset += chunk.length;
		// The socket's read buffer: the body's bytes are ours alone once they are copied.
		chunk.fill(0);
	}
	return whole;
}

const member = Buffer.from('"Plaintext"');

/**
 * Decodes the top-level `"Plaintext": "<base64>"` member of a JSON object into a new Buffer and
 * overwrites the base64 in `body` with `A`s. Undefined (body untouched) unless there is exactly
 * one such member and its value is plain base64.
 */
export function extractPlaintext(body: Buffer): Buffer | undefined {
	const span = plaintextSpan(body);
	if (span === undefined) return undefined;
	const key = decodeBase64(body.subarray(span.start, span.end));
	if (key === undefined) return undefined;
	// The padding stays, so the SDK still decodes a key of the right length (of zeros).
	let end = span.end;
	while (end > span.start && body[end - 1] === 0x3d) end--;
	body.fill(0x41, span.start, end);
	return key;
}

const quote = 0x22;
const backslash = 0x5c;

/** Where the value of the one top-level "Plaintext" member lies, without its quotes. */
function plaintextSpan(body: Uint8Array): {start: number; end: number} | undefined {
	let depth = 0;
	let isKeyNext = false;
	let found: {start: number; end: number} | undefined;
	for (let index = 0; index < body.length; index++) {
		const byte = body[index];
		if (byte === quote) {
			const start = index;
			for (index++; index < body.length && body[index] !== quote; index++) {
				if (body[index] === backslash) index++;
			}
			if (index >= body.length) return undefined;
			if (depth !== 1 || !isKeyNext) continue;
			isKeyNext = false;
			if (!member.equals(body.subarray(start, index + 1))) continue;
			// A second "Plaintext": JSON.parse would keep the last; do not guess, let the SDK read it.
			if (found) return undefined;
			let value = skipBlanks(body, index + 1);
			if (body[value] !== 0x3a) return undefined;
			value = skipBlanks(body, value + 1);
			if (body[value] !== quote) return undefined;
			let end = value + 1;
			while (end < body.length && body[end] !== quote) {
				if (body[end] === backslash) return undefined;
				end++;
			}
			if (end >= body.length) return undefined;
			found = {start: value + 1, end};
			index = end;
		} else if (byte === 0x7b || byte === 0x5b) {
			depth++;
			isKeyNext = byte === 0x7b && depth === 1;
		} else if (byte === 0x7d || byte === 0x5d) {
			depth--;
		} else if (byte === 0x2c && depth === 1) {
			isKeyNext = true;
		}
	}
	return found;
}

function skipBlanks(body: Uint8Array, from: number): number {
	let index = from;
	while (index < body.length && [0x20, 0x09, 0x0a, 0x0d].includes(body[index] as number)) index++;
	return index;
}

const sextets = new Int8Array(256).fill(-1);
for (const [index, character] of [
	...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
].entries()) {
	sextets[character.charCodeAt(0)] = index;
}

/** Standard base64 bytes → a new Buffer, with no string in between; undefined if malformed. */
export function decodeBase64(text: Uint8Array): Buffer | undefined {
	if (text.length % 4 !== 0) return undefined;
	const padding = text.at(-1) === 0x3d ? (text.at(-2) === 0x3d ? 2 : 1) : 0;
	// Backed by its own ArrayBuffer: V8 keeps typed arrays of up to 64 bytes inside the JS heap,
	// where the garbage collector moves them and leaves the old copy behind, unzeroable.
	const out = Buffer.from(new ArrayBuffer((text.length / 4) * 3 - padding));
	let at = 0;
	for (let index = 0; index < text.length; index += 4) {
		const isLast = index + 4 === text.length;
		let bits = 0;
		for (let offset = 0; offset < 4; offset++) {
			const byte = text[index + offset] as number;
			const isPad = byte === 0x3d && isLast && offset >= 4 - padding;
			const value = isPad ? 0 : (sextets[byte] as number);
			if (value < 0) {
				out.fill(0);
				return undefined;
			}
			bits = (bits << 6) | value;
		}
		for (let shift = 16; shift >= 0 && at < out.length; shift -= 8)
			out[at++] = (bits >> shift) & 0xff;
	}
	return out;
}
