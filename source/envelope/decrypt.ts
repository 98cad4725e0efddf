import path from 'node:path';
import {
	decryptEsdkInput,
	type EsdkDecryptOptions,
	type EsdkDecryptResult,
	startsWithEsdkMessage,
} from '../esdk/decrypt.js';
import type {DataKeyProvider} from './data-key-provider.js';
import {commitmentMatches, deriveMessageKeys, type MessageKeys} from './derive.js';
import {type EnvelopeStart, readEnvelopeStart} from './detect.js';
import type {EnvelopeResult} from './encrypt.js';
import {EnvelopeError, throwIfAborted, toEnvelopeError} from './errors.js';
import {checkExpectedContext} from './expected-context.js';
import {binaryBodyLayout, headerDigest, MAX_FRAMES, TAG_BYTES} from './format.js';
import {frameCipher, frameFailed} from './frame-cipher.js';
import {type ByteSink, type ByteSource, openInput} from './io.js';
import {decryptJson} from './json-encoding.js';
import {decryptedName, finishOutput, openOutputAsking, outputLabel, planOutput} from './output.js';
import {type FileJob, frameThreads, runFileJob} from './parallel.js';
import {type ProgressCallback, progressReporter} from './progress.js';
import {pumpFrames} from './pump.js';
import {textOnlySink} from './terminal-output.js';
import {unwrapDataKey} from './wrapped-keys.js';

export type DecryptOptions = {
	/** An envelope file, or '-' for stdin. Binary or JSON encoding is detected. */
	readonly input: string;
	/**
	 * A file path, an existing directory, or '-' for stdout. Default: in `outputDir`, the input name
	 * without `.kms`/`.kms.json`, else the name stored in the envelope, else `NAME.decrypted`;
	 * ` (1)`, ` (2)` … are added while the name exists. Stdin with neither goes to stdout.
	 */
	readonly output?: string;
	readonly provider: DataKeyProvider;
	/** Pairs that must be in the envelope's encryption context (checked before KMS is called). */
	readonly expectedContext?: Readonly<Record<string, string>>;
	readonly force?: boolean;
	/** Directory for the default name. @default the input's directory */
	readonly outputDir?: string;
	/** Threads for a file-to-file binary job, as for encrypt. */
	readonly threads?: number;
	readonly signal?: AbortSignal;
	readonly onProgress?: ProgressCallback;
	readonly stdin?: NodeJS.ReadableStream;
	readonly stdout?: NodeJS.WritableStream;
	/** Hears what the engine did on the side (a stale temp file of a killed run removed). */
	readonly onNotice?: (message: string) => void;
	/** For AWS Encryption SDK messages (detected by their first bytes): source/esdk/decrypt.ts. */
	readonly esdk?: EsdkDecryptOptions;
};

/** A kms-tui envelope's result (with its `header`), or an AWS Encryption SDK message's (`esdkHeader`). */
export type DecryptResult = EnvelopeResult | EsdkDecryptResult;

export async function decryptFile(options: DecryptOptions): Promise<DecryptResult> {
	const {signal} = options;
	const label = options.input === '-' ? 'standard input' : options.input;
	throwIfAborted(label, signal);
	const input = await openInput(options.input, options.stdin, signal, label);
	try {
		// An AWS Encryption SDK message starts with its version byte (0x01/0x02), an envelope with `{`.
		if (await startsWithEsdkMessage(input.source)) {
			return await decryptEsdkInput({...options, ...options.esdk}, input, label);
		}
		const start = await readEnvelopeStart(input.source, input.size, label);
		const {header} = start;
		checkExpectedContext(
			header.encryptionContext,
			options.expectedContext ?? {},
			label,
			'envelope',
		);
		if (start.encoding === 'binary' && input.size !== undefined)
			checkBodySize(start, input.size, label);
		const plan = await planOutput({
			output: options.output,
			defaultDir:
				options.outputDir ?? (input.name === undefined ? undefined : path.dirname(options.input)),
			defaultName: decryptedName(input.name, header.fileName),
			input: input.identity,
			force: options.force ?? false,
		});
		const {output, key} = await openOutputAsking(plan, 0o600, {
			stdout: options.stdout,
			onNotice: options.onNotice,
			ask: () => messageKeys(options.provider, start, label, signal),
		});
		// To a terminal, only text (--force: anything).
		const sink =
			output.isTerminal && !options.force
				? textOnlySink(output.sink, outputLabel(plan))
				: output.sink;
		// An envelope file into a temp file runs as a frame job; its workers boot while KMS answers.
		const outFd = output.temp?.fd;
		const fileJob =
			start.encoding === 'binary' &&
			input.fd !== undefined &&
			input.size !== undefined &&
			outFd !== undefined
				? {
						start,
						inFd: input.fd,
						outFd,
						size: input.size,
						threads: frameThreads(input.size - start.headerBytes, options.threads),
					}
				: undefined;
		try {
			const {keys, keyArn} = await key();
			const digest = headerDigest(header);
			const progress = progressReporter(options.onProgress, header.plaintextSize);
			const body = {sink, keys, digest, signal, label, onBytes: progress.add};
			// Where verified batches are released before the end (nothing is, into a temp file).
			const streamedTo =
				plan.kind === 'stdout' ? 'standard output' : plan.kind === 'device' ? plan.path : undefined;
			const bytes =
				start.encoding === 'json'
					? await decryptJson({...body, envelope: start, isStaged: plan.kind === 'file'})
					: fileJob
						? await openFile(
								{...body, ...fileJob, outLabel: outputLabel(plan)},
								start,
								fileJob.size,
							)
						: await decryptFrames({
								...body,
								source: input.source,
								frameSize: header.frameSize,
								streamedTo,
							});
			if (header.plaintextSize !== undefined && bytes !== header.plaintextSize) {
				throw new EnvelopeError(
					'tampered',
					`${label}: decrypted ${bytes} bytes but the header records ${header.plaintextSize}; nothing was written.`,
				);
			}
			throwIfAborted(label, signal);
			const outputPath = await finishOutput(output, plan, {...options, input: input.identity});
			progress.finish();
			return {outputPath, header, bytes, keyArn};
		} catch (error) {
			await output.discard();
			throw error;
		} finally {
			fileJob?.threads.dispose();
		}
	} catch (error) {
		throw toEnvelopeError(error, label);
	} finally {
		await input.close();
	}
}

/** For a file, the header's frame size (and size, if recorded) predict the length exactly. */
function checkBodySize(
	start: Extract<EnvelopeStart, {encoding: 'binary'}>,
	fileSize: number,
	label: string,
): void {
	const body = fileSize - start.headerBytes;
	const layout = binaryBodyLayout(body, start.header.frameSize);
	const expected = start.header.plaintextSize;
	if (layout !== undefined && (expected === undefined || layout.plaintextSize === expected)) return;
	if (layout !== undefined && expected !== undefined && layout.plaintextSize > expected) {
		throw new EnvelopeError(
			'tampered',
			`${label}: the file is longer than its header says — bytes were added or the file was modified; nothing was written.`,
		);
	}
	throw new EnvelopeError(
		'truncated',
		`${label}: the file is shorter than its header says — it was cut off (an incomplete copy or download?); nothing was written.`,
	);
}

async function messageKeys(
	provider: DataKeyProvider,
	start: EnvelopeStart,
	label: string,
	signal: AbortSignal | undefined,
): Promise<{keys: MessageKeys; keyArn: string}> {
	const {header} = start;
	// One Decrypt per wrapped key, in order, until one opens; every failure named if none does.
	const dataKey = await unwrapDataKey(
		provider,
		header.wrappedKeys.map((key) => ({
			keyArn: key.keyArn,
			encryptedDataKey: Buffer.from(key.encryptedDataKey, 'base64'),
		})),
		header.encryptionContext,
		label,
		signal,
	);
	let keys: MessageKeys;
	try {
		throwIfAborted(label, signal);
		keys = deriveMessageKeys(
			dataKey.plaintext,
			Buffer.from(header.messageId, 'hex'),
			header.version,
		);
	} finally {
		dataKey.plaintext.fill(0);
	}
	if (!commitmentMatches(keys.commitment, Buffer.from(header.commitment, 'base64'))) {
		throw new EnvelopeError(
			'wrong-key',
			`${label}: the data key KMS returned under ${dataKey.keyArn} does not match the envelope's key commitment — the header was modified or names another key; nothing was decrypted.`,
		);
	}
	return {keys, keyArn: dataKey.keyArn};
}

/**
 * An envelope file into the temp file: the frame job of frame-job.ts (several threads when
 * large). checkBodySize already proved that the length fits the layout.
 */
async function openFile(
	file: FileJob,
	start: Extract<EnvelopeStart, {encoding: 'binary'}>,
	size: number,
): Promise<number> {
	const {frameSize} = start.header;
	const layout = binaryBodyLayout(size - start.headerBytes, frameSize);
	if (layout === undefined) throw new Error('openFile: body length was not checked');
	if (layout.frames > MAX_FRAMES) throw tooManyFrames(file.label);
	const {plaintextSize} = layout;
	await runFileJob(file, {
		mode: 'open',
		inStart: start.headerBytes,
		outStart: 0,
		frameSize,
		plaintextSize,
	});
	return plaintextSize;
}

function tooManyFrames(label: string, released = ' Nothing was written.'): EnvelopeError {
	return new EnvelopeError(
		'tampered',
		`${label}: more than ${MAX_FRAMES} frames — the file is corrupt.${released}`,
	);
}

/** Reads frames of frameSize+16 bytes in ≥1 MiB batches, with read-ahead and write-behind. */
export async function decryptFrames(options: {
	source: ByteSource;
	sink: ByteSink;
	keys: MessageKeys;
	digest: Buffer;
	frameSize: number;
	signal: AbortSignal | undefined;
	label: string;
	/** Set when the output is a stream (stdout, a FIFO, a device): named in failure messages. */
	streamedTo: string | undefined;
	onBytes: (bytes: number) => void;
}): Promise<number> {
	const {source, sink, keys, digest, frameSize, signal, label} = options;
	const sealed = frameSize + TAG_BYTES;
	const cipher = frameCipher(keys, digest);
	let total = 0;
	const released = () =>
		options.streamedTo !== undefined && total > 0
			? ` ${total} bytes of earlier, verified frames were already written to ${options.streamedTo}.`
			: ' Nothing was written.';
	try {
		await pumpFrames({
			source,
			sink,
			frameBytes: sealed,
			signal,
			label,
			onFrame: (frameBytes, frame, final, out) => {
				if (final && frameBytes.length < TAG_BYTES) {
					throw new EnvelopeError(
						'truncated',
						`${label}: the envelope ends without its final frame — it was cut off.${released()}`,
					);
				}
				if (frame >= MAX_FRAMES) throw tooManyFrames(label, released());
				if (cipher.open(frameBytes, frame, final, out) === undefined) {
					throw frameFailed(label, frame, final, released().trimStart());
				}
			},
			// Counted per batch, as it goes to the sink: `released()` reports what already left.
			onBatch: (out) => {
				let bytes = 0;
				for (const chunk of out) bytes += chunk.length;
				total += bytes;
				options.onBytes(bytes);
			},
		});
	} catch (error) {
		// A cancel after verified batches went to a stream: say how much, not "nothing".
		if (
			error instanceof EnvelopeError &&
			error.code === 'aborted' &&
			options.streamedTo &&
			total > 0
		) {
			throw new EnvelopeError('aborted', `${label}: cancelled.${released()}`, {cause: error.cause});
		}
		throw error;
	}
	return total;
}
