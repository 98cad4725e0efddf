/**
 * The wrapped-key list of a re-wrap (rewrap.ts, and the SDK messages' esdk/rewrap.ts): what a
 * RewrapPlan makes of the current list, each new entry made by one KMS ReEncrypt so that the
 * plaintext data key never leaves KMS.
 */
import type {DataKeyProvider} from './data-key-provider.js';
import {EnvelopeError, throwIfAborted} from './errors.js';
import {MAX_WRAPPED_KEYS} from './format.js';
import {kmsFailure, unwrapDataKey, type WrappedKey} from './wrapped-keys.js';

export type KeyRef = {readonly keyArn: string; readonly keyMaterialId?: string};

export type RewrapPlan = {
	/** The new wrapped-key list is exactly these keys (in this order). */
	readonly to?: readonly string[];
	readonly addKeys?: readonly string[];
	readonly removeKeys?: readonly string[];
}; // none of the three: every wrapped key re-wrapped under the same key (its newest material)

export function keyRefsOf(keys: readonly {keyArn: string; keyMaterialId?: string}[]): KeyRef[] {
	return keys.map(({keyArn, keyMaterialId}) => ({
		keyArn,
		...(keyMaterialId === undefined ? {} : {keyMaterialId}),
	}));
}

/** Does the user's reference name this ARN? The ARN itself, or its key id (`key/<id>`). */
export function namesKey(reference: string, keyArn: string): boolean {
	return reference === keyArn || keyArn.endsWith(`:key/${reference}`);
}

/**
 * The new wrapped-key list for `plan` (RewrapPlan), each new entry made by one KMS ReEncrypt from
 * a wrapped key that opens (tried in stored order, the last that worked first: ReEncrypt proves
 * it opens). Entries a plan keeps are kept as they are. Shared with the SDK messages' rewrap
 * (their EDKs are the same thing), where `destinationContext` differs for signed suites.
 */
export async function rewrapWrappedKeys(options: {
	readonly current: readonly WrappedKey[];
	readonly plan: RewrapPlan;
	readonly provider: DataKeyProvider;
	readonly sourceContext: Readonly<Record<string, string>>;
	/** @default sourceContext */
	readonly destinationContext?: Readonly<Record<string, string>>;
	/** Re-wrap even entries the plan would keep (an SDK message's new context needs it). */
	readonly rewrapKept?: boolean;
	readonly signal?: AbortSignal;
	readonly label: string;
	readonly onNotice?: (message: string) => void;
}): Promise<WrappedKey[]> {
	const {current, plan, label} = options;
	const sources = [...current];
	const reEncrypt = async (destination: string): Promise<WrappedKey> => {
		// ReEncrypt runs in the source key's region and reaches only keys of that region: for a
		// destination ARN of another region, only the sources there can work.
		const region = regionOf(destination);
		const candidates =
			region === undefined ? sources : sources.filter((key) => regionOf(key.keyArn) === region);
		if (candidates.length === 0) return acrossRegions(destination);
		const failures: {keyArn: string; error: unknown}[] = [];
		for (const source of candidates) {
			throwIfAborted(label, options.signal);
			try {
				const result = await options.provider.reEncryptDataKey({
					ciphertextBlob: source.encryptedDataKey,
					sourceKeyArn: source.keyArn,
					destinationKeyId: destination,
					sourceEncryptionContext: options.sourceContext,
					...(options.destinationContext
						? {destinationEncryptionContext: options.destinationContext}
						: {}),
					signal: options.signal,
				});
				// The source that worked is tried first for the next destination.
				sources.unshift(...sources.splice(sources.indexOf(source), 1));
				return {
					keyArn: result.keyArn,
					encryptedDataKey: result.ciphertextBlob,
					...(result.keyMaterialId === undefined ? {} : {keyMaterialId: result.keyMaterialId}),
				};
			} catch (error) {
				throwIfAborted(label, options.signal);
				failures.push({keyArn: source.keyArn, error});
			}
		}
		throw reEncryptFailed(destination, failures, label);
	};
	/**
	 * No wrapped key lives in the destination's region, and ReEncrypt does not cross regions: the
	 * data key is decrypted in a source's region and encrypted under the destination in its own,
	 * as `encrypt` does for each extra --key. Said, because the data key then passes through here.
	 */
	const acrossRegions = async (destination: string): Promise<WrappedKey> => {
		const opened = await unwrapDataKey(
			options.provider,
			sources,
			options.sourceContext,
			label,
			options.signal,
		).catch((error: unknown) => {
			throw error instanceof EnvelopeError && error.code === 'kms' ? unchanged(error) : error;
		});
		try {
			throwIfAborted(label, options.signal);
			let encrypted: Awaited<ReturnType<DataKeyProvider['encryptDataKey']>>;
			try {
				encrypted = await options.provider.encryptDataKey({
					plaintext: opened.plaintext,
					keyId: destination,
					encryptionContext: options.destinationContext ?? options.sourceContext,
					signal: options.signal,
				});
			} catch (error) {
				throwIfAborted(label, options.signal);
				throw unchanged(
					kmsFailure(error, `KMS could not encrypt the data key under ${destination}`, label),
				);
			}
			options.onNotice?.(
				`${label}: no key it is wrapped under is in ${regionOf(destination)}, and KMS ReEncrypt stays within one region — so the data key was decrypted under ${opened.keyArn} and encrypted under ${destination} here, as encrypt does for each extra --key.`,
			);
			return {keyArn: encrypted.keyArn, encryptedDataKey: encrypted.ciphertextBlob};
		} finally {
			opened.plaintext.fill(0);
		}
	};
	const unique = (keys: readonly WrappedKey[]) =>
		keys.filter((key, index) => keys.findIndex((other) => other.keyArn === key.keyArn) === index);

	let result: WrappedKey[];
	if (plan.to !== undefined) {
		result = [];
		for (const destination of [...new Set(plan.to)]) result.push(await reEncrypt(destination));
	} else if (plan.addKeys?.length || plan.removeKeys?.length) {
		for (const reference of plan.removeKeys ?? []) {
			if (!current.some((key) => namesKey(reference, key.keyArn))) {
				throw new EnvelopeError(
					'invalid-argument',
					`${label}: it is not wrapped under ${reference} (its keys: ${current.map((key) => key.keyArn).join(', ')}); the file is unchanged — check --remove-key.`,
				);
			}
		}
		const kept = current.filter(
			(key) => !(plan.removeKeys ?? []).some((reference) => namesKey(reference, key.keyArn)),
		);
		if (kept.length === 0 && !plan.addKeys?.length) {
			throw new EnvelopeError(
				'invalid-argument',
				`${label}: removing ${(plan.removeKeys ?? []).join(', ')} would leave no key that can open it; the file is unchanged — add another key first (--add-key).`,
			);
		}
		result = [];
		for (const key of kept) result.push(options.rewrapKept ? await reEncrypt(key.keyArn) : key);
		for (const reference of [...new Set(plan.addKeys ?? [])]) {
			const present = result.find((key) => namesKey(reference, key.keyArn));
			if (present) {
				options.onNotice?.(`${label}: already wrapped under ${present.keyArn}; kept as it is.`);
				continue;
			}
			const added = await reEncrypt(reference);
			if (result.some((key) => key.keyArn === added.keyArn)) {
				options.onNotice?.(`${label}: already wrapped under ${added.keyArn}; kept as it is.`);
				continue;
			}
			result.push(added);
		}
	} else {
		// No plan: each key again, under its newest key material.
		result = [];
		for (const key of unique(current)) result.push(await reEncrypt(key.keyArn));
	}
	result = unique(result);
	if (result.length > MAX_WRAPPED_KEYS) {
		throw new EnvelopeError(
			'invalid-argument',
			`${label}: that makes ${result.length} wrapped keys; an envelope holds at most ${MAX_WRAPPED_KEYS}. The file is unchanged — remove some (--remove-key).`,
		);
	}
	return result;
}

/** The region an ARN names (`arn:aws:kms:REGION:…`), if it is an ARN. */
function regionOf(reference: string): string | undefined {
	return /^arn:[^:]+:kms:([^:]+):/.exec(reference)?.[1];
}

/** A kms failure worded for a file that was not touched. */
function unchanged(error: EnvelopeError): EnvelopeError {
	return new EnvelopeError(
		error.code,
		error.message.replace(/ Nothing was written\.$/, ' The file is unchanged.'),
		{cause: error.cause},
	);
}

function reEncryptFailed(
	destination: string,
	failures: readonly {keyArn: string; error: unknown}[],
	label: string,
): EnvelopeError {
	const [only] = failures;
	if (failures.length === 1 && only) {
		return unchanged(
			kmsFailure(
				only.error,
				`KMS could not re-wrap the data key from ${only.keyArn} under ${destination}`,
				label,
			),
		);
	}
	const list = failures
		.map(({keyArn, error}) => `\n  - from ${keyArn}: ${(error as Error)?.message ?? String(error)}`)
		.join('');
	return new EnvelopeError(
		'kms',
		`${label}: KMS could not re-wrap the data key under ${destination} from any of its ${failures.length} wrapped keys:${list}\nThe file is unchanged.`,
		{cause: failures[0]?.error},
	);
}
