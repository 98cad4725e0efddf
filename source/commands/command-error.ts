/**
 * Failures a command reports to the user. Each message says what happened and what to do;
 * `cli.tsx` prints it on stderr and exits with the status the kind implies.
 */

/** The command line itself is wrong: exit status 2. */
export class UsageError extends Error {
	override name = 'UsageError';
}

/** The operation failed: exit status 1. */
export class CommandError extends Error {
	override name = 'CommandError';
}
