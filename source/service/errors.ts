/**
 * AWS error → what happened + what to do. Every failure that reaches a user passes through
 * `toServiceError`, so a screen or a command never shows a raw SDK exception.
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

export type ErrorScene = {
	/** The operation as a user would name it, e.g. "enable rotation". */
	readonly action: string;
	/** The key, alias or stack the call was about. */
	readonly resource?: string;
	readonly region?: string;
	readonly profile?: string;
	/** True when the target is the embedded sandbox or another local endpoint. */
	readonly isLocal?: boolean;
};

const sandboxAccount = ':000000000000:';

export function toServiceError(error: unknown, scene: ErrorScene): ServiceError {
	if (error instanceof ServiceError) return error;
	const raw = error as {
		name?: string;
		message?: string;
		code?: string;
		$metadata?: {httpStatusCode?: number};
	};
	const name = raw?.name ?? 'Error';
	const message = raw?.message ?? String(error);
	const where = scene.region ? ` in ${scene.region}` : '';
	const what = scene.resource ? ` ${scene.resource}` : '';
	const make = (kind: ServiceErrorKind, text: string, hint: string) =>
		new ServiceError(kind, text, hint, {code: name, cause: error});

	if (name === 'AbortError' || raw?.code === 'ABORT_ERR') {
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
			if (/Invalid arn/i.test(message)) {
				return make(
					'wrong-region',
					`Could not ${scene.action}: the ARN${what} belongs to another region than${where || ' the one in use'}.`,
					'Pass --region with the region in the ARN, or use a key from this region.',
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
		case 'ValidationException': {
			if (/alias/i.test(message)) {
				return make(
					'invalid-alias-name',
					`Could not ${scene.action}: ${message}`,
					'Alias names start with alias/, use only letters, digits and / _ - :, and may not start with alias/aws/.',
				);
			}
			return make(
				'validation',
				`Could not ${scene.action}: ${message}`,
				'Correct the value and run the command again.',
			);
		}
		case 'DisabledException': {
			return make(
				'disabled',
				`Could not ${scene.action}: the key${what} is disabled.`,
				'Enable it with `kms-tui delete-key --enable` (or `aws kms enable-key --key-id …`) and try again.',
			);
		}
		case 'KMSInvalidStateException': {
			if (/pending deletion/i.test(message)) {
				return make(
					'pending-deletion',
					`Could not ${scene.action}: the key${what} is scheduled for deletion.`,
					'Cancel the deletion with `kms-tui delete-key --cancel`; the key then stays Disabled until you enable it (`kms-tui delete-key --enable`).',
				);
			}
			return make(
				'invalid-state',
				`Could not ${scene.action}: ${message}`,
				'Check the key state with `kms-tui key`.',
			);
		}
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
		case 'TokenProviderError': {
			return credentialsError(scene, message, error);
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
			return make(
				'limit-exceeded',
				`Could not ${scene.action}: ${message}`,
				'This AWS limit cannot be raised for this key; see `kms-tui rotation status`.',
			);
		}
		case 'ValidationError': {
			return make('stack', `Could not ${scene.action}: ${message}`, stackHint(message));
		}
		default:
			break;
	}
	if (/Region is missing|region.*(missing|not set)/i.test(message)) {
		return make(
			'no-region',
			'No AWS region is configured, so kms-tui does not know where your keys are.',
			'Pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in your profile; use --sandbox to try kms-tui without AWS.',
		);
	}
	if (/Could not load credentials|credential|sso/i.test(message) && !/endpoint/i.test(message)) {
		return credentialsError(scene, message, error);
	}
	const errno = (error as {code?: string}).code ?? (error as {cause?: {code?: string}}).cause?.code;
	if (
		[
			'ECONNREFUSED',
			'ENOTFOUND',
			'EAI_AGAIN',
			'ECONNRESET',
			'EHOSTUNREACH',
			'ENETUNREACH',
		].includes(errno ?? '') ||
		/ECONNREFUSED|ENOTFOUND|getaddrinfo|socket hang up/i.test(message)
	) {
		return make(
			'network',
			`Could not reach the ${scene.isLocal ? 'endpoint' : 'AWS endpoint'} to ${scene.action} (${errno ?? message}).`,
			scene.isLocal
				? 'Check that the server is running and the --endpoint-url (or AWS_ENDPOINT_URL) is right.'
				: 'Check your network connection and proxy settings, and that the region is right.',
		);
	}
	if (name === 'TimeoutError' || errno === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
		return make(
			'timeout',
			`The request to ${scene.action} timed out.`,
			scene.isLocal
				? 'Check that the endpoint is up and answering.'
				: 'Check your network; AWS may be slow to answer from here.',
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

function credentialsError(scene: ErrorScene, message: string, cause: unknown): ServiceError {
	const isSso = /sso/i.test(message);
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

function stackHint(message: string): string {
	if (/does not exist/.test(message))
		return 'Deploy it first with `kms-tui deploy`, or pass the right --stack-name and --region.';
	if (/ROLLBACK_COMPLETE/.test(message)) {
		return 'A stack whose creation rolled back can only be deleted: run `kms-tui destroy`, then `kms-tui deploy` again.';
	}
	if (/Parameter/i.test(message))
		return 'Fix the --param value (see `kms-tui deploy --help` for the template parameters).';
	return 'Fix the template or parameters and deploy again.';
}
