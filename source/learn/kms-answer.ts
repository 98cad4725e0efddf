/**
 * What KMS answered when a lesson expects a refusal: the exception name and KMS's own message, as
 * the SDK received them (the ServiceError's cause), not kms-tui's rewording.
 */
import {ServiceError, type ServiceErrorKind} from '../service/index.js';

export type KmsAnswer = {readonly code: string; readonly message: string};

/**
 * Runs `work`, which KMS should refuse with an error of one of `kinds`: that refusal, or what
 * `work` returned when KMS accepted it. Any other failure (network, abort) is rethrown.
 */
export async function expectRefusal<T>(
	work: () => Promise<T>,
	kinds: readonly ServiceErrorKind[],
): Promise<{refused: KmsAnswer} | {accepted: T}> {
	try {
		return {accepted: await work()};
	} catch (error) {
		if (!(error instanceof ServiceError) || !kinds.includes(error.kind)) throw error;
		const cause = error.cause as {message?: unknown} | undefined;
		const message = typeof cause?.message === 'string' ? cause.message : '';
		return {refused: {code: error.code ?? error.kind, message}};
	}
}
