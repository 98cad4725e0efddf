/**
 * An envelope failure as the error panel shows it: what happened + what to do. KMS refusals keep
 * the service's own message and hint (a key pending deletion says how to cancel it); the
 * engine's other codes get a hint for the screen, since its messages are written for the CLI.
 */
import {EnvelopeError, type EnvelopeErrorCode, throughput} from '../envelope/index.js';
import {ServiceError} from '../service/index.js';
import {toDisplayError} from './use-task.js';

const hints: Partial<Record<EnvelopeErrorCode, string>> = {
	tampered:
		'The file was modified or is corrupt; nothing was written. Restore it from a copy: it cannot be repaired.',
	truncated: 'The file was cut short (an interrupted copy?); nothing was written. Copy it again.',
	'not-an-envelope': 'Pick a file made by `kms-tui encrypt` (NAME.kms or NAME.kms.json).',
	'unsupported-version': 'This envelope was made by a newer kms-tui: upgrade to decrypt it.',
	'wrong-key':
		'The data key KMS returned does not match the envelope: its header was altered. Use an untouched copy.',
	'context-mismatch': 'Give exactly the encryption context the file was encrypted with.',
	exists: 'Move or rename the existing file first; nothing was overwritten.',
	'same-file': 'Choose another output name.',
	'too-large-for-json': 'Use the binary format for files of 64 MiB and more.',
	aborted: 'Nothing partial was left: the engine removed its temp file.',
};

export function envelopeDisplayError(error: unknown): ServiceError {
	if (!(error instanceof EnvelopeError)) return toDisplayError(error);
	if (error.code === 'kms' && error.cause instanceof ServiceError) return error.cause;
	const kind = error.code === 'aborted' ? 'aborted' : 'unknown';
	return new ServiceError(kind, error.message, hints[error.code] ?? '', {
		code: error.code,
		cause: error,
	});
}

/** `12.3 MB/s, 4 s left` since the first progress report; empty until there is a rate. */
export function rateText(
	report: {readonly done: number; readonly total?: number | undefined; readonly at: number},
	baseline: {readonly done: number; readonly at: number} | undefined,
): string {
	const rate = throughput(report, baseline);
	if (!rate) return '';
	const text = `${rate.megabytesPerSecond.toFixed(1)} MB/s`;
	return rate.secondsLeft === undefined ? text : `${text}, ${rate.secondsLeft} s left`;
}

export function sizeText(bytes: number | undefined): string {
	return bytes === undefined ? 'unknown' : `${bytes.toLocaleString('en-US')} bytes`;
}

/** ARNs of the sandbox's account (000000000000) are never real AWS keys. */
export function isSandboxArn(arn: string): boolean {
	return arn.includes(':000000000000:');
}
