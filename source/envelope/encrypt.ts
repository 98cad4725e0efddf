/**
 * encryptFile: one GenerateDataKey (and one KMS Encrypt per extra key), HKDF per-message keys,
 * then a FileHandle loop that reads the next batch while it seals the current one and writes the
 * previous one (read-ahead and write-behind over two reused input buffers), into a temp file
 * renamed into place at the end. Writes format v2 (docs/FORMAT.md).
 */
import {randomBytes} from 'node:crypto';
import {fstatSync} from 'node:fs';
import path from 'node:path';
import type {DataKeyProvider} from './data-key-provider.js';
import {deriveMessageKeys, type MessageKeys} from './derive.js';
import {changedSize, EnvelopeError, throwIfAborted, toEnvelopeError} from './errors.js';
import {
	ALGORITHM,
	DEFAULT_FRAME_SIZE,
	type EnvelopeHeader,
	FORMAT_NAME,
	FORMAT_VERSION,
	type FormatVersion,
	type HeaderWrappedKey,
	headerDigest,
	isSafeFileName,
	isValidKeyMaterialId,
	JSON_FRAME_SIZE,
	JSON_MAX_PLAINTEXT,
	MAX_FRAME_SIZE,
	MAX_FRAMES,
	MAX_HEADER_BYTES,
	MESSAGE_ID_BYTES,
	MIN_FRAME_SIZE,
	serializeHeader,
} from './format.js';
import {frameCipher} from './frame-cipher.js';
import {frameCount} from './frame-job.js';
import {type ByteSink, type ByteSource, openInput} from './io.js';
import {encryptJson, tooLargeForJson} from './json-encoding.js';
import {encryptedName, finishOutput, openOutputAsking, outputLabel, planOutput} from './output.js';
import {frameThreads, runFileJob} from './parallel.js';
import {type ProgressCallback, progressReporter} from './progress.js';
import {IO_BATCH_BYTES, pumpFrames} from './pump.js';
import {binaryToTerminal} from './terminal-output.js';
import {wrapNewDataKey} from './wrapped-keys.js';

export type EncryptOptions = {
	/** A file path, or '-' for stdin. */
	readonly input: string;
	/** A file path, an existing directory, or '-' for stdout. Default: INPUT.kms next to the input (stdout for stdin). */
	readonly output?: string;
	readonly provider: DataKeyProvider;
	/**
	 * Key id, ARN, alias name or alias ARN; or several: GenerateDataKey under the first, KMS Encrypt
	 * of the same data key under each other one, so any of them can open the envelope (another
	 * region, a break-glass key). Decrypt tries them in this order.
	 */
	readonly keyId: string | readonly string[];
	readonly encryptionContext?: Readonly<Record<string, string>>;
	/** @default 'binary' */
	readonly format?: 'binary' | 'json';
	/** Replace an existing output file. */
	readonly force?: boolean;
	/** Plaintext bytes per frame, 64 B – 16 MiB (binary only). @default 1 MiB */
	readonly frameSize?: number;
	/**
	 * Threads for a file-to-file binary job, the main one included (parallel.ts).
	 * @default one per core (at most 4) from 16 MiB, else 1
	 */
	readonly threads?: number;
	readonly signal?: AbortSignal;
	readonly onProgress?: ProgressCallback;
	readonly stdin?: NodeJS.ReadableStream;
	readonly stdout?: NodeJS.WritableStream;
	/** Hears what the engine did on the side (a stale temp file of a killed run removed). */
	readonly onNotice?: (message: string) => void;
	/** Version 1 only for tests and readers of old envelopes; it holds one key. @default 2 */
	readonly formatVersion?: FormatVersion;
	/** Test vectors only: fixed message id (32 bytes) and creation time instead of random/now. */
	readonly messageId?: Buffer;
	readonly now?: () => Date;
};

export type EnvelopeResult = {
	/** The file written, or '-' for stdout. */
	readonly outputPath: string;
	readonly header: EnvelopeHeader;
	/** Plaintext bytes encrypted or decrypted. */
	readonly bytes: number;
	/**
	 * Encrypt: the key the data key was generated under (the first wrapped key). Decrypt: the
	 * wrapped key that opened it (the first in the header's order that KMS would decrypt).
	 */
	readonly keyArn: string;
};

function checkOptions(options: EncryptOptions, format: 'binary' | 'json', frameSize: number): void {
	const bad = (why: string) => new EnvelopeError('invalid-argument', `encrypt: ${why}.`);
	if (format !== 'binary' && format !== 'json')
		throw bad(`unknown format "${String(format)}" (binary or json)`);
	const outOfRange = frameSize < MIN_FRAME_SIZE || frameSize > MAX_FRAME_SIZE;
	if (!Number.isSafeInteger(frameSize) || (format === 'binary' && outOfRange)) {
		throw bad(`frame size must be an integer from ${MIN_FRAME_SIZE} to ${MAX_FRAME_SIZE} bytes`);
	}
	if (options.messageId && options.messageId.length !== MESSAGE_ID_BYTES)
		throw bad('message id must be 32 bytes');
	const version = options.formatVersion ?? FORMAT_VERSION;
	if (version !== 1 && version !== 2) throw bad(`unknown format version ${String(version)}`);
	if (version === 1 && keyIdsOf(options).length !== 1)
		throw bad('format version 1 holds exactly one key');
	for (const [key, value] of Object.entries(options.encryptionContext ?? {})) {
		if (key.length === 0 || typeof value !== 'string') {
			throw bad('encryption context names must be non-empty and values must be strings');
		}
	}
}

export async function encryptFile(options: EncryptOptions): Promise<EnvelopeResult> {
	const format = options.format ?? 'binary';
	const frameSize = format === 'json' ? JSON_FRAME_SIZE : (options.frameSize ?? DEFAULT_FRAME_SIZE);
	checkOptions(options, format, frameSize);
	const {signal} = options;
	const label = options.input === '-' ? 'standard input' : options.input;
	throwIfAborted(label, signal);
	const input = await openInput(options.input, options.stdin, signal, label);
	try {
		let source = input.source;
		let size = input.size;
		if (format === 'json') {
			// Refuse before KMS is asked: by size for a file, by reading it all for a stream.
			if (size === undefined) ({source, size} = await bufferForJson(source, label, signal));
			if (size > JSON_MAX_PLAINTEXT) throw tooLargeForJson(label);
		}
		const plan = await planOutput({
			output: options.output,
			// Stdin, pipes and FIFOs go to stdout unless told otherwise; a file goes next to itself.
			defaultDir: input.name === undefined ? undefined : path.dirname(options.input),
			defaultName: encryptedName(input.name ?? 'stdin', format),
			input: input.identity,
			force: options.force ?? false,
		});
		const messageId = options.messageId ?? randomBytes(MESSAGE_ID_BYTES);
		const context = {...options.encryptionContext};
		const version = options.formatVersion ?? FORMAT_VERSION;
		const {output, key} = await openOutputAsking(plan, 0o666, {
			stdout: options.stdout,
			onNotice: options.onNotice,
			ask: () => newDataKey(options, context, messageId, version, label),
		});
		if (output.isTerminal && format === 'binary' && !options.force) {
			await output.discard();
			throw binaryToTerminal(outputLabel(plan));
		}
		// A regular file into a temp file runs as a frame job; its workers boot while KMS answers.
		const outFd = output.temp?.fd;
		const fileJob =
			format === 'binary' && input.fd !== undefined && outFd !== undefined && size !== undefined
				? {inFd: input.fd, outFd, size, threads: frameThreads(size, options.threads)}
				: undefined;
		try {
			const {keys, wrappedKeys} = await key();
			const header: EnvelopeHeader = {
				format: FORMAT_NAME,
				version,
				algorithm: ALGORITHM,
				encryptionContext: context,
				messageId: messageId.toString('hex'),
				frameSize,
				commitment: keys.commitment.toString('base64'),
				...(input.name !== undefined && isSafeFileName(input.name) ? {fileName: input.name} : {}),
				...(size === undefined ? {} : {plaintextSize: size}),
				createdAt: (options.now?.() ?? new Date()).toISOString(),
				wrappedKeys,
			};
			const headerText = serializeHeader(header);
			if (Buffer.byteLength(headerText) > MAX_HEADER_BYTES) throw headerTooLarge(label);
			const digest = headerDigest(header);
			const progress = progressReporter(options.onProgress, size);
			const body = {source, sink: output.sink, keys, digest, signal, label, onBytes: progress.add};
			let bytes: number;
			if (format === 'json') {
				bytes = await encryptJson({...body, headerText});
			} else {
				const headerLine = Buffer.from(`${headerText}\n`);
				await output.sink.write([headerLine]);
				if (fileJob) {
					if (frameCount(fileJob.size, frameSize) > MAX_FRAMES) throw tooManyFrames(label);
					const outStart = headerLine.length;
					await runFileJob(
						{...body, ...fileJob, outLabel: outputLabel(plan)},
						{mode: 'seal', inStart: 0, outStart, frameSize, plaintextSize: fileJob.size},
					);
					// The job reads exactly `size` bytes (a shorter file fails it): check for growth.
					if (fstatSync(fileJob.inFd).size !== fileJob.size) throw changedSize(label);
					bytes = fileJob.size;
				} else bytes = await encryptFrames({...body, frameSize});
			}
			if (size !== undefined && bytes !== size) throw changedSize(label);
			throwIfAborted(label, signal);
			const outputPath = await finishOutput(output, plan, {...options, input: input.identity});
			progress.finish();
			return {outputPath, header, bytes, keyArn: wrappedKeys[0]?.keyArn ?? ''};
		} catch (error) {
			await output.discard();
			throw toEnvelopeError(error, label);
		} finally {
			fileJob?.threads.dispose();
		}
	} catch (error) {
		throw toEnvelopeError(error, label);
	} finally {
		await input.close();
	}
}

function keyIdsOf(options: EncryptOptions): readonly string[] {
	return typeof options.keyId === 'string' ? [options.keyId] : options.keyId;
}

async function newDataKey(
	options: EncryptOptions,
	context: Record<string, string>,
	messageId: Buffer,
	version: FormatVersion,
	label: string,
): Promise<{keys: MessageKeys; wrappedKeys: HeaderWrappedKey[]}> {
	const {plaintext, wrapped} = await wrapNewDataKey(
		options.provider,
		keyIdsOf(options),
		context,
		options.signal,
		label,
	);
	try {
		throwIfAborted(label, options.signal);
		return {
			keys: deriveMessageKeys(plaintext, messageId, version),
			wrappedKeys: wrapped.map((key) => ({
				keyArn: key.keyArn,
				encryptedDataKey: Buffer.from(key.encryptedDataKey).toString('base64'),
				// Version 2 only (version 1 has no place for it); an odd id is left out, not refused.
				...(version === 2 && isValidKeyMaterialId(key.keyMaterialId)
					? {keyMaterialId: key.keyMaterialId}
					: {}),
			})),
		};
	} finally {
		plaintext.fill(0);
	}
}

function headerTooLarge(label: string): EnvelopeError {
	return new EnvelopeError(
		'invalid-argument',
		`${label}: the header would be larger than ${MAX_HEADER_BYTES} bytes (a large encryption context or many keys); nothing was written — use a smaller --context or fewer --key options.`,
	);
}

/** Reads a whole stream (up to the JSON limit + 1 byte) so its size is known before KMS is called. */
async function bufferForJson(
	source: ByteSource,
	label: string,
	signal: AbortSignal | undefined,
): Promise<{source: ByteSource; size: number}> {
	const chunks: Buffer[] = [];
	let size = 0;
	for (;;) {
		throwIfAborted(label, signal);
		const chunk = Buffer.allocUnsafe(IO_BATCH_BYTES);
		const n = await source.read(chunk, 0, chunk.length);
		chunks.push(chunk.subarray(0, n));
		size += n;
		if (size > JSON_MAX_PLAINTEXT) throw tooLargeForJson(label);
		if (n < chunk.length) break;
	}
	// Give the chunks back in reverse: unread() is last-in, first-out.
	for (const chunk of chunks.reverse()) source.unread(chunk);
	return {source, size};
}

function tooManyFrames(label: string): EnvelopeError {
	return new EnvelopeError(
		'invalid-argument',
		`${label}: too large for ${MAX_FRAMES} frames — use a larger frame size.`,
	);
}

/**
 * The binary frame loop. Every frame but the last holds exactly `frameSize` bytes; the last
 * holds 0…frameSize−1 and carries the final flag, so an input of k·frameSize bytes ends in an
 * empty final frame.
 */
export async function encryptFrames(options: {
	source: ByteSource;
	sink: ByteSink;
	keys: MessageKeys;
	digest: Buffer;
	frameSize: number;
	signal: AbortSignal | undefined;
	label: string;
	onBytes: (bytes: number) => void;
}): Promise<number> {
	const {source, sink, keys, digest, frameSize, signal, label} = options;
	const cipher = frameCipher(keys, digest);
	let total = 0;
	await pumpFrames({
		source,
		sink,
		frameBytes: frameSize,
		signal,
		label,
		onFrame: (plain, frame, final, out) => {
			if (frame >= MAX_FRAMES) throw tooManyFrames(label);
			total += cipher.seal(plain, frame, final, out);
			options.onBytes(plain.length);
		},
	});
	return total;
}
