/**
 * `kms-tui encrypt FILE|-`, `decrypt FILE|-`, `inspect FILE`: envelope encryption of files with
 * one KMS call per file. `encrypt` and `decrypt` print the path they wrote (the seed tool's
 * behaviour), so scripts can chain them.
 */
import {decryptFile, EnvelopeError, encryptFile, inspectEnvelope} from '../envelope/index.js';
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

/** Ctrl-C cancels the work; the engine then removes its temp file, so nothing partial remains. */
async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
	const controller = new AbortController();
	const onSignal = () => controller.abort(new Error('interrupted'));
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	try {
		return await work(controller.signal);
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}
}

function asCommandError(error: unknown): unknown {
	return error instanceof EnvelopeError ? new CommandError(error.message) : error;
}

export async function runEncrypt(context: CommandContext): Promise<void> {
	const input = singleInput(context, 'encrypt');
	const format = (context.flags.format as string | undefined) ?? 'binary';
	if (format !== 'binary' && format !== 'json')
		throw new UsageError(`--format must be binary or json, not "${format}".`);
	const encryptionContext = parsePairs(
		(context.flags.context as string[] | undefined) ?? [],
		'--context',
	);
	const {keyRef} = await resolveKeyRef(context);
	const {services} = await context.session();
	const bar = progressBar(process.stderr, 'encrypting');
	const result = await withInterrupt((signal) =>
		encryptFile({
			input,
			output: context.flags.output as string | undefined,
			provider: services.keys,
			keyId: keyRef,
			encryptionContext,
			format,
			force: context.flags.force === true,
			signal,
			onProgress: (done, total) => bar.update(done, total),
			stdin: process.stdin,
			stdout: process.stdout,
		}),
	)
		.catch((error: unknown) => {
			throw asCommandError(error);
		})
		.finally(() => bar.finish());
	if (result.outputPath === '-') return;
	if (context.options.json)
		printJson(context, {output: result.outputPath, bytes: result.bytes, header: result.header});
	else say(context, result.outputPath);
}

export async function runDecrypt(context: CommandContext): Promise<void> {
	const input = singleInput(context, 'decrypt');
	const expectedContext = parsePairs(
		(context.flags.context as string[] | undefined) ?? [],
		'--context',
	);
	const {services} = await context.session();
	const bar = progressBar(process.stderr, 'decrypting');
	const result = await withInterrupt((signal) =>
		decryptFile({
			input,
			output: context.flags.output as string | undefined,
			provider: services.keys,
			expectedContext,
			force: context.flags.force === true,
			signal,
			onProgress: (done, total) => bar.update(done, total),
			stdin: process.stdin,
			stdout: process.stdout,
		}),
	)
		.catch((error: unknown) => {
			throw asCommandError(error);
		})
		.finally(() => bar.finish());
	if (result.outputPath === '-') return;
	if (context.options.json)
		printJson(context, {
			output: result.outputPath,
			bytes: result.bytes,
			keyArn: result.header.keyArn,
		});
	else say(context, result.outputPath);
}

/** No KMS call and no session: the header is read and shown as the envelope states it. */
export async function runInspect(context: CommandContext): Promise<void> {
	const input = singleInput(context, 'inspect');
	const summary = await inspectEnvelope(input).catch((error: unknown) => {
		throw asCommandError(error);
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
