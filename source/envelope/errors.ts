/**
 * One error type for everything the envelope engine refuses or fails at. `code` is stable (the CLI
 * and the TUI branch on it); `message` says what happened and what to do, and never contains key
 * material (data keys are only ever in Buffers that no message is built from).
 */

export type EnvelopeErrorCode =
	/** A frame or the header failed authentication: the file was modified or is corrupt. */
	| 'tampered'
	/** The envelope ends early: the final frame is missing or cut. */
	| 'truncated'
	/** The input is not a kms-tui envelope at all (or its header is malformed). */
	| 'not-an-envelope'
	| 'unsupported-version'
	/** The data key KMS returned does not match the envelope's key commitment. */
	| 'wrong-key'
	/** The --context pairs given on decrypt are not in the envelope's encryption context. */
	| 'context-mismatch'
	/** KMS (the data-key provider) refused or failed; `cause` holds the service error. */
	| 'kms'
	/** The output exists and `force` was not given. */
	| 'exists'
	/** The output is the input file. */
	| 'same-file'
	| 'too-large-for-json'
	/** A file name stored in an envelope would leave the output directory. */
	| 'unsafe-name'
	| 'invalid-argument'
	| 'aborted'
	/** Reading or writing a file failed (missing file, permissions, disk full …). */
	| 'io';

export class EnvelopeError extends Error {
	override name = 'EnvelopeError';
	readonly code: EnvelopeErrorCode;

	constructor(code: EnvelopeErrorCode, message: string, options: {cause?: unknown} = {}) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
		this.code = code;
	}
}

/** The thrown value when `signal` aborted: always an EnvelopeError('aborted'). */
export function abortError(label: string, signal: AbortSignal): EnvelopeError {
	return new EnvelopeError('aborted', `${label}: cancelled; nothing was written.`, {
		cause: signal.reason,
	});
}

export function throwIfAborted(label: string, signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw abortError(label, signal);
}

/** The input file grew or shrank while it was being encrypted. */
export function changedSize(label: string): EnvelopeError {
	return new EnvelopeError(
		'io',
		`${label}: the file changed size while it was being encrypted; nothing was written — try again when nothing is writing to it.`,
	);
}

const ioHints: Record<string, string> = {
	ENOENT: 'no such file or directory — check the path',
	EACCES: 'permission denied — check the file and directory permissions',
	EPERM: 'operation not permitted — check the file and directory permissions',
	EISDIR: 'is a directory — give a file',
	ENOTDIR: 'a part of the path is not a directory — check the path',
	ENOSPC: 'no space left on the device — free some space and try again',
	EROFS: 'the file system is read-only — choose another output directory',
	EMFILE: 'too many open files — close some programs and try again',
	EPIPE: 'the reader of the output went away before the end',
};

/** Maps a Node I/O error to an EnvelopeError('io') naming the file; passes EnvelopeErrors through. */
export function toEnvelopeError(error: unknown, label: string): EnvelopeError {
	if (error instanceof EnvelopeError) return error;
	const code = (error as {code?: unknown})?.code;
	if (typeof code === 'string') {
		const hint = ioHints[code] ?? `${(error as Error).message ?? code}`;
		return new EnvelopeError('io', `${label}: ${hint}.`, {cause: error});
	}
	return new EnvelopeError('io', `${label}: ${(error as Error)?.message ?? String(error)}`, {
		cause: error,
	});
}
