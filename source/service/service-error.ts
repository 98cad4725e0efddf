/**
 * The service layer's error type, on its own and free of dependencies, so that `cli.tsx` can map
 * a failure to an exit status with `instanceof` without loading the service (and the AWS SDK).
 * `errors.ts` maps AWS errors to it.
 */

export type ServiceErrorKind =
	| 'not-found'
	| 'already-exists'
	| 'invalid-alias-name'
	| 'disabled'
	| 'pending-deletion'
	| 'invalid-state'
	| 'invalid-ciphertext'
	| 'incorrect-key'
	| 'access-denied'
	| 'credentials'
	| 'no-region'
	| 'throttled'
	| 'limit-exceeded'
	| 'validation'
	| 'wrong-region'
	| 'sandbox-key'
	| 'network'
	| 'timeout'
	| 'aborted'
	| 'stack'
	| 'unknown';

export class ServiceError extends Error {
	override name = 'ServiceError';
	readonly kind: ServiceErrorKind;
	/** What to do about it, in one or two sentences. */
	readonly hint: string;
	/** The AWS error code when there was one (for --json output and logs). */
	readonly code?: string;

	constructor(
		kind: ServiceErrorKind,
		message: string,
		hint: string,
		options: {code?: string; cause?: unknown} = {},
	) {
		super(message, {cause: options.cause});
		this.kind = kind;
		this.hint = hint;
		this.code = options.code;
	}
}
