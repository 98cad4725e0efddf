/**
 * The texts of the Learn screen (pure): envelope encryption in six steps, each with why it is
 * done, the AWS CLI call that does the same, and the kms-tui command that does it for a file.
 * Also the formatting of byte values, so that no secret is ever turned into more than a mask.
 */
import {shellQuote} from '../session-context.js';

export type LearnStep = {
	readonly title: string;
	/** Two or three short lines: why this step exists. */
	readonly why: readonly string[];
	/**
	 * The AWS CLI equivalent for a key reference and the options that reach the target (see
	 * session-context.ts awsCliFlags), or a note that the step is local.
	 */
	readonly aws: (keyRef: string, targetFlags: string) => string;
	/** The kms-tui command that does this as part of a file (after `kms-tui`). */
	readonly cli: readonly string[];
};

/** What step 2 encrypts and step 6 must get back. */
export const sampleText = 'Meet me at the old oak tree at noon. Bring the map.';

const local = () => '(none: this step is local, KMS never sees the data)';

export const learnSteps: readonly LearnStep[] = [
	{
		title: 'GenerateDataKey (AES_256)',
		why: [
			'KMS makes a fresh 256-bit data key and returns it twice: in plaintext, to use now,',
			'and encrypted under the KMS key (the CiphertextBlob), to store. The KMS key itself',
			'never leaves KMS; one call per file, whatever its size.',
		],
		aws: (keyRef, target) =>
			`aws kms generate-data-key --key-id ${shellQuote(keyRef)} --key-spec AES_256${target ? ` ${target}` : ''}`,
		cli: ['encrypt', 'FILE', '--format', 'json'],
	},
	{
		title: 'Encrypt the data locally (AES-256-GCM)',
		why: [
			'The data is encrypted here with the plaintext data key: fast, any size, no upload.',
			'GCM needs a random 12-byte IV and yields a 16-byte tag that detects any change.',
		],
		aws: local,
		cli: ['encrypt', 'FILE', '--format', 'json'],
	},
	{
		title: 'Store the envelope',
		why: [
			'Ciphertext, IV, tag and the ENCRYPTED data key travel together: the envelope.',
			'It is safe to store anywhere; only someone allowed to use the KMS key can open it.',
		],
		aws: local,
		cli: ['inspect', 'FILE.kms.json'],
	},
	{
		title: 'Wipe the plaintext data key',
		why: [
			'The plaintext key is no longer needed: overwrite its bytes with buffer.fill(0), so',
			'it cannot leak from memory, a log or a crash dump. The envelope keeps the rest.',
		],
		aws: local,
		cli: ['encrypt', 'FILE'],
	},
	{
		title: 'Decrypt the data key with KMS',
		why: [
			'To read the data, send the CiphertextBlob to KMS Decrypt. KMS checks the caller may',
			'use the key (and the encryption context) and returns the plaintext data key.',
		],
		aws: (keyRef, target) =>
			`aws kms decrypt --ciphertext-blob fileb://data-key.bin --key-id ${shellQuote(keyRef)}${target ? ` ${target}` : ''}`,
		cli: ['decrypt', 'FILE.kms.json'],
	},
	{
		title: 'Decrypt the data locally and compare',
		why: [
			'AES-256-GCM with the recovered key, the IV and the tag: a wrong key or a changed',
			'byte fails instead of giving garbage. Then that key copy is wiped too.',
		],
		aws: local,
		cli: ['decrypt', 'FILE.kms.json'],
	},
];

/** `a1 b2 •••• (32 bytes)`: the first two bytes only, enough to see it change, never to use it. */
export function maskKey(key: Uint8Array): string {
	const head = Array.from(key.subarray(0, 2), (byte) => byte.toString(16).padStart(2, '0'));
	return `${head.join(' ')} •••• (${key.length} bytes)`;
}

/** `00 00 00 … (32 bytes)`: the first bytes of a NON-secret (or wiped) buffer. */
export function hexPreview(bytes: Uint8Array, count = 3): string {
	const head = Array.from(bytes.subarray(0, count), (byte) => byte.toString(16).padStart(2, '0'));
	return `${head.join(' ')}${bytes.length > count ? ' …' : ''} (${bytes.length} bytes)`;
}

export function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
