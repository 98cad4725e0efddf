/**
 * `kms-tui encrypt FILE|-`, `decrypt FILE|-`, `inspect FILE`: envelope encryption of files with
 * one KMS call per file. `encrypt` and `decrypt` print the path they wrote (the seed tool's
 * behaviour), so scripts can chain them.
 */
import {
	decryptFile,
	EnvelopeError,
	type EnvelopeResult,
	encryptFile,
	inspectEnvelope,
} from '../envelope/index.js';
import {
	type CommandContext,
	CommandError,
	parsePairs,
	printJson,
	resolveKeyRef,
	say,
	UsageError,
} from './context.js';
import {progressBar} from './progress.js';

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

/** What encrypt and decrypt share: output choice, Ctrl-C, the progress bar, the stdio streams. */
type SharedOptions = {
	output?: string;
	force: boolean;
	signal: AbortSignal;
	onProgress: (done: number, total?: number) => void;
	stdin: NodeJS.ReadableStream;
	stdout: NodeJS.WritableStream;
};

/**
 * Runs one envelope operation. Ctrl-C aborts it (the engine then removes its temp file, so
 * nothing partial remains); engine failures become command errors; the written path is printed.
 */
async function runEnvelopeTask(
	context: CommandContext,
	label: string,
	work: (shared: SharedOptions) => Promise<EnvelopeResult>,
): Promise<void> {
	const controller = new AbortController();
	const onSignal = () => controller.abort(new Error('interrupted'));
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	const bar = progressBar(process.stderr, label);
	let result: EnvelopeResult;
	try {
		result = await work({
			output: context.flags.output as string | undefined,
			force: context.flags.force === true,
			signal: controller.signal,
			onProgress: (done, total) => bar.update(done, total),
			stdin: process.stdin,
			stdout: process.stdout,
		});
	} catch (error) {
		throw error instanceof EnvelopeError ? new CommandError(error.message) : error;
	} finally {
		bar.finish();
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}
	// Data went to stdout: nothing else may be printed there.
	if (result.outputPath === '-') return;
	if (context.options.json) {
		printJson(context, {
			output: result.outputPath,
			bytes: result.bytes,
			keyArn: result.header.keyArn,
			header: result.header,
		});
	} else say(context, result.outputPath);
}

function contextPairs(context: CommandContext): Record<string, string> {
	return parsePairs((context.flags.context as string[] | undefined) ?? [], '--context');
}

export async function runEncrypt(context: CommandContext): Promise<void> {
	const input = singleInput(context, 'encrypt');
	const format = (context.flags.format as string | undefined) ?? 'binary';
	if (format !== 'binary' && format !== 'json') {
		throw new UsageError(`--format must be binary or json, not "${format}".`);
	}
	const encryptionContext = contextPairs(context);
	const {keyRef} = await resolveKeyRef(context);
	const {services} = await context.session();
	await runEnvelopeTask(context, 'encrypting', (shared) =>
		encryptFile({
			...shared,
			input,
			provider: services.keys,
			keyId: keyRef,
			encryptionContext,
			format,
		}),
	);
}

export async function runDecrypt(context: CommandContext): Promise<void> {
	const input = singleInput(context, 'decrypt');
	const expectedContext = contextPairs(context);
	const {services} = await context.session();
	await runEnvelopeTask(context, 'decrypting', (shared) =>
		decryptFile({...shared, input, provider: services.keys, expectedContext}),
	);
}

/** No KMS call and no session: the header is read and shown as the envelope states it. */
export async function runInspect(context: CommandContext): Promise<void> {
	const input = singleInput(context, 'inspect');
	const summary = await inspectEnvelope(input).catch((error: unknown) => {
		throw error instanceof EnvelopeError ? new CommandError(error.message) : error;
	});
	if (context.options.json) {
		const {header: _header, ...rest} = summary;
		printJson(context, rest);
		return;
	}
	const context_ = Object.entries(summary.encryptionContext);
	const size = (bytes: number | undefined) =>
		bytes === undefined ? 'unknown' : `${bytes.toLocaleString('en-US')} bytes`;
	say(
		context,
		[
			`${input}: kms-tui envelope v${summary.version} (${summary.encoding})`,
			`  key          ${summary.keyArn}${summary.keyArn.includes(':000000000000:') ? '  (a kms-tui sandbox key)' : ''}`,
			`  context      ${context_.length > 0 ? context_.map(([key, value]) => `${key}=${value}`).join(', ') : '(none)'}`,
			`  algorithm    ${summary.algorithm}`,
			`  plaintext    ${size(summary.plaintextSize)}${summary.plaintextSizeRecorded ? '' : ' (from the file length)'}`,
			`  envelope     ${size(summary.fileSize)}, ${summary.frameCount ?? '?'} frame(s) of up to ${summary.frameSize.toLocaleString('en-US')} bytes`,
			`  created      ${summary.createdAt}`,
			`  message id   ${summary.messageId}`,
			...(summary.fileName ? [`  file name    ${summary.fileName}`] : []),
			...(summary.lengthConsistent
				? []
				: ['  warning      the file length does not match the header: it was cut off or extended']),
			'  (read from the header without KMS; nothing is verified until you decrypt)',
		].join('\n'),
	);
}
