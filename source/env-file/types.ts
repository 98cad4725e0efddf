export type EnvChangeKind = 'added' | 'changed' | 'unchanged';

export type EnvChange = {
	readonly key: string;
	/** The effective (dotenv-parsed) value before the merge; undefined when the key was absent. */
	readonly before: string | undefined;
	readonly after: string;
	readonly kind: EnvChangeKind;
};

export type EnvMergePlan = {
	readonly path: string;
	/** Whether the file existed when the plan was made (a missing file is planned as empty). */
	readonly exists: boolean;
	/** The file's text when the plan was made; writeEnvMerge refuses if the file no longer matches. */
	readonly before: string;
	readonly after: string;
	readonly changes: readonly EnvChange[];
};

/** Why an env-file operation was refused, so callers can branch without parsing messages. */
export type EnvFileErrorCode =
	| 'invalid-key'
	| 'invalid-value'
	| 'invalid-encoding'
	| 'merge-conflict'
	/** A line that is neither an assignment, a comment nor blank: the file is not a .env file. */
	| 'not-dotenv'
	| 'is-directory'
	/** A device, FIFO or socket: replacing it would break the system, reading it may never end. */
	| 'not-a-file'
	| 'read-only'
	| 'not-writable'
	| 'missing-directory'
	| 'changed-on-disk'
	| 'io';

/**
 * A refused or failed env-file operation. The message always says what happened and what the
 * user can do about it, because the CLI prints it as is.
 */
export class EnvFileError extends Error {
	override readonly name = 'EnvFileError';
	readonly code: EnvFileErrorCode;
	readonly path: string | undefined;

	constructor(
		message: string,
		options: {code?: EnvFileErrorCode; path?: string; cause?: unknown} = {},
	) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
		this.code = options.code ?? 'io';
		this.path = options.path;
	}
}
