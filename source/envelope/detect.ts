/**
 * Reads the start of an envelope and decides which encoding it is. A binary envelope's first line
 * is the header object; a JSON envelope is one object that also carries `ciphertext`. Both start
 * with `{"format":"kms-tui-envelope"`, so the first line (or, for a large JSON envelope, the
 * absence of a newline in the first 64 KiB) tells them apart without reading the whole file.
 */
import type {EnvelopeError} from './errors.js';
import {type EnvelopeHeader, JSON_MAX_DOCUMENT_BYTES, MAX_HEADER_BYTES} from './format.js';
import {notAnEnvelope, parseHeaderLine} from './header-parse.js';
import type {ByteSource} from './io.js';
import {type JsonEnvelope, parseJsonDocument} from './json-encoding.js';

export type EnvelopeStart =
	| {
			readonly encoding: 'binary';
			readonly header: EnvelopeHeader;
			readonly headerText: string;
			/** Header line length including its newline: where the frames start. */
			readonly headerBytes: number;
	  }
	| ({readonly encoding: 'json'} & JsonEnvelope);

const newline = 0x0a;

function looksLikeJsonEnvelopeLine(line: Buffer): boolean | undefined {
	try {
		const value: unknown = JSON.parse(line.toString('utf8'));
		return typeof value === 'object' && value !== null && 'ciphertext' in value;
	} catch {
		return undefined;
	}
}

/**
 * Reads the header (binary: leaves the source at the first frame) or the whole document (JSON,
 * bounded by JSON_MAX_DOCUMENT_BYTES). Throws EnvelopeError for anything that is not an envelope.
 */
export async function readEnvelopeStart(
	source: ByteSource,
	size: number | undefined,
	label: string,
): Promise<EnvelopeStart> {
	const window = Buffer.alloc(MAX_HEADER_BYTES + 1);
	const n = await source.read(window, 0, window.length);
	const start = window.subarray(0, n);
	if (n === 0) throw notAnEnvelope(label, 'the input is empty');
	if (start[0] !== 0x7b) throw notAnEnvelope(label, 'it does not start with a JSON header');
	const end = start.indexOf(newline);
	if (end >= 0) {
		const line = start.subarray(0, end);
		if (looksLikeJsonEnvelopeLine(line) !== true) {
			const {header, text} = parseHeaderLine(line, label);
			source.unread(start.subarray(end + 1));
			return {encoding: 'binary', header, headerText: text, headerBytes: end + 1};
		}
	} else if (!start.includes('"ciphertext":"')) {
		throw notAnEnvelope(label, `no header line within the first ${MAX_HEADER_BYTES} bytes`);
	}
	const document = await readRest(source, start, size, label);
	return {encoding: 'json', ...parseJsonDocument(document, label)};
}

function tooLarge(label: string): EnvelopeError {
	return notAnEnvelope(label, `larger than any JSON envelope (${JSON_MAX_DOCUMENT_BYTES} bytes)`);
}

async function readRest(
	source: ByteSource,
	start: Buffer,
	size: number | undefined,
	label: string,
): Promise<Buffer> {
	if (size !== undefined) {
		if (size > JSON_MAX_DOCUMENT_BYTES) throw tooLarge(label);
		// One exact allocation (plus a byte to notice growth) instead of chunks and a concat.
		const document = Buffer.allocUnsafe(size + 1);
		start.copy(document);
		const n = start.length + (await source.read(document, start.length, size + 1 - start.length));
		if (n > size) throw tooLarge(label);
		return document.subarray(0, n);
	}
	const chunks = [start];
	let total = start.length;
	for (;;) {
		const chunk = Buffer.allocUnsafe(1024 * 1024);
		const n = await source.read(chunk, 0, chunk.length);
		chunks.push(chunk.subarray(0, n));
		total += n;
		if (total > JSON_MAX_DOCUMENT_BYTES) throw tooLarge(label);
		if (n < chunk.length) return Buffer.concat(chunks, total);
	}
}
