/**
 * `kms-tui encrypt FILE|-`, `decrypt FILE|-`, `inspect FILE`: envelope encryption of files with
 * one KMS call per file. `encrypt` and `decrypt` print the path they wrote (the seed tool's
 * behaviour), so scripts can chain them.
 */
import {lstatSync} from 'node:fs';
import {mkdir, stat} from 'node:fs/promises';
import path from 'node:path';
import {createLimiter} from '../batch/limiter.js';
import {SkipFile} from '../batch/run-batch.js';
import {describeKind, sniffFileSync} from '../batch/sniff.js';
import type {BatchItem} from '../batch/walk.js';
import {
	type DecryptResult,
	decryptFile,
	EnvelopeError,
	encryptFile,
	inspectEnvelope,
} from '../envelope/index.js';
import {encryptedName} from '../envelope/output.js';
import {PARALLEL_MIN_BYTES} from '../envelope/parallel.js';
import {esdkDecryptResultForCli} from '../esdk/decrypt.js';
import {encryptEsdk, esdkEncryptedName, esdkResultForCli} from '../esdk/encrypt.js';
import {formatEsdkSummary, inspectEsdkMessage} from '../esdk/inspect.js';
import {staleEnvKeyNote} from '../session-context.js';
import {terminalSafeLine} from '../terminal-text.js';
import {refuseStdinInBatch, runFileBatch} from './batch-output.js';
import {QuietExit} from './command-error.js';
import type {decryptFlags, encryptFlags, inspectFlags} from './commands-table.js';
import {
	type CommandContext,
	CommandError,
	printJson,
	resolveKeyRef,
	say,
	UsageError,
} from './context.js';
import {interruptOnSignals, signalExitStatus} from './interrupt.js';
import {progressBar, sharesTerminal} from './progress.js';

function singleInput(context: CommandContext, command: string): string {
	const [input, ...rest] = context.args;
	if (!input)
		throw new UsageError(
			`Name the file to ${command}: kms-tui ${command} FILE (or - for standard input).`,
		);
	if (rest.length > 0)
		throw new UsageError(
			`${command} takes one file; got ${context.args.length}. Run it once per file.`,
		);
	return input;
}

/** The output was a pipe or FIFO whose reader closed it (EPIPE; Node ignores SIGPIPE). */
function isClosedPipe(error: EnvelopeError): boolean {
	return error.code === 'io' && (error.cause as {code?: unknown} | undefined)?.code === 'EPIPE';
}

/** What encrypt and decrypt share: output choice, Ctrl-C, the progress bar, the stdio streams. */
type SharedOptions = {
	onNotice: (message: string) => void;
	output?: string;
	force: boolean;
	signal: AbortSignal;
	onProgress: (done: number, total?: number) => void;
	stdin: NodeJS.ReadableStream;
	stdout: NodeJS.WritableStream;
};

/**
 * What `--json` prints of an encrypt or decrypt, for either format: the kms-tui envelope's header,
 * or the AWS Encryption SDK message's header summary (source/esdk/).
 */
type TaskOutcome = {
	readonly outputPath: string;
	readonly bytes: number;
	/** Decrypt: the key that opened it; encrypt: the key the data key was generated under. */
	readonly keyArn: string;
	/** Every key the file is wrapped under, in the order decrypt tries them. */
	readonly keyArns: readonly string[];
	readonly header: unknown;
};

function envelopeOutcome(result: DecryptResult): TaskOutcome {
	if ('esdkHeader' in result) return esdkDecryptResultForCli(result);
	const {outputPath, bytes, keyArn, header} = result;
	return {outputPath, bytes, keyArn, keyArns: header.wrappedKeys.map((key) => key.keyArn), header};
}

/**
 * Runs one envelope operation. Ctrl-C aborts it (the engine then removes its temp file, so
 * nothing partial remains); engine failures become command errors; the written path is printed.
 */
async function runEnvelopeTask(
	context: CommandContext<Pick<typeof decryptFlags, 'output' | 'force'>>,
	label: string,
	work: (shared: SharedOptions) => Promise<TaskOutcome>,
): Promise<void> {
	const interrupt = interruptOnSignals();
	// No bar when the data itself goes to the terminal stderr is on: it would run into it.
	const destination = context.flags.output ?? (context.args[0] === '-' ? '-' : undefined);
	const bar = progressBar(process.stderr, label, Date.now, sharesTerminal(destination));
	let result: TaskOutcome;
	try {
		result = await work({
			onNotice: (message) => process.stderr.write(`kms-tui: ${terminalSafeLine(message)}\n`),
			output: context.flags.output,
			force: context.flags.force,
			signal: interrupt.controller.signal,
			onProgress: (done, total) => bar.update(done, total),
			stdin: process.stdin,
			stdout: process.stdout,
		});
	} catch (error) {
		if (!(error instanceof EnvelopeError)) throw error;
		const signalled = interrupt.signalled();
		if (signalled) throw new CommandError(error.message, {exitStatus: signalExitStatus(signalled)});
		// The reader went away (`… | head -c 10`): quiet, like a Unix tool killed by SIGPIPE.
		if (isClosedPipe(error)) throw new QuietExit(141);
		if (error.code === 'invalid-argument') throw new UsageError(error.message);
		throw new CommandError(error.message);
	} finally {
		bar.finish();
		interrupt.release();
	}
	// Data went to stdout: nothing else may be printed there.
	if (result.outputPath === '-') return;
	// The file is in place; a reader of stdout that went away (`kms-tui encrypt f | true`) only
	// misses its name: end quietly, as a tool killed by SIGPIPE would.
	// The command has returned by the time this fires, so the status is set here directly.
	process.stdout.once('error', (error: NodeJS.ErrnoException) => {
		if (error.code !== 'EPIPE') {
			process.stderr.write(`kms-tui: standard output: ${terminalSafeLine(error.message)}\n`);
			process.exitCode = 1;
		} else process.exitCode = 141;
	});
	if (context.options.json) {
		printJson(context, {
			output: result.outputPath,
			bytes: result.bytes,
			// Decrypt: the key that opened it; encrypt: the key the data key was generated under.
			keyArn: result.keyArn,
			keyArns: result.keyArns,
			header: result.header,
		});
	} else say(context, result.outputPath);
}

/**
 * Several paths, or one directory: the batch (batch-output.ts). One plain file, or `-`, keeps the
 * single-file behaviour scripts rely on (the path written; its --json document; its errors).
 */
async function isBatch(args: readonly string[], verb: string): Promise<boolean> {
	refuseStdinInBatch(args, verb);
	if (args.length !== 1) return args.length > 1;
	const [only] = args as [string];
	if (only === '-') return false;
	try {
		return (await stat(only)).isDirectory();
	} catch {
		return false;
	}
}

/** With several inputs, -o can only be a directory the outputs go into. */
async function batchOutputDir(output: string | undefined): Promise<string | undefined> {
	if (output === undefined) return undefined;
	if (output === '-') {
		throw new UsageError(
			'-o - (standard output) takes one input; with several files, -o names a directory.',
		);
	}
	const info = await stat(output).catch(() => undefined);
	if (!info?.isDirectory()) {
		throw new UsageError(
			`-o ${terminalSafeLine(output)}: with several files or a directory, -o must name an existing directory (create it with mkdir -p), or leave -o out to write each output next to its input.`,
		);
	}
	return output;
}

/** Directories batchOutputFor made (or found) already in this run. */
const madeDirectories = new Set<string>();

/** Where one file of a batch goes: next to its input, or under -o mirroring the walked tree. */
async function batchOutputFor(
	dir: string | undefined,
	item: BatchItem,
): Promise<string | undefined> {
	if (dir === undefined) return undefined;
	const below = item.relativePath === undefined ? '.' : path.dirname(item.relativePath);
	if (below === '.') return dir;
	const target = path.join(dir, below);
	if (!madeDirectories.has(target)) {
		await mkdir(target, {recursive: true});
		madeDirectories.add(target);
	}
	return target;
}

/** Synchronous for the reason sniffFileSync is: one lstat is cheaper than a thread-pool trip. */
function exists(file: string): boolean {
	return lstatSync(file, {throwIfNoEntry: false}) !== undefined;
}

/** Engine progress (bytes so far of one file) as the increments a batch adds up. */
function byteDeltas(onBytes: (n: number) => void): (done: number) => void {
	let last = 0;
	return (done) => {
		onBytes(done - last);
		last = done;
	};
}

/**
 * A file from 16 MiB runs its frame job on every core (parallel.ts): one such file at a time, so
 * eight of them do not start 32 threads on a 4-core machine; small files stay on the main thread
 * and never pay a worker's start.
 */
const largeFiles = createLimiter(1);

function sized<T>(item: BatchItem, task: () => Promise<T>): Promise<T> {
	return item.size >= PARALLEL_MIN_BYTES ? largeFiles.run(task) : task();
}

/** The --json entry of one file of a batch: the single-file document without `output`'s name. */
function taskJson(result: TaskOutcome) {
	return {
		output: result.outputPath,
		bytes: result.bytes,
		keyArn: result.keyArn,
		keyArns: result.keyArns,
		header: result.header,
	};
}

function batchShared(
	context: CommandContext<Pick<typeof decryptFlags, 'force'>>,
	output: string | undefined,
	io: {signal: AbortSignal; onBytes: (n: number) => void},
): SharedOptions {
	return {
		onNotice: (message) => process.stderr.write(`kms-tui: ${terminalSafeLine(message)}\n`),
		output,
		force: context.flags.force,
		signal: io.signal,
		onProgress: byteDeltas(io.onBytes),
		stdin: process.stdin,
		stdout: process.stdout,
	};
}

export async function runEncrypt(context: CommandContext<typeof encryptFlags>): Promise<void> {
	const batch = await isBatch(context.args, 'encrypt');
	const input = batch ? '' : singleInput(context, 'encrypt');
	// Checked and read by the registry: the format is one of its choices, the pairs are exact.
	const {format, context: encryptionContext, key: keys, esdkSuite, frameSize} = context.flags;
	if (esdkSuite !== undefined && format !== 'esdk') {
		throw new UsageError('--esdk-suite goes with --format esdk (an AWS Encryption SDK message).');
	}
	const outputDir = batch ? await batchOutputDir(context.flags.output) : undefined;
	// The first --key (or the default key) generates the data key; each other one also wraps it.
	const [first, ...others] = keys;
	const choice = await resolveKeyRef({...context, options: {...context.options, key: first}});
	const repeated = [choice.keyRef, ...others].find((key, index, all) => all.indexOf(key) !== index);
	if (repeated !== undefined) {
		throw new UsageError(`--key ${terminalSafeLine(repeated)} is given twice: give each key once.`);
	}
	const {services} = await context.session();
	const encryptOne = (file: string, shared: SharedOptions): Promise<TaskOutcome> =>
		(format === 'esdk'
			? encryptEsdk({
					...shared,
					input: file,
					provider: services.keys,
					keyIds: [choice.keyRef, ...others],
					encryptionContext,
					suite: esdkSuite,
					frameLength: frameSize,
				}).then(esdkResultForCli)
			: encryptFile({
					...shared,
					input: file,
					provider: services.keys,
					keyId: [choice.keyRef, ...others],
					encryptionContext,
					format,
					frameSize,
				}).then(envelopeOutcome)
		).catch((error: unknown) => {
			// A key from .env that KMS no longer serves: the file is stale, say how to refresh it.
			const note = staleEnvKeyNote(choice, error);
			if (!note || !(error instanceof EnvelopeError)) throw error;
			throw new EnvelopeError(error.code, `${error.message}\n${note}`, {cause: error.cause});
		});
	if (!batch) {
		await runEnvelopeTask(context, 'encrypting', (shared) => encryptOne(input, shared));
		return;
	}
	await runFileBatch(context, {
		verb: 'encrypt',
		recursive: context.flags.recursive,
		work: async (item, io) => {
			// Encrypting an envelope again helps nobody and doubles the KMS calls: say so instead.
			const kind = sniffFileSync(item.path);
			if (kind !== 'other') throw new SkipFile(`already ${describeKind(kind)}`);
			const output = await batchOutputFor(outputDir, item);
			// A run again over the same tree would otherwise add `f.txt (1).kms` beside each
			// `f.txt.kms`: an existing output means this file was done (--force replaces it).
			const name = path.basename(item.path);
			const target = path.join(
				output ?? path.dirname(item.path),
				format === 'esdk' ? esdkEncryptedName(name) : encryptedName(name, format),
			);
			if (!context.flags.force && exists(target)) {
				// One reason for all of them, so that the summary counts them together.
				throw new SkipFile('its output exists (--force replaces it)');
			}
			return sized(item, () => encryptOne(item.path, batchShared(context, output, io)));
		},
		line: (_item, result) => result.outputPath,
		json: (_item, result) => taskJson(result),
	});
}

export async function runDecrypt(context: CommandContext<typeof decryptFlags>): Promise<void> {
	const batch = await isBatch(context.args, 'decrypt');
	const input = batch ? '' : singleInput(context, 'decrypt');
	const outputDir = batch ? await batchOutputDir(context.flags.output) : undefined;
	const expectedContext = context.flags.context;
	const {services} = await context.session();
	const decryptOne = (file: string, shared: SharedOptions) =>
		decryptFile({
			...shared,
			input: file,
			provider: services.keys,
			expectedContext,
			esdk: {
				allowNonCommitting: context.flags.allowNonCommitting,
				maxEncryptedDataKeys: context.flags.maxEncryptedDataKeys,
			},
		}).then(envelopeOutcome);
	if (!batch) {
		await runEnvelopeTask(context, 'decrypting', (shared) => decryptOne(input, shared));
		return;
	}
	await runFileBatch(context, {
		verb: 'decrypt',
		recursive: context.flags.recursive,
		work: async (item, io) => {
			// Found in a walked directory, a file that is no envelope is someone's plaintext: leave
			// it. Named on the command line, it is a mistake: the engine fails it with its reason.
			if (item.relativePath !== undefined && sniffFileSync(item.path) === 'other') {
				throw new SkipFile('not an envelope');
			}
			const output = await batchOutputFor(outputDir, item);
			return sized(item, () => decryptOne(item.path, batchShared(context, output, io)));
		},
		line: (_item, result) => result.outputPath,
		json: (_item, result) => taskJson(result),
	});
}

type Inspected =
	| {
			readonly kind: 'esdk';
			readonly summary: NonNullable<Awaited<ReturnType<typeof inspectEsdkMessage>>>;
	  }
	| {readonly kind: 'envelope'; readonly summary: Awaited<ReturnType<typeof inspectEnvelope>>};

async function inspectOne(input: string): Promise<Inspected> {
	// An AWS Encryption SDK message (first byte 0x01/0x02) has its own summary.
	const esdk = await inspectEsdkMessage(input);
	if (esdk) return {kind: 'esdk', summary: esdk};
	return {kind: 'envelope', summary: await inspectEnvelope(input)};
}

function inspectedJson(inspected: Inspected): unknown {
	const {header: _header, ...rest} = inspected.summary;
	return rest;
}

function inspectedText(input: string, inspected: Inspected): string {
	if (inspected.kind === 'esdk') return formatEsdkSummary(input, inspected.summary);
	const {summary} = inspected;
	// Nothing in a header is authenticated before decrypt, and all of it may come from someone
	// else: every value is escaped for the terminal (a context value could set the window title).
	const safe = terminalSafeLine;
	const context_ = Object.entries(summary.encryptionContext);
	const sandboxNote = (arn: string) =>
		arn.includes(':000000000000:') ? '  (a kms-tui sandbox key)' : '';
	// Every key that can open it, in the order decrypt tries them.
	const keyLines = summary.wrappedKeys.map((key, index) => {
		const several = summary.wrappedKeys.length > 1;
		const label = index > 0 ? '' : several ? 'keys' : 'key';
		// The key material that made it (rotations change it), where the header records it.
		const material = key.keyMaterialId
			? `\n${''.padEnd(several ? 18 : 15)}material ${safe(key.keyMaterialId)}`
			: '';
		return `  ${label.padEnd(13)}${several ? `${index + 1}. ` : ''}${safe(key.keyArn)}${sandboxNote(key.keyArn)}${material}`;
	});
	const size = (bytes: number | undefined) =>
		bytes === undefined ? 'unknown' : `${bytes.toLocaleString('en-US')} bytes`;
	return [
		`${safe(input)}: kms-tui envelope v${summary.version} (${summary.encoding})`,
		...keyLines,
		`  context      ${context_.length > 0 ? context_.map(([key, value]) => `${safe(key)}=${safe(value)}`).join(', ') : '(none)'}`,
		`  algorithm    ${safe(summary.algorithm)}`,
		`  plaintext    ${size(summary.plaintextSize)}${summary.plaintextSizeRecorded ? '' : ' (from the file length)'}`,
		`  envelope     ${size(summary.fileSize)}, ${summary.frameCount ?? '?'} frame(s) of up to ${summary.frameSize.toLocaleString('en-US')} bytes`,
		`  created      ${safe(summary.createdAt)}`,
		`  message id   ${safe(summary.messageId)}`,
		...(summary.fileName ? [`  file name    ${safe(summary.fileName)}`] : []),
		...(summary.lengthConsistent
			? []
			: ['  warning      the file length does not match the header: it was cut off or extended']),
		'  (read from the header without KMS; nothing is verified until you decrypt)',
	].join('\n');
}

/** No KMS call and no session: the header is read and shown as the envelope states it. */
export async function runInspect(context: CommandContext<typeof inspectFlags>): Promise<void> {
	if (await isBatch(context.args, 'inspect')) {
		await runFileBatch(context, {
			verb: 'inspect',
			recursive: context.flags.recursive,
			work: async (item) => {
				if (item.relativePath !== undefined && sniffFileSync(item.path) === 'other') {
					throw new SkipFile('not an envelope');
				}
				return inspectOne(item.path);
			},
			line: (item, inspected) => inspectedText(item.displayPath, inspected),
			json: (_item, inspected) => inspectedJson(inspected),
		});
		return;
	}
	const input = singleInput(context, 'inspect');
	const inspected = await inspectOne(input).catch((error: unknown) => {
		throw error instanceof EnvelopeError ? new CommandError(error.message) : error;
	});
	if (context.options.json) printJson(context, inspectedJson(inspected));
	else say(context, inspectedText(input, inspected));
}
