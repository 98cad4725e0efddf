/**
 * `kms-tui decrypt` of an AWS Encryption SDK message (client-apis/decrypt.md): parse the header,
 * refuse before KMS what cannot or must not be decrypted (a non-committing suite without
 * --allow-non-committing, a provider other than aws-kms, a missing or unexpected signing key,
 * --context pairs the message lacks, an output that cannot be written), then one KMS Decrypt per
 * aws-kms data key until one opens, the key commitment (constant time) and the header tag, then
 * the body through the shared output rules (docs/FORMAT.md §8): a temp file committed only after
 * the last frame and the footer signature verified.
 */
import type {KeyObject} from 'node:crypto';
import {read as fsRead} from 'node:fs';
import {availableParallelism} from 'node:os';
import path from 'node:path';
import type {DataKeyProvider} from '../envelope/data-key-provider.js';
import {EnvelopeError, throwIfAborted} from '../envelope/errors.js';
import {checkExpectedContext} from '../envelope/expected-context.js';
import {type Input, writeAllAt} from '../envelope/io.js';
import {
	decryptedName,
	finishOutput,
	openOutput,
	outputLabel,
	planOutput,
} from '../envelope/output.js';
import {type ProgressCallback, progressReporter} from '../envelope/progress.js';
import {IO_BATCH_BYTES, pumpBatches} from '../envelope/pump.js';
import {textOnlySink} from '../envelope/terminal-output.js';
import {createBodyReader} from './body-read.js';
import {openRegularFrames, PARALLEL_FRAMES_BYTES} from './frame-job.js';
import type {EsdkHeader} from './header-parse.js';
import {readEsdkHeader} from './header-read.js';
import {type EsdkFileLayout, fileLayout} from './layout.js';
import {AWS_KMS_PROVIDER, describeProvider, kmsKeys, messageKey} from './message-key.js';
import {createEsdkVerifier, esdkVerificationKey} from './signature-verify.js';
import {parallelSignature} from './signature-worker.js';
import {describeSuite, ESDK_PUBLIC_KEY_CONTEXT_KEY, ESDK_TAG_BYTES} from './suites.js';

export type EsdkDecryptOptions = {
	/** Accept the legacy non-committing suites (0x0014 … 0x0378). */
	readonly allowNonCommitting?: boolean;
	/** Refuse messages with more encrypted data keys than this. @default 16 */
	readonly maxEncryptedDataKeys?: number;
};

export type EsdkDecryptRequest = EsdkDecryptOptions & {
	readonly input: string;
	readonly output?: string;
	readonly provider: DataKeyProvider;
	readonly expectedContext?: Readonly<Record<string, string>>;
	readonly force?: boolean;
	readonly outputDir?: string;
	readonly signal?: AbortSignal;
	readonly onProgress?: ProgressCallback;
	readonly stdout?: NodeJS.WritableStream;
	readonly onNotice?: (message: string) => void;
};

export type EsdkDecryptResult = {
	readonly outputPath: string;
	readonly bytes: number;
	/** The key ARN whose data key opened the message. */
	readonly keyArn: string;
	readonly esdkHeader: EsdkHeader;
};

/** A frame held in memory until its tag verified (stream outputs): at most this many bytes. */
export const MAX_HELD_FRAME_BYTES = 64 * 1024 * 1024;

function checkSuite(header: EsdkHeader, options: EsdkDecryptOptions, label: string): void {
	const {suite} = header;
	if (!suite.committing && !options.allowNonCommitting) {
		throw new EnvelopeError(
			'unsupported-version',
			`${label}: the message uses the non-committing suite ${describeSuite(suite)}; such a message can decrypt to different plaintexts under different data keys. Nothing was written — pass --allow-non-committing to decrypt it anyway.`,
		);
	}
}

/** The signed suites carry their verification key in the context; the others must not (default CMM). */
function verificationKey(header: EsdkHeader, label: string): KeyObject | undefined {
	const value = header.encryptionContext[ESDK_PUBLIC_KEY_CONTEXT_KEY];
	const has = Object.hasOwn(header.encryptionContext, ESDK_PUBLIC_KEY_CONTEXT_KEY);
	if (!header.suite.signature) {
		if (has) {
			throw new EnvelopeError(
				'tampered',
				`${label}: the unsigned suite ${describeSuite(header.suite)} comes with a signing key (${ESDK_PUBLIC_KEY_CONTEXT_KEY}) in its context — the header was modified; nothing was written.`,
			);
		}
		return undefined;
	}
	if (!has || value === undefined) {
		throw new EnvelopeError(
			'tampered',
			`${label}: the signed suite ${describeSuite(header.suite)} has no ${ESDK_PUBLIC_KEY_CONTEXT_KEY} in its context — the header was modified; nothing was written.`,
		);
	}
	const key = esdkVerificationKey(header.suite, value);
	if ('invalid' in key) {
		throw new EnvelopeError(
			'tampered',
			`${label}: ${key.invalid} — the header was modified; nothing was written.`,
		);
	}
	return key.key;
}

/** `x.encrypted` (the AWS Encryption CLI's suffix) → `x`; else as for kms-tui envelopes. */
export function esdkDecryptedName(inputName: string | undefined): string {
	if (inputName?.endsWith('.encrypted') && inputName.length > '.encrypted'.length) {
		return inputName.slice(0, -'.encrypted'.length);
	}
	return decryptedName(inputName, undefined);
}

/** Plaintext bytes a file of `size` holds, roughly (for the progress bar). */
function estimatePlaintext(header: EsdkHeader, size: number | undefined): number | undefined {
	if (size === undefined) return undefined;
	const body = size - header.headerBytes - (header.suite.signature ? 105 : 0);
	if (header.contentType === 'non-framed') return Math.max(0, body - 36);
	const sealed = 4 + 12 + header.frameLength + ESDK_TAG_BYTES;
	return Math.max(0, Math.round((body * header.frameLength) / sealed));
}

/** Reads batches of whole regular frames (the body starts at frame 1 after the header). */
function batchBytes(header: EsdkHeader): number {
	if (header.contentType === 'non-framed') return IO_BATCH_BYTES;
	const sealed = 4 + 12 + header.frameLength + ESDK_TAG_BYTES;
	if (sealed > 4 * IO_BATCH_BYTES) return IO_BATCH_BYTES;
	return Math.max(1, Math.floor(IO_BATCH_BYTES / sealed)) * sealed;
}

/** Decrypts an SDK message from an opened input (the caller closes it). */
export async function decryptEsdkInput(
	options: EsdkDecryptRequest,
	input: Input,
	label: string,
): Promise<EsdkDecryptResult> {
	const {signal} = options;
	const {header, headerBytes} = await readEsdkHeader(
		input.source,
		label,
		options.maxEncryptedDataKeys,
	);
	checkSuite(header, options, label);
	const publicKey = verificationKey(header, label);
	checkExpectedContext(header.encryptionContext, options.expectedContext ?? {}, label, 'message');
	const {wrapped, others} = kmsKeys(header, label);
	const plan = await planOutput({
		output: options.output,
		defaultDir:
			options.outputDir ?? (input.name === undefined ? undefined : path.dirname(options.input)),
		defaultName: esdkDecryptedName(input.name),
		input: input.identity,
		force: options.force ?? false,
	});
	// A file's length must fit the header (found before KMS: cut off or extended).
	const layout =
		input.fd !== undefined && input.size !== undefined
			? await fileLayout(input.fd, header, input.size)
			: undefined;
	if (input.fd !== undefined && input.size !== undefined && !layout) {
		throw new EnvelopeError(
			'truncated',
			`${label}: the file's length does not fit its header — it was cut off, or bytes were added; KMS was not asked and nothing was written.`,
		);
	}
	const holdUnverified = plan.kind !== 'file';
	if (holdUnverified && header.frameLength > MAX_HELD_FRAME_BYTES) {
		throw new EnvelopeError(
			'invalid-argument',
			`${label}: its frames of ${header.frameLength} bytes are too large to verify before they go to ${outputLabel(plan)}; nothing was written — decrypt to a file with -o FILE.`,
		);
	}
	const output = await openOutput(plan, 0o600, options.stdout, options.onNotice);
	let parallel: Awaited<ReturnType<typeof parallelSignature>>;
	try {
		// A signed file into a temp file: the signature is checked on a worker while frames open.
		parallel =
			publicKey && plan.kind === 'file' && input.fd !== undefined && layout
				? await parallelSignature(header, publicKey, input.fd, layout)
				: undefined;
		const sink =
			output.isTerminal && !options.force
				? textOnlySink(output.sink, outputLabel(plan))
				: output.sink;
		const {key, keyArn} = await messageKey(
			header,
			headerBytes,
			wrapped,
			others,
			options.provider,
			label,
			signal,
		);
		const verifier = parallel
			? parallel.verifier
			: publicKey
				? createEsdkVerifier(header.suite, publicKey)
				: undefined;
		verifier?.update(headerBytes);
		const progress = progressReporter(options.onProgress, estimatePlaintext(header, input.size));
		const streamedTo =
			plan.kind === 'stdout' ? 'standard output' : plan.kind === 'device' ? plan.path : undefined;
		let written = 0;
		const released = () =>
			streamedTo !== undefined && written > 0
				? ` ${written} bytes of earlier, verified frames were already written to ${streamedTo}.`
				: ' Nothing was written.';
		// A message file into a temp file: its regular frames are opened by several threads.
		const job =
			plan.kind === 'file' &&
			output.temp &&
			layout &&
			// Signed: only with the signature on its worker (the reader sees just the final frame).
			(!publicKey || parallel)
				? regularFramesPlan(header, layout, input.size ?? 0)
				: undefined;
		const reader = createBodyReader({
			header,
			key,
			verifier,
			holdUnverified,
			label,
			released,
			maxHeldBytes: MAX_HELD_FRAME_BYTES,
			firstSequence: job ? job.regularFrames + 1 : 1,
		});
		let signedFrom = header.headerBytes;
		let jobBytes = 0;
		if (job && output.temp && input.fd !== undefined && input.size !== undefined) {
			await openRegularFrames(
				{
					inFd: input.fd,
					outFd: output.temp.fd,
					key,
					cipher: `aes-${header.suite.keyBytes * 8}-gcm`,
					messageId: header.messageId,
					frameLength: header.frameLength,
					bodyStart: header.headerBytes,
					regularFrames: job.regularFrames,
					framesPerBatch: job.framesPerBatch,
				},
				{label, signal, onBytes: progress.add},
			);
			jobBytes = job.regularFrames * header.frameLength;
			// The final frame and the footer: the streaming reader, from the final frame on.
			const tail = await readAt(input.fd, job.tailStart, input.size - job.tailStart);
			const out: Buffer[] = [];
			reader.consume(tail, true, out);
			await writeAllAt(output.temp.fd, out, jobBytes);
			progress.add(reader.plaintextBytes);
			signedFrom = job.tailStart;
		} else {
			try {
				await pumpBatches({
					source: input.source,
					sink,
					batch: batchBytes(header),
					signal,
					label,
					transform: (data, isLast) => {
						const out: Buffer[] = [];
						reader.consume(data, isLast, out);
						let bytes = 0;
						for (const chunk of out) bytes += chunk.length;
						written += bytes;
						progress.add(bytes);
						// Small frames make hundreds of tiny buffers per batch: one copy lets them die young.
						return out.length > 256 ? [Buffer.concat(out)] : out;
					},
				});
			} catch (error) {
				if (
					error instanceof EnvelopeError &&
					error.code === 'aborted' &&
					streamedTo &&
					written > 0
				) {
					throw new EnvelopeError('aborted', `${label}: cancelled.${released()}`, {
						cause: error.cause,
					});
				}
				throw error;
			}
		}
		if (parallel) await parallel.confirm(signedFrom + (reader.signedBodyBytes ?? -1), label);
		throwIfAborted(label, signal);
		const outputPath = await finishOutput(output, plan, {
			force: options.force ?? false,
			input: input.identity,
		});
		progress.finish();
		return {outputPath, bytes: jobBytes + reader.plaintextBytes, keyArn, esdkHeader: header};
	} catch (error) {
		await output.discard();
		throw error;
	} finally {
		await parallel?.check.stop();
	}
}

/**
 * Whether the regular frames of a message file go to frame-job.ts: a framed file large enough,
 * on a machine with a second core.
 */
function regularFramesPlan(header: EsdkHeader, layout: EsdkFileLayout, size: number) {
	if (
		header.contentType !== 'framed' ||
		size < PARALLEL_FRAMES_BYTES ||
		availableParallelism() < 2
	) {
		return undefined;
	}
	const sealed = 4 + 12 + header.frameLength + ESDK_TAG_BYTES;
	// Each thread holds a batch of whole frames: larger frames stream through one thread.
	if (sealed > 4 * IO_BATCH_BYTES) return undefined;
	const framesPerBatch = Math.max(1, Math.floor(IO_BATCH_BYTES / sealed));
	const regularFrames = layout.frameCount - 1;
	if (regularFrames < 2 * framesPerBatch) return undefined;
	return {regularFrames, framesPerBatch, tailStart: header.headerBytes + regularFrames * sealed};
}

async function readAt(fd: number, position: number, length: number): Promise<Buffer> {
	const bytes = Buffer.allocUnsafe(length);
	let got = 0;
	while (got < length) {
		const n = await new Promise<number>((resolve, reject) =>
			fsRead(fd, bytes, got, length - got, position + got, (error, read) =>
				error ? reject(error) : resolve(read),
			),
		);
		if (n === 0) break;
		got += n;
	}
	return bytes.subarray(0, got);
}

/**
 * The result in the shape the CLI's envelope commands print (`--json`: output, bytes, keyArn,
 * keyArns, header), as esdk/encrypt.ts does for encrypt.
 */
export function esdkDecryptResultForCli(result: EsdkDecryptResult) {
	const {esdkHeader: header} = result;
	return {
		outputPath: result.outputPath,
		bytes: result.bytes,
		keyArn: result.keyArn,
		keyArns: header.encryptedDataKeys
			.filter((key) => key.providerId === AWS_KMS_PROVIDER)
			.map((key) => key.providerInfo.toString('utf8')),
		header: {
			format: 'aws-encryption-sdk',
			messageFormatVersion: header.version,
			suite: describeSuite(header.suite),
			messageId: header.messageId.toString('hex'),
			contentType: header.contentType,
			frameLength: header.frameLength,
			encryptionContext: header.encryptionContext,
			wrappedKeys: header.encryptedDataKeys.map((key) => ({
				providerId: key.providerId,
				keyArn:
					key.providerId === AWS_KMS_PROVIDER
						? key.providerInfo.toString('utf8')
						: describeProvider(key),
			})),
		},
	};
}

export {startsWithEsdkMessage} from './header-read.js';
