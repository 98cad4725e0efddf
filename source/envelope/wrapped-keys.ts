/**
 * One data key under several KMS keys (docs/FORMAT.md §3): GenerateDataKey under the first key,
 * KMS Encrypt of the same data key under each other one — what the AWS Encryption SDK does with
 * several keyrings. Decrypt tries the wrapped keys in their stored order and takes the first that
 * opens, so a disabled, deleted or out-of-region key does not lock the file while another works.
 *
 * Shared by the kms-tui envelope and the AWS Encryption SDK writer (source/esdk/encrypt.ts).
 */
import type {DataKeyProvider} from './data-key-provider.js';
import {abortError, EnvelopeError, throwIfAborted} from './errors.js';
import {MAX_WRAPPED_KEYS} from './format.js';

export {MAX_WRAPPED_KEYS};

export type WrappedKey = {
	readonly keyArn: string;
	readonly encryptedDataKey: Uint8Array;
	/** The KeyMaterialId KMS reported for it (GenerateDataKey, ReEncrypt), if any. */
	readonly keyMaterialId?: string;
};

/**
 * GenerateDataKey under keyIds[0], KMS Encrypt of the same data key under each other one, in
 * order. `wrapped` holds one entry per distinct key ARN KMS reported (an alias and the ARN of
 * the key it points at are one key: the second adds nothing and is left out). The caller owns `plaintext` and must
 * zero it (`.fill(0)`) as soon as its keys are derived. Any failure throws EnvelopeError ('kms',
 * naming the key that failed; 'aborted'; 'invalid-argument' for an empty, repeated or too long
 * list), with the data key already zeroed. `label` starts each message (the file name).
 */
export async function wrapNewDataKey(
	provider: DataKeyProvider,
	keyIds: readonly string[],
	encryptionContext: Readonly<Record<string, string>>,
	signal?: AbortSignal,
	label = 'encrypt',
): Promise<{plaintext: Buffer; wrapped: WrappedKey[]}> {
	checkKeyIds(keyIds, label);
	const [first, ...others] = keyIds as [string, ...string[]];
	let generated: Awaited<ReturnType<DataKeyProvider['generateDataKey']>>;
	try {
		generated = await provider.generateDataKey({keyId: first, encryptionContext, signal});
	} catch (error) {
		if (signal?.aborted) throw abortError(label, signal);
		throw kmsFailure(error, `could not get a data key from KMS for ${first}`, label);
	}
	const {plaintext} = generated;
	try {
		throwIfAborted(label, signal);
		const wrapped: WrappedKey[] = [
			{
				keyArn: generated.keyArn,
				encryptedDataKey: generated.ciphertextBlob,
				...(generated.keyMaterialId === undefined ? {} : {keyMaterialId: generated.keyMaterialId}),
			},
		];
		// One after the other: the order of the list is the order decrypt tries them in, and a
		// failure names the first key that failed.
		for (const keyId of others) {
			let encrypted: Awaited<ReturnType<DataKeyProvider['encryptDataKey']>>;
			try {
				encrypted = await provider.encryptDataKey({plaintext, keyId, encryptionContext, signal});
			} catch (error) {
				if (signal?.aborted) throw abortError(label, signal);
				throw kmsFailure(
					error,
					`KMS could not encrypt the data key under the extra key ${keyId}`,
					label,
				);
			}
			throwIfAborted(label, signal);
			if (wrapped.some((key) => key.keyArn === encrypted.keyArn)) continue;
			wrapped.push({keyArn: encrypted.keyArn, encryptedDataKey: encrypted.ciphertextBlob});
		}
		return {plaintext, wrapped};
	} catch (error) {
		plaintext.fill(0);
		throw error;
	}
}

function checkKeyIds(keyIds: readonly string[], label: string): void {
	if (keyIds.length === 0) {
		throw new EnvelopeError('invalid-argument', `${label}: no KMS key given — pass --key.`);
	}
	if (keyIds.length > MAX_WRAPPED_KEYS) {
		throw new EnvelopeError(
			'invalid-argument',
			`${label}: ${keyIds.length} keys given; an envelope holds at most ${MAX_WRAPPED_KEYS} — pass fewer --key options.`,
		);
	}
	const repeated = keyIds.find((keyId, index) => keyIds.indexOf(keyId) !== index);
	if (repeated !== undefined) {
		throw new EnvelopeError(
			'invalid-argument',
			`${label}: the key ${repeated} is given twice — give each --key once.`,
		);
	}
	if (keyIds.some((keyId) => keyId.length === 0)) {
		throw new EnvelopeError('invalid-argument', `${label}: an empty --key was given.`);
	}
}

/**
 * Tries each wrapped key in order with Decrypt; the first that opens wins. When none does,
 * throws EnvelopeError('kms', …) naming every key tried and why each failed (disabled, not found,
 * access denied …); a cancel throws EnvelopeError('aborted') at once. The caller owns `plaintext`
 * and must zero it as soon as its keys are derived.
 */
export async function unwrapDataKey(
	provider: DataKeyProvider,
	wrapped: readonly WrappedKey[],
	encryptionContext: Readonly<Record<string, string>>,
	label: string,
	signal?: AbortSignal,
): Promise<{plaintext: Buffer; keyArn: string; index: number}> {
	const failures: {keyArn: string; error: unknown}[] = [];
	for (const [index, key] of wrapped.entries()) {
		throwIfAborted(label, signal);
		try {
			const opened = await provider.decryptDataKey({
				ciphertextBlob: key.encryptedDataKey,
				encryptionContext,
				keyArn: key.keyArn,
				signal,
			});
			return {plaintext: opened.plaintext, keyArn: opened.keyArn, index};
		} catch (error) {
			if (signal?.aborted) throw abortError(label, signal);
			failures.push({keyArn: key.keyArn, error});
		}
	}
	throw noKeyOpened(failures, label);
}

function noKeyOpened(failures: readonly {keyArn: string; error: unknown}[], label: string) {
	if (failures.length === 1) {
		const [only] = failures as [{keyArn: string; error: unknown}];
		return kmsFailure(only.error, `KMS could not decrypt the data key (key ${only.keyArn})`, label);
	}
	if (failures.length === 0) {
		return new EnvelopeError('kms', `${label}: the envelope holds no wrapped data key.`);
	}
	// One line per key: a list of ARNs and reasons on one line is hard to read.
	const list = failures
		.map(({keyArn, error}, index) => `\n  ${index + 1}. ${keyArn}: ${reasonOf(error)}`)
		.join('');
	const hints = [...new Set(failures.map(({error}) => hintOf(error)).filter(Boolean))];
	const hint = hints.length > 0 ? `\n${hints.join(' ')}` : '';
	return new EnvelopeError(
		'kms',
		`${label}: none of the ${failures.length} KMS keys of the envelope could decrypt the data key:${list}${hint}\nNothing was written.`,
		{cause: failures[0]?.error},
	);
}

/** Short reasons for the service layer's error kinds (service-error.ts); else its message. */
const reasons: Record<string, string> = {
	disabled: 'the key is disabled',
	'not-found': 'the key was not found (deleted, or in another account or region)',
	'wrong-region': 'the key is in another region',
	'access-denied': 'access denied',
	'pending-deletion': 'the key is pending deletion',
	'invalid-state': 'the key is not usable in its current state',
	'invalid-ciphertext':
		'KMS refused the wrapped data key (another encryption context, or it was modified)',
	'incorrect-key': 'the wrapped data key was made under another key',
	'sandbox-key': 'a sandbox key, unknown to AWS',
	credentials: 'no valid AWS credentials',
	network: 'KMS could not be reached',
	timeout: 'KMS did not answer in time',
	throttled: 'throttled by KMS',
};

function reasonOf(error: unknown): string {
	const kind = (error as {kind?: unknown})?.kind;
	if (typeof kind === 'string' && Object.hasOwn(reasons, kind)) return reasons[kind] as string;
	const name = (error as {name?: unknown})?.name;
	const message = (error as {message?: unknown})?.message;
	if (typeof message === 'string' && message.length > 0) {
		return typeof name === 'string' && name !== 'Error' && name !== 'ServiceError'
			? `${name}: ${message}`
			: message;
	}
	return String(error);
}

function hintOf(error: unknown): string | undefined {
	const hint = (error as {hint?: unknown})?.hint;
	return typeof hint === 'string' && hint.length > 0 ? hint : undefined;
}

/** Wraps a provider failure; keeps the service's own message and hint (they never hold key bytes). */
export function kmsFailure(error: unknown, what: string, label: string): EnvelopeError {
	const detail = (error as {message?: unknown})?.message;
	const hint = hintOf(error);
	return new EnvelopeError(
		'kms',
		`${label}: ${what}.${typeof detail === 'string' ? ` ${detail}` : ''}${hint ? ` ${hint}` : ''} Nothing was written.`,
		{cause: error},
	);
}
