/**
 * Failures a command reports to the user. Each message says what happened and what to do;
 * `cli.tsx` prints it on stderr and exits with the status the kind implies. Dependency-free, so
 * that classifying a failure never loads the modules that raised it.
 */

/** The command line itself is wrong: exit status 2. */
export class UsageError extends Error {
	override name = 'UsageError';
	/** What to do, printed on its own line under the message. */
	readonly hint?: string;

	constructor(message: string, options: {hint?: string} = {}) {
		super(message);
		this.hint = options.hint;
	}
}

/**
 * The operation failed: exit status 1, or the status a signal implies (130 after SIGINT, 143
 * after SIGTERM, 129 after SIGHUP: what a shell reports for a process the signal killed).
 */
export class CommandError extends Error {
	override name = 'CommandError';
	readonly exitStatus: number;

	constructor(message: string, options: {exitStatus?: number} = {}) {
		super(message);
		this.exitStatus = options.exitStatus ?? 1;
	}
}

/**
 * End with this status and say nothing: the reader of standard output went away (`… | head`),
 * which Unix tools answer by dying of SIGPIPE (141) without a message.
 */
export class QuietExit extends Error {
	override name = 'QuietExit';
	readonly exitStatus: number;

	constructor(exitStatus: number) {
		super(`exit ${exitStatus}`);
		this.exitStatus = exitStatus;
	}
}
