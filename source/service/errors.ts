/**
 * AWS error → what happened + what to do. Every failure that reaches a user passes through
 * `toServiceError`, so a screen or a command never shows a raw SDK exception.
 */

import {ServiceError, type ServiceErrorKind} from './service-error.js';

export {ServiceError, type ServiceErrorKind};

export type ErrorScene = {
	/** The operation as a user would name it, e.g. "enable rotation". */
	readonly action: string;
	/**
	 * The AWS operation called, e.g. "CreateAlias". One exception name means different things
	 * to different operations (LimitExceededException: aliases per key, on-demand rotations,
	 * keys per account), so the hint depends on it.
	 */
	readonly operation?: string;
	/** The key, alias or stack the call was about. */
	readonly resource?: string;
	readonly region?: string;
	readonly profile?: string;
	/** True when the target is the embedded sandbox or another local endpoint. */
	readonly isLocal?: boolean;
};

const sandboxAccount = ':000000000000:';

/**
 * What a KMSInvalidStateException says about the key. KMS words these messages exactly
 * `<keyArn> is pending deletion.`, `<keyArn> is not pending deletion.` and `<keyArn> is pending
 * import.` (fact sheet §3), so the message is parsed whole: a loose /pending deletion/ also
 * matches "not pending deletion" and told users to cancel a deletion that did not exist.
 */
export type InvalidKeyState = 'pending-deletion' | 'not-pending-deletion' | 'pending-import';

const invalidStateMessage = /^\S+ is (pending deletion|not pending deletion|pending import)\.$/;

export function invalidKeyStateOf(message: string): InvalidKeyState | undefined {
	const state = invalidStateMessage.exec(message)?.[1];
	if (state === undefined) return undefined;
	return state.replaceAll(' ', '-') as InvalidKeyState;
}

/** The SDK error's identity: its exception name (the wire `__type`/`Code`) and HTTP status. */
type RawError = {
	name?: string;
	message?: string;
	code?: string;
	cause?: {code?: string};
	$metadata?: {httpStatusCode?: number};
};

const networkCodes = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ECONNRESET',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EPIPE',
]);

export function toServiceError(error: unknown, scene: ErrorScene): ServiceError {
	if (error instanceof ServiceError) return error;
	const raw = (typeof error === 'object' && error !== null ? error : {}) as RawError;
	const name = raw.name ?? 'Error';
	const message = raw.message ?? String(error);
	const where = scene.region ? ` in ${scene.region}` : '';
	const what = scene.resource ? ` ${scene.resource}` : '';
	const make = (kind: ServiceErrorKind, text: string, hint: string) =>
		new ServiceError(kind, text, hint, {code: name, cause: error});

	if (name === 'AbortError' || raw.code === 'ABORT_ERR') {
		return make(
			'aborted',
			`Cancelled: ${scene.action} was stopped before it finished.`,
			'Run it again when you are ready.',
		);
	}
	// An ARN naming the sandbox account reached a real AWS endpoint (or the reverse).
	if (!scene.isLocal && scene.resource?.includes(sandboxAccount)) {
		return make(
			'sandbox-key',
			`${scene.resource} is a kms-tui sandbox key (account 000000000000); AWS does not know it.`,
			'Use --sandbox to work with sandbox keys, or choose a key from your AWS account with --key.',
		);
	}
	switch (name) {
		case 'NotFoundException': {
			// KMS's whole message for an ARN of another region is "Invalid arn <region>" (§2).
			const arnRegion = /^Invalid arn (\S+)$/.exec(message)?.[1];
			if (arnRegion !== undefined) {
				return make(
					'wrong-region',
					`Could not ${scene.action}: the ARN${what} is for region ${arnRegion}, not ${scene.region ?? 'the region in use'}.`,
					`Pass --region ${arnRegion}, or use a key from this region.`,
				);
			}
			return make(
				'not-found',
				`Could not ${scene.action}:${what || ' the key'} was not found${where}. (${message})`,
				'Check the key id or alias (`kms-tui alias list`), the region (--region) and the account (--profile).',
			);
		}
		case 'AlreadyExistsException': {
			return make(
				'already-exists',
				`Could not ${scene.action}:${what} already exists${where}.`,
				'Pick another name, or point the existing alias elsewhere with `kms-tui alias update NAME --key KEY`.',
			);
		}
		case 'InvalidAliasNameException':
			return invalidAliasName(scene, message, make);
		case 'ValidationException': {
			if (isAliasNameValidation(message)) return invalidAliasName(scene, message, make);
			return make(
				'validation',
				`Could not ${scene.action}: ${message}`,
				'Correct the value and run the command again.',
			);
		}
		case 'MalformedPolicyDocumentException':
			// Also KMS's policy lockout safety check: "…will not allow you to update the key policy…".
			return make(
				'validation',
				`Could not ${scene.action}: KMS refused the policy document. (${message})`,
				'Fix the policy and try again: it must be valid JSON, at most 32 KB, and keep kms:PutKeyPolicy for the account root (arn:aws:iam::ACCOUNT:root).',
			);
		case 'DisabledException': {
			return make(
				'disabled',
				`Could not ${scene.action}: the key${what} is disabled.`,
				'Enable it with `kms-tui delete-key --enable` (or `aws kms enable-key --key-id …`) and try again.',
			);
		}
		case 'KMSInvalidStateException':
			return invalidState(scene, message, make);
		case 'InvalidCiphertextException': {
			return make(
				'invalid-ciphertext',
				`Could not ${scene.action}: KMS refused the encrypted data key. Either the encryption context differs from the one used to encrypt, or the data was modified.`,
				'Pass exactly the --context pairs used when encrypting; if they match, the file is corrupt or was tampered with.',
			);
		}
		case 'IncorrectKeyException': {
			return make(
				'incorrect-key',
				`Could not ${scene.action}: the data was encrypted under a different KMS key than${what || ' the one given'}.`,
				'Leave out --key so KMS uses the key recorded in the envelope, or pass that key.',
			);
		}
		case 'AccessDeniedException':
		case 'AccessDenied':
		case 'UnauthorizedOperation':
		case 'NotAuthorizedException': {
			return make(
				'access-denied',
				`Access denied: your credentials may not ${scene.action}${what ? ` on${what}` : ''}${where}. (${message})`,
				'Ask for the permission in your IAM policy or the key policy, or use a profile that has it (--profile).',
			);
		}
		case 'ExpiredTokenException':
		case 'ExpiredToken':
		case 'UnrecognizedClientException':
		case 'InvalidClientTokenId':
		case 'InvalidSignatureException':
		case 'SignatureDoesNotMatch':
		case 'CredentialsProviderError':
		case 'TokenProviderError':
		case 'ProviderError': {
			return credentialsError(scene, name, message, error);
		}
		case 'ThrottlingException':
		case 'Throttling':
		case 'TooManyRequestsException': {
			return make(
				'throttled',
				`AWS throttled the request to ${scene.action} and it still failed after retries.`,
				'Wait a few seconds and try again; if it keeps happening, raise AWS_MAX_ATTEMPTS or ask for a higher KMS request quota.',
			);
		}
		case 'LimitExceededException': {
			return make('limit-exceeded', `Could not ${scene.action}: ${message}`, limitHint(scene));
		}
		case 'ValidationError': {
			return make('stack', `Could not ${scene.action}: ${message}`, stackHint(message));
		}
		case 'TimeoutError': {
			return timeout(scene, make);
		}
		default:
			break;
	}
	// The SDK's own message when no region resolves (@smithy/core config-resolver), a plain Error.
	if (message === 'Region is missing') {
		return make(
			'no-region',
			'No AWS region is configured, so kms-tui does not know where your keys are.',
			'Pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in your profile; use --sandbox to try kms-tui without AWS.',
		);
	}
	// Node's socket errors carry their errno in `code` (on the error or, wrapped, on its cause).
	const errno = raw.code ?? raw.cause?.code;
	if (errno === 'ETIMEDOUT') return timeout(scene, make);
	if (errno !== undefined && networkCodes.has(errno)) {
		return make(
			'network',
			`Could not reach the ${scene.isLocal ? 'endpoint' : 'AWS endpoint'} to ${scene.action} (${errno}).`,
			scene.isLocal
				? 'Check that the server is running and the --endpoint-url (or AWS_ENDPOINT_URL) is right.'
				: 'Check your network connection and proxy settings, and that the region is right.',
		);
	}
	const status = raw.$metadata?.httpStatusCode;
	if (status !== undefined && status >= 500) {
		return make(
			'unknown',
			`Could not ${scene.action}: the service failed (HTTP ${status}, ${name}: ${message}).`,
			'This is on the service side and usually passes: try again in a minute.',
		);
	}
	return make(
		'unknown',
		`Could not ${scene.action}: ${name}: ${message}`,
		'Run again with more detail by checking the message above; if it persists, report it.',
	);
}

/** Runs one call and turns whatever it throws into a ServiceError about `scene`. */
export async function mapErrors<T>(scene: ErrorScene, work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		throw toServiceError(error, scene);
	}
}

type Make = (kind: ServiceErrorKind, text: string, hint: string) => ServiceError;

/**
 * KMS's ValidationExceptions about an alias name: the missing-prefix message and the model's
 * pattern check on the `aliasName` member (fact sheet §2), matched as KMS words them.
 */
function isAliasNameValidation(message: string): boolean {
	return (
		message.startsWith('Alias must start with the prefix "alias/".') ||
		/^1 validation error detected: Value '.*' at 'aliasName' failed to satisfy constraint: /s.test(
			message,
		)
	);
}

function invalidAliasName(scene: ErrorScene, message: string, make: Make): ServiceError {
	return make(
		'invalid-alias-name',
		`Could not ${scene.action}: ${message}`,
		'Alias names start with alias/, use only letters, digits and / _ - :, and may not start with alias/aws/.',
	);
}

function invalidState(scene: ErrorScene, message: string, make: Make): ServiceError {
	const what = scene.resource ? ` ${scene.resource}` : '';
	// CancelKeyDeletion has one state error: the key is not pending deletion (fact sheet §3).
	const state =
		invalidKeyStateOf(message) ??
		(scene.operation === 'CancelKeyDeletion' ? 'not-pending-deletion' : undefined);
	switch (state) {
		case 'pending-deletion':
			if (scene.operation === 'ScheduleKeyDeletion') {
				return make(
					'pending-deletion',
					`Could not ${scene.action}: the key${what} is already scheduled for deletion.`,
					'`kms-tui key` shows the deletion date; `kms-tui delete-key --cancel` cancels it.',
				);
			}
			return make(
				'pending-deletion',
				`Could not ${scene.action}: the key${what} is scheduled for deletion.`,
				'Cancel the deletion with `kms-tui delete-key --cancel`; the key then stays Disabled until you enable it (`kms-tui delete-key --enable`).',
			);
		case 'not-pending-deletion':
			return make(
				'invalid-state',
				`Could not ${scene.action}: the key${what} is not scheduled for deletion, so there is no deletion to cancel.`,
				'See its state with `kms-tui key`; a Disabled key is enabled again with `kms-tui delete-key --enable`.',
			);
		case 'pending-import':
			return make(
				'invalid-state',
				`Could not ${scene.action}: the key${what} has no key material yet (PendingImport).`,
				'Import its key material (`aws kms import-key-material`), or use another key with --key.',
			);
		default:
			return make(
				'invalid-state',
				`Could not ${scene.action}: ${message}`,
				'Check the key state with `kms-tui key`.',
			);
	}
}

/** Each LimitExceededException is a different quota, told apart by the operation that hit it. */
function limitHint(scene: ErrorScene): string {
	switch (scene.operation) {
		case 'CreateAlias':
			return 'A KMS key may have at most 50 aliases: delete one you no longer need with `kms-tui alias delete NAME` (`kms-tui alias list` shows them), then try again.';
		case 'RotateKeyOnDemand':
			return 'A key can be rotated on demand at most 25 times and AWS does not raise that limit; turn on automatic rotation instead with `kms-tui rotation enable` (`kms-tui rotation history` lists the rotations so far).';
		case 'CreateKey':
			return 'The account has as many KMS keys as its quota allows in this region: schedule the deletion of keys you no longer need, or ask for a higher quota in Service Quotas.';
		case 'PutKeyPolicy':
			return 'A key policy may be at most 32 KB: shorten it and try again.';
		default:
			return 'An AWS quota was reached (the message says which): remove what you no longer need, or ask for a higher quota in Service Quotas.';
	}
}

function timeout(scene: ErrorScene, make: Make): ServiceError {
	return make(
		'timeout',
		`The request to ${scene.action} timed out.`,
		scene.isLocal
			? 'Check that the endpoint is up and answering.'
			: 'Check your network; AWS may be slow to answer from here.',
	);
}

function credentialsError(
	scene: ErrorScene,
	name: string,
	message: string,
	cause: unknown,
): ServiceError {
	// The SSO providers name SSO in their messages ("The SSO session associated with this
	// profile has expired"); a TokenProviderError is always about an SSO token.
	const isSso = name === 'TokenProviderError' || /\bSSO\b/.test(message);
	const profile = scene.profile ?? process.env.AWS_PROFILE;
	const login = profile ? `aws sso login --profile ${profile}` : 'aws sso login';
	const hint = isSso
		? `Your SSO session has expired or is missing: run \`${login}\` and try again.`
		: `Configure credentials (\`aws configure\`${profile ? `, or \`${login}\` for an SSO profile` : ''}), pass --profile, or use --sandbox to try kms-tui without AWS.`;
	return new ServiceError(
		'credentials',
		`AWS credentials could not be used to ${scene.action}${profile ? ` (profile ${profile})` : ''}: ${message}`,
		hint,
		{code: 'Credentials', cause},
	);
}

/** CloudFormation's ValidationError messages, as CloudFormation words them (fact sheet §8). */
function stackHint(message: string): string {
	if (
		/^Stack with id \S+ does not exist$/.test(message) ||
		/^Stack \[.+\] does not exist$/.test(message)
	)
		return 'Deploy it first with `kms-tui deploy`, or pass the right --stack-name and --region.';
	if (/^Stack:\S+ is in ROLLBACK_COMPLETE state and can not be updated\.$/.test(message)) {
		return 'A stack whose creation rolled back can only be deleted: run `kms-tui destroy`, then `kms-tui deploy` again.';
	}
	if (
		/^(Parameter '|Parameter \S+ failed|Parameters: \[|Invalid input for parameter key )/.test(
			message,
		)
	)
		return 'Fix the --param value (see `kms-tui deploy --help` for the template parameters).';
	return 'Fix the template or parameters and deploy again.';
}

/**
 * How a local emulator says it lacks an operation (GetKeyLastUsage, CloudTrail): moto answers 500
 * with an HTML page, others 501, 404 or an UnknownOperation/InvalidAction error. Callers ask only
 * for local endpoints: on AWS a 500 is a real failure.
 */
export function isUnimplemented(error: unknown): boolean {
	const raw = (typeof error === 'object' && error !== null ? error : {}) as {
		name?: unknown;
		$metadata?: {httpStatusCode?: number};
	};
	const status = raw.$metadata?.httpStatusCode;
	if (status === 500 || status === 501 || status === 404) return true;
	return (
		typeof raw.name === 'string' &&
		/^(UnknownOperation|InvalidAction|NotImplemented|UnsupportedOperation)/.test(raw.name)
	);
}
