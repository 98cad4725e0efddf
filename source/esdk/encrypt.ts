/**
 * encryptEsdk: a file or stream → an AWS Encryption SDK message (message format v2, framed) that
 * the SDK in any language, and the AWS Encryption CLI, decrypts with a KMS keyring.
 *
 * The SDK's steps, in its order: a fresh ECDSA key pair for the signed suite, its public key put
 * in the encryption context, then GenerateDataKey (and KMS Encrypt for each further key) with
 * that full context, so KMS binds the data key to exactly what the header stores. The data key
 * is zeroed as soon as the message keys are derived. Output follows docs/FORMAT.md §8: a temp
 * file moved into place after the footer is written and synced, never clobbering.
 *
 * A regular file into a temp file runs a synchronous read → seal → write loop over one reused
 * input buffer (no thread-pool round trips); everything else runs through the async ByteSource /
 * ByteSink pair with read-ahead and write-behind.
 */
import {createSecretKey, type KeyObject, randomBytes} from 'node:crypto';
import {fstatSync, readSync} from 'node:fs';
import path from 'node:path';
import {setImmediate as nextTurn} from 'node:timers/promises';
import type {DataKeyProvider} from '../envelope/data-key-provider.js';
import {changedSize, EnvelopeError, throwIfAborted, toEnvelopeError} from '../envelope/errors.js';
import {collectShortLivedBuffers} from '../envelope/gc.js';
import {type ByteSink, type ByteSource, openInput, writeAllAtSync} from '../envelope/io.js';
import {finishOutput, openOutput, outputLabel, planOutput} from '../envelope/output.js';
import {type ProgressCallback, progressReporter} from '../envelope/progress.js';
import {IO_BATCH_BYTES} from '../envelope/pump.js';
import {wrapNewDataKey} from '../envelope/wrapped-keys.js';
import {
	ESDK_MAX_FRAMES,
	esdkBodyLength,
	esdkFrameCount,
	type FrameSealer,
	frameSealer,
	knownSizeBody,
	tooManyFrames,
} from './body-write.js';
import {deriveEsdkKeys} from './derive.js';
import {
	AWS_KMS_PROVIDER_ID,
	cipherName,
	ESDK_MAX_FRAME_LENGTH,
	ESDK_MIN_FRAME_LENGTH,
	serializeHeader,
	serializeHeaderBody,
} from './header-write.js';
import {esdkThreadsFor, sealFileParallel} from './parallel-seal.js';
import {createEsdkSigner, type EsdkSigner} from './sign.js';
import {
	describeSuite,
	ESDK_DEFAULT_SUITE,
	ESDK_MESSAGE_ID_BYTES,
	ESDK_PUBLIC_KEY_CONTEXT_KEY,
	ESDK_SUITES,
	ESDK_UNSIGNED_SUITE,
	type EsdkSuite,
} from './suites.js';

/**
 * kms-tui's default frame length: 1 MiB, not the SDK's 4096 bytes. Any length is valid for every
 * SDK; large frames make both kms-tui and the SDK several times faster (the SDK decrypts 256 MiB
 * in 1.2 s with 1 MiB frames and 6.2 s with 4 KiB ones) and cost 32 bytes per MiB instead of per
 * 4 KiB. The price: a streaming SDK decrypt holds one frame (1 MiB) before releasing it.
 */
export const ESDK_DEFAULT_FRAME_LENGTH = 1024 * 1024;

/**
 * Longest frame a stream (stdin, a pipe, or any output that is not a temp file) may use: a stream
 * must hold a whole frame to know whether it is the final one. A regular file in and out takes
 * any length the format allows, in constant memory.
 */
export const ESDK_STREAM_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

/** Reserved by the SDK for its own context entries (the public key). */
const RESERVED_CONTEXT_PREFIX = 'aws-crypto-';

/** How long the synchronous file loop works before it lets the event loop run (signals, progress). */
const TURN_MS = 8;

export type EsdkSuiteChoice = 'signed' | 'unsigned';

export type EsdkEncryptOptions = {
	/** A file path, or '-' for stdin. */
	readonly input: string;
	/** A file path, an existing directory, or '-' for stdout. Default: INPUT.encrypted next to the input (stdout for stdin). */
	readonly output?: string;
	readonly provider: DataKeyProvider;
	/** GenerateDataKey under the first, KMS Encrypt of the same data key under each other one. */
	readonly keyIds: readonly string[];
	readonly encryptionContext?: Readonly<Record<string, string>>;
	/** signed = 0x0578 (the SDK's default), unsigned = 0x0478. @default 'signed' */
	readonly suite?: EsdkSuiteChoice;
	/** Plaintext bytes per frame, 1 … 2^32 − 1. @default 1 MiB */
	readonly frameLength?: number;
	readonly force?: boolean;
	readonly signal?: AbortSignal;
	readonly onProgress?: ProgressCallback;
	readonly stdin?: NodeJS.ReadableStream;
	readonly stdout?: NodeJS.WritableStream;
	readonly onNotice?: (message: string) => void;
	/**
	 * Threads for a regular file into a temp file, the main one included (parallel-seal.ts).
	 * @default one per core (at most 4) from 16 MiB, else 1
	 */
	readonly threads?: number;
	/** Tests only: a fixed 32-byte message id instead of a random one. */
	readonly messageId?: Buffer;
};

export type EsdkEncryptResult = {
	/** The file written, or '-' for stdout. */
	readonly outputPath: string;
	/** Plaintext bytes encrypted. */
	readonly bytes: number;
	readonly suite: EsdkSuite;
	readonly frameLength: number;
	readonly messageId: string;
	/** One per encrypted data key, in the header's order. */
	readonly keyArns: readonly string[];
	/** As stored in the header (with `aws-crypto-public-key` for the signed suite). */
	readonly encryptionContext: Readonly<Record<string, string>>;
};

/** `data.txt` → `data.txt.encrypted`, the AWS Encryption CLI's default suffix. */
export function esdkEncryptedName(inputName: string): string {
	return `${inputName}.encrypted`;
}

function bad(why: string): EnvelopeError {
	return new EnvelopeError('invalid-argument', `encrypt: ${why}.`);
}

export function esdkSuiteFor(choice: EsdkSuiteChoice | undefined): EsdkSuite {
	if (choice !== undefined && choice !== 'signed' && choice !== 'unsigned') {
		throw bad(`unknown --esdk-suite "${String(choice)}" (signed or unsigned)`);
	}
	const id = choice === 'unsigned' ? ESDK_UNSIGNED_SUITE : ESDK_DEFAULT_SUITE;
	return ESDK_SUITES.get(id) as EsdkSuite;
}

function checkOptions(options: EsdkEncryptOptions, frameLength: number): void {
	if (
		!Number.isSafeInteger(frameLength) ||
		frameLength < ESDK_MIN_FRAME_LENGTH ||
		frameLength > ESDK_MAX_FRAME_LENGTH
	) {
		throw bad(
			`the frame size must be an integer from ${ESDK_MIN_FRAME_LENGTH} to ${ESDK_MAX_FRAME_LENGTH} bytes for --format esdk`,
		);
	}
	if (options.messageId && options.messageId.length !== ESDK_MESSAGE_ID_BYTES[2]) {
		throw bad('message id must be 32 bytes');
	}
	for (const name of Object.keys(options.encryptionContext ?? {})) {
		if (name.startsWith(RESERVED_CONTEXT_PREFIX)) {
			throw bad(
				`the context name "${name}" is reserved: names starting with ${RESERVED_CONTEXT_PREFIX} belong to the AWS Encryption SDK — choose another name`,
			);
		}
	}
}

export async function encryptEsdk(options: EsdkEncryptOptions): Promise<EsdkEncryptResult> {
	const suite = esdkSuiteFor(options.suite);
	const frameLength = options.frameLength ?? ESDK_DEFAULT_FRAME_LENGTH;
	checkOptions(options, frameLength);
	const {signal} = options;
	const label = options.input === '-' ? 'standard input' : options.input;
	throwIfAborted(label, signal);
	const input = await openInput(options.input, options.stdin, signal, label);
	try {
		const size = input.size;
		if (size !== undefined && esdkFrameCount(size, frameLength) > ESDK_MAX_FRAMES) {
			throw tooManyFrames(label);
		}
		const plan = await planOutput({
			output: options.output,
			defaultDir: input.name === undefined ? undefined : path.dirname(options.input),
			defaultName: esdkEncryptedName(input.name ?? 'stdin'),
			input: input.identity,
			force: options.force ?? false,
		});
		const output = await openOutput(plan, 0o666, options.stdout, options.onNotice);
		try {
			if (output.isTerminal && !options.force) throw toTerminal(outputLabel(plan));
			const outFd = output.temp?.fd;
			const fileJob =
				input.fd !== undefined && outFd !== undefined && size !== undefined
					? {inFd: input.fd, outFd, size}
					: undefined;
			if (!fileJob && frameLength > ESDK_STREAM_MAX_FRAME_LENGTH) {
				throw bad(
					`frames over ${ESDK_STREAM_MAX_FRAME_LENGTH} bytes need a regular file as input and output (a stream holds a whole frame in memory) — use a smaller --frame-size`,
				);
			}
			const signer = suite.signature ? createEsdkSigner(suite.signature) : undefined;
			const context: Record<string, string> = {...options.encryptionContext};
			if (signer) context[ESDK_PUBLIC_KEY_CONTEXT_KEY] = signer.publicKey;
			const messageId = options.messageId ?? randomBytes(ESDK_MESSAGE_ID_BYTES[2]);
			// The header's own checks (context encoding, sizes) run before KMS is asked.
			const {key, header, keyArns} = await newMessage(
				options,
				suite,
				context,
				messageId,
				frameLength,
				label,
			);
			signer?.update(header);
			const progress = progressReporter(options.onProgress, size);
			const sealer = frameSealer(suite, key, messageId);
			const body = {sealer, signer, frameLength, signal, label, onBytes: progress.add};
			let bytes: number;
			const threads = options.threads ?? esdkThreadsFor(size ?? 0);
			if (fileJob && threads > 1) {
				await sealOnThreads({
					...body,
					...fileJob,
					threads,
					suite,
					key,
					messageId,
					header,
					tempPath: (output.temp as {path: string}).path,
					outLabel: outputLabel(plan),
				});
				bytes = fileJob.size;
				if (fstatSync(fileJob.inFd).size !== fileJob.size) throw changedSize(label);
			} else if (fileJob) {
				bytes = await sealFile({
					...body,
					...fileJob,
					outLabel: outputLabel(plan),
					header,
				});
				if (fstatSync(fileJob.inFd).size !== fileJob.size) throw changedSize(label);
			} else {
				await output.sink.write([header]);
				bytes = await sealStream({...body, source: input.source, sink: output.sink});
				if (size !== undefined && bytes !== size) throw changedSize(label);
			}
			throwIfAborted(label, signal);
			const outputPath = await finishOutput(output, plan, {...options, input: input.identity});
			progress.finish();
			return {
				outputPath,
				bytes,
				suite,
				frameLength,
				messageId: messageId.toString('hex'),
				keyArns,
				encryptionContext: context,
			};
		} catch (error) {
			await output.discard();
			throw toEnvelopeError(error, label);
		}
	} catch (error) {
		throw toEnvelopeError(error, label);
	} finally {
		await input.close();
	}
}

function toTerminal(outputLabel: string): EnvelopeError {
	return new EnvelopeError(
		'invalid-argument',
		`${outputLabel} is a terminal: refusing to write binary to a terminal; nothing was written — redirect it to a file or a pipe, use -o FILE, or pass --force.`,
	);
}

/**
 * The data key and the header. The header is serialized once with a placeholder first, so a
 * context or key list the format cannot hold is refused before KMS is called.
 */
async function newMessage(
	options: EsdkEncryptOptions,
	suite: EsdkSuite,
	context: Readonly<Record<string, string>>,
	messageId: Buffer,
	frameLength: number,
	label: string,
): Promise<{key: KeyObject; header: Buffer; keyArns: string[]}> {
	// The header body alone: its checks need no key, and the real one comes from KMS next.
	serializeHeaderBody({
		suite,
		messageId,
		encryptionContext: context,
		encryptedDataKeys: [
			{
				providerId: AWS_KMS_PROVIDER_ID,
				providerInfo: Buffer.alloc(0),
				ciphertext: Buffer.alloc(0),
			},
		],
		frameLength,
		commitKey: Buffer.alloc(32),
	});
	const {plaintext, wrapped} = await wrapNewDataKey(
		options.provider,
		options.keyIds,
		context,
		options.signal,
		label,
	);
	let key: KeyObject;
	let commitKey: Buffer | undefined;
	try {
		throwIfAborted(label, options.signal);
		const derived = deriveEsdkKeys(suite, plaintext, messageId);
		commitKey = derived.commitKey;
		try {
			key = createSecretKey(derived.encryptionKey);
		} finally {
			derived.encryptionKey.fill(0);
		}
	} finally {
		plaintext.fill(0);
	}
	const header = serializeHeader(
		{
			suite,
			messageId,
			encryptionContext: context,
			encryptedDataKeys: wrapped.map((entry) => ({
				providerId: AWS_KMS_PROVIDER_ID,
				providerInfo: Buffer.from(entry.keyArn, 'utf8'),
				ciphertext: entry.encryptedDataKey,
			})),
			frameLength,
			commitKey: commitKey as Buffer,
		},
		key,
	);
	return {key, header, keyArns: wrapped.map((entry) => entry.keyArn)};
}

type BodyOptions = {
	readonly sealer: FrameSealer;
	readonly signer: EsdkSigner | undefined;
	readonly frameLength: number;
	readonly signal: AbortSignal | undefined;
	readonly label: string;
	readonly onBytes: (bytes: number) => void;
};

/** The body on several threads (parallel-seal.ts), then the footer after it. */
async function sealOnThreads(
	options: BodyOptions & {
		readonly inFd: number;
		readonly outFd: number;
		readonly size: number;
		readonly threads: number;
		readonly suite: EsdkSuite;
		readonly key: KeyObject;
		readonly messageId: Buffer;
		readonly header: Buffer;
		readonly tempPath: string;
		readonly outLabel: string;
	},
): Promise<void> {
	const {frameLength, size, header, signer, outLabel} = options;
	const frames = esdkFrameCount(size, frameLength);
	const framesPerBatch = Math.max(1, Math.floor(IO_BATCH_BYTES / frameLength));
	writeAll(options.outFd, [header], 0, outLabel);
	await sealFileParallel({
		job: {
			inFd: options.inFd,
			outFd: options.outFd,
			size,
			frameLength,
			headerLength: header.length,
			frames,
			framesPerBatch,
			batches: Math.ceil(frames / framesPerBatch),
			messageId: options.messageId,
			cipher: cipherName(options.suite),
			key: options.key,
		},
		threads: options.threads,
		signer,
		header,
		tempPath: options.tempPath,
		signal: options.signal,
		label: options.label,
		outLabel,
		onBytes: options.onBytes,
	});
	if (signer) {
		writeAll(
			options.outFd,
			[signer.footer()],
			header.length + esdkBodyLength(size, frameLength),
			outLabel,
		);
	}
}

/** Input bytes per read: whole frames up to 1 MiB, or 1 MiB pieces of a larger frame. */
function batchBytes(frameLength: number): number {
	return frameLength >= IO_BATCH_BYTES
		? IO_BATCH_BYTES
		: Math.floor(IO_BATCH_BYTES / frameLength) * frameLength;
}

/** Small frames make thousands of tiny buffers per batch: one copy lets them die young. */
function compact(out: Buffer[]): Buffer[] {
	return out.length > 256 ? [Buffer.concat(out)] : out;
}

/**
 * A regular file into the temp file: synchronous positional reads and writes over one reused
 * input buffer, header and footer included. Returns the plaintext bytes sealed.
 */
async function sealFile(
	options: BodyOptions & {
		readonly inFd: number;
		readonly outFd: number;
		readonly size: number;
		readonly outLabel: string;
		readonly header: Buffer;
	},
): Promise<number> {
	const {sealer, signer, frameLength, signal, label, inFd, outFd, size, outLabel} = options;
	const body = knownSizeBody(sealer, size, frameLength);
	const input = Buffer.allocUnsafe(Math.min(batchBytes(frameLength), Math.max(size, 1)));
	// The header is signed by the caller already: written here without the signer.
	let outAt = writeAll(outFd, [options.header], 0, outLabel);
	const write = (chunks: Buffer[]) => {
		for (const chunk of chunks) signer?.update(chunk);
		outAt = writeAll(outFd, chunks, outAt, outLabel);
	};
	let done = 0;
	let batches = 0;
	let turnStarted = performance.now();
	while (done < size) {
		const length = Math.min(input.length, size - done);
		readAll(inFd, input, length, done, label);
		const out: Buffer[] = [];
		body.push(input.subarray(0, length), out);
		write(compact(out));
		done += length;
		options.onBytes(length);
		if (++batches % 2 === 0) collectShortLivedBuffers();
		if (performance.now() - turnStarted >= TURN_MS) {
			await nextTurn();
			throwIfAborted(label, signal);
			turnStarted = performance.now();
		}
	}
	const out: Buffer[] = [];
	if (!body.finish(out)) throw changedSize(label);
	write(out);
	if (signer) writeAll(outFd, [signer.footer()], outAt, outLabel);
	return done;
}

function readAll(fd: number, buffer: Buffer, length: number, position: number, label: string) {
	let got = 0;
	while (got < length) {
		let n: number;
		try {
			n = readSync(fd, buffer, got, length - got, position + got);
		} catch (error) {
			throw toEnvelopeError(error, label);
		}
		if (n === 0) throw changedSize(label);
		got += n;
	}
}

/** Writes every chunk at `position` onwards; returns the position after them. */
function writeAll(fd: number, chunks: Buffer[], position: number, label: string): number {
	try {
		return writeAllAtSync(fd, chunks, position);
	} catch (error) {
		throw toEnvelopeError(error, label);
	}
}

/**
 * Any source into any sink, the size unknown: batches of whole frames, read ahead while the
 * current one is sealed, written behind. A full batch is followed by a one-byte peek, so the
 * last frame is known to be final before its header is written.
 */
async function sealStream(
	options: BodyOptions & {readonly source: ByteSource; readonly sink: ByteSink},
): Promise<number> {
	const {sealer, signer, frameLength, signal, label, source, sink} = options;
	const batch = Math.max(frameLength, batchBytes(frameLength));
	const buffers = [Buffer.allocUnsafe(batch), Buffer.allocUnsafe(batch)] as const;
	let which = 0;
	let sequence = 0;
	let total = 0;
	let writing: Promise<void> = Promise.resolve();
	const readBatch = async (buffer: Buffer) => {
		const n = await source.read(buffer, 0, batch);
		if (n < batch) return {n, last: true};
		const peek = Buffer.allocUnsafe(1);
		if ((await source.read(peek, 0, 1)) === 0) return {n, last: true};
		source.unread(peek);
		return {n, last: false};
	};
	let reading = settledLater(readBatch(buffers[0]));
	try {
		for (;;) {
			const {n, last} = await reading;
			const current = (buffers[which] as Buffer).subarray(0, n);
			which ^= 1;
			if (!last) reading = settledLater(readBatch(buffers[which] as Buffer));
			throwIfAborted(label, signal);
			const out: Buffer[] = [];
			for (let at = 0; ; ) {
				const length = Math.min(frameLength, n - at);
				const isFinal = last && at + length >= n;
				if (length < frameLength && !isFinal) break;
				if (length === 0 && !isFinal) break;
				if (++sequence > ESDK_MAX_FRAMES) throw tooManyFrames(label);
				sealer.begin(sequence, length, isFinal, out);
				sealer.update(current.subarray(at, at + length), out);
				sealer.end(out);
				at += length;
				if (isFinal || at >= n) break;
			}
			total += n;
			options.onBytes(n);
			const chunks = compact(out);
			for (const chunk of chunks) signer?.update(chunk);
			await writing;
			writing = settledLater(sink.write(chunks));
			if (last) break;
		}
		if (signer) {
			await writing;
			writing = settledLater(sink.write([signer.footer()]));
		}
		await writing;
	} catch (error) {
		await Promise.allSettled([reading, writing]);
		throw error;
	}
	return total;
}

/** Marks `promise` handled (see pump.ts): the loop awaits it later, and must not crash meanwhile. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
	promise.catch(() => {});
	return promise;
}

/**
 * The result in the shape the CLI's envelope commands print (`--json`: output, bytes, keyArn,
 * keyArns, header), with a header that says what an SDK message holds.
 */
export function esdkResultForCli(result: EsdkEncryptResult) {
	return {
		outputPath: result.outputPath,
		bytes: result.bytes,
		keyArn: result.keyArns[0] as string,
		keyArns: result.keyArns,
		header: {
			format: 'aws-encryption-sdk',
			messageFormatVersion: 2,
			suite: describeSuite(result.suite),
			messageId: result.messageId,
			frameLength: result.frameLength,
			encryptionContext: result.encryptionContext,
			wrappedKeys: result.keyArns.map((keyArn) => ({keyArn, providerId: AWS_KMS_PROVIDER_ID})),
		},
	};
}
