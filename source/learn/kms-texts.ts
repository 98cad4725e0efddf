/**
 * Lessons 2–6 (pure texts): what KMS does around envelopes — the 4 KB limit, encryption context,
 * tampering, keys without plaintext and ReEncrypt, rotation. Each step says why, and the AWS CLI
 * and kms-tui commands that do the same on the learner's target.
 */
import {awsKms, localStep} from './aws-cli.js';
import type {LessonText} from './lesson.js';

/** The context lesson 3 encrypts under, and the wrong one it then tries. */
export const lessonContext = {purpose: 'learn', file: 'notes.txt'} as const;
export const wrongContext = {purpose: 'learn', file: 'other.txt'} as const;

/** The largest plaintext KMS Encrypt takes (fact sheet: Encrypt, Plaintext 1–4096 B). */
export const directEncryptLimit = 4096;

const contextFlag = (context: Readonly<Record<string, string>>) =>
	Object.entries(context)
		.map(([name, value]) => `${name}=${value}`)
		.join(',');

export const whyEnvelopesText: LessonText = {
	id: 'why-envelopes',
	title: 'Why envelopes',
	summary: 'A direct Encrypt takes 4096 bytes, not one more; a data key has no limit',
	intro:
		'KMS Encrypt takes the data itself, at most 4096 bytes of it. This lesson sends 4096 bytes to the current key, then 4097, then shows how a data key removes the limit.',
	outro: 'So kms-tui encrypt always uses a data key: one GenerateDataKey per file, any size.',
	steps: [
		{
			title: 'Encrypt 4096 bytes directly',
			why: [
				'KMS Encrypt sends the plaintext to KMS, which encrypts it under the KMS key and',
				'returns the ciphertext. 4096 bytes is the most it takes: this call sends exactly that.',
			],
			aws: awsKms('encrypt', ['--plaintext', 'fileb://4096.bin']),
			cli: ['encrypt', '4096.bin'],
		},
		{
			title: 'Encrypt 4097 bytes directly',
			why: [
				'One byte more and KMS rejects the request before any key is used. What follows is',
				"KMS's own answer, as every SDK and the AWS CLI receive it.",
			],
			aws: awsKms('encrypt', ['--plaintext', 'fileb://4097.bin']),
			cli: ['encrypt', '4097.bin'],
		},
		{
			title: 'GenerateDataKey + local AES-256-GCM',
			why: [
				'A data key is 32 bytes, so KMS only ever handles 32 bytes; the data is encrypted',
				'here, whatever its size. This step encrypts 1 MiB with one KMS call, then wipes the key.',
			],
			aws: awsKms('generate-data-key', ['--key-spec', 'AES_256']),
			cli: ['encrypt', 'big.bin'],
		},
	],
};

export const contextText: LessonText = {
	id: 'context',
	title: 'Encryption context',
	summary: 'Decrypt needs the exact pairs used to encrypt: KMS binds them as AAD',
	intro:
		'An encryption context is a set of name=value pairs given to Encrypt. KMS binds it to the ciphertext as additional authenticated data (AAD): not encrypted, but required, unchanged, to decrypt.',
	outro:
		'kms-tui stores the context in the envelope header and hands it to KMS itself; decrypt --context checks that the pairs you expect are there.',
	steps: [
		{
			title: `Encrypt with ${contextFlag(lessonContext)}`,
			why: [
				'The pairs say what the data is (which file, tenant or purpose). KMS authenticates',
				'them with the ciphertext, so this ciphertext now belongs to exactly this context.',
			],
			aws: awsKms('encrypt', [
				'--plaintext',
				'fileb://notes.txt',
				'--encryption-context',
				contextFlag(lessonContext),
			]),
			cli: ['encrypt', 'notes.txt', '--context', 'purpose=learn', '--context', 'file=notes.txt'],
		},
		{
			title: `Decrypt with a wrong context (${contextFlag(wrongContext)})`,
			why: [
				'The same ciphertext with one pair changed: KMS refuses with InvalidCiphertextException',
				'and says nothing more, so a caller cannot tell a wrong context from a corrupt blob.',
			],
			aws: awsKms(
				'decrypt',
				[
					'--ciphertext-blob',
					'fileb://notes.bin',
					'--encryption-context',
					contextFlag(wrongContext),
				],
				'',
			),
			cli: ['decrypt', 'notes.txt.kms', '--context', 'file=other.txt'],
		},
		{
			title: 'Decrypt with the right context',
			why: [
				'The exact pairs (order does not matter, case does): KMS decrypts. The context is',
				'not secret: CloudTrail logs it with every Encrypt and Decrypt, which says what each',
				'call was for. Never put a secret in it.',
			],
			aws: awsKms(
				'decrypt',
				[
					'--ciphertext-blob',
					'fileb://notes.bin',
					'--encryption-context',
					contextFlag(lessonContext),
				],
				'',
			),
			cli: ['decrypt', 'notes.txt.kms', '--context', 'file=notes.txt'],
		},
	],
};

export const tamperText: LessonText = {
	id: 'tamper',
	title: 'Tamper',
	summary: 'Flip one byte of an envelope: decrypt refuses and writes nothing',
	intro:
		'An envelope is authenticated, not only encrypted: AES-256-GCM tags every frame. This lesson makes an envelope in a temp dir of its own, changes one byte, and decrypts it.',
	outro:
		'kms-tui decrypt writes to a temp file and renames it only once the last frame verified: a changed file never leaves plaintext behind. The lesson removed its temp dir.',
	steps: [
		{
			title: 'Make an envelope',
			why: [
				'kms-tui encrypt: one GenerateDataKey, the note encrypted locally in one frame, and',
				'the wrapped data key in the header line.',
			],
			aws: awsKms('generate-data-key', ['--key-spec', 'AES_256']),
			cli: ['encrypt', 'note.txt'],
		},
		{
			title: 'Flip one byte of the ciphertext',
			why: [
				'One bit of one byte of the body changes. The header is untouched, so inspect still',
				'reads it: nothing looks wrong until the data is decrypted.',
			],
			aws: localStep,
			cli: ['inspect', 'note.txt.kms'],
		},
		{
			title: 'Decrypt: refused, nothing written',
			why: [
				'KMS still returns the data key (the header is intact), but the frame’s GCM tag no',
				'longer matches: decrypt stops, and the output file never appears.',
			],
			aws: awsKms('decrypt', ['--ciphertext-blob', 'fileb://data-key.bin'], ''),
			cli: ['decrypt', 'note.txt.kms', '-o', 'note.decrypted.txt'],
		},
	],
};

export const reEncryptText: LessonText = {
	id: 'reencrypt',
	title: 'Keys without plaintext, ReEncrypt',
	summary: 'A data key for later, and moving it to other key material unseen',
	intro:
		'Two calls that never give you a data key: GenerateDataKeyWithoutPlaintext, for a producer that stores a key now so that someone encrypts with it later, and ReEncrypt, which moves a wrapped data key to another key or key material inside KMS.',
	outro:
		'kms-tui rewrap uses ReEncrypt the same way: it rewrites an envelope’s header, never its data.',
	steps: [
		{
			title: 'GenerateDataKeyWithoutPlaintext',
			why: [
				'KMS makes a data key and returns only its encrypted form: nothing secret travels.',
				'A service that prepares keys for others (or for later) stores this blob; whoever may',
				'Decrypt it gets the key when it needs it.',
			],
			aws: awsKms('generate-data-key-without-plaintext', ['--key-spec', 'AES_256']),
			cli: ['encrypt', 'FILE'],
		},
		{
			title: 'ReEncrypt under the current key material',
			why: [
				'KMS decrypts the blob and encrypts the same data key again under the destination',
				'key (here the same key, so its current material) in one call: the plaintext never',
				'leaves KMS. It moves data to a new key, or onto the newest material after a rotation.',
			],
			aws: awsKms(
				're-encrypt',
				['--ciphertext-blob', 'fileb://data-key.bin', '--destination-key-id', 'KEY'],
				'',
			),
			cli: ['rewrap', 'FILE.kms'],
		},
		{
			title: 'Decrypt both: one data key',
			why: [
				'Both blobs are decrypted and the two keys compared by fingerprint (SHA-256, first 8',
				'bytes; the keys are never shown, and wiped at once): equal means ReEncrypt kept the',
				'data key, so every file it protects still opens.',
			],
			aws: awsKms('decrypt', ['--ciphertext-blob', 'fileb://data-key-2.bin'], ''),
			cli: ['decrypt', 'FILE.kms'],
		},
	],
};

export const rotationText: LessonText = {
	id: 'rotation',
	title: 'Rotation',
	summary: 'Rotate on demand: old envelopes still open, with the old key material',
	intro:
		'Rotating a KMS key gives it new key material for new encryptions and keeps every older material for decrypting. The key id, ARN, aliases and policy stay the same.',
	outro:
		'Nothing had to be re-encrypted. To move old data onto the new material anyway, use ReEncrypt (kms-tui rewrap).',
	steps: [
		{
			title: 'Encrypt before rotating',
			why: [
				'Encrypt the sample, then Decrypt it: Decrypt says which key material',
				'(KeyMaterialId) opened it. That is the key’s current material.',
			],
			aws: awsKms('encrypt', ['--plaintext', 'fileb://before.txt']),
			cli: ['encrypt', 'before.txt'],
		},
		{
			title: 'Rotate now (RotateKeyOnDemand)',
			why: [
				'New key material becomes current, whatever the automatic schedule. A key has 25',
				'on-demand rotations in its whole life; this uses one.',
			],
			aws: awsKms('rotate-key-on-demand'),
			cli: ['rotation', 'rotate-now'],
			changesKey: {
				warning: 'Rotate this key now? That uses 1 of its 25 on-demand rotations, for good.',
			},
		},
		{
			title: 'Encrypt after, decrypt both',
			why: [
				'The new ciphertext uses the new material; the old one still decrypts, with the old',
				'material, which KMS keeps. Nothing has to be re-encrypted after a rotation.',
			],
			aws: awsKms('list-key-rotations'),
			cli: ['rotation', 'history'],
		},
	],
};
