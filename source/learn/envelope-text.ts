/**
 * Lesson 1, envelope encryption in six steps (pure texts): why each step is done, the AWS CLI
 * call that does the same, and the kms-tui command that does it for a file.
 */
import {awsKms, localStep} from './aws-cli.js';
import type {LessonText} from './lesson.js';

export const envelopeText: LessonText = {
	id: 'envelope',
	title: 'Envelope encryption',
	summary: 'GenerateDataKey → local AES-256-GCM → envelope → wipe → Decrypt → compare',
	intro:
		'A KMS key encrypts at most 4 KB, and every byte would travel to KMS. Envelope encryption asks KMS for a data key instead, encrypts locally, and stores the data key encrypted next to the data. Each step below calls KMS or node:crypto for real.',
	outro: 'Done: that is what kms-tui encrypt and decrypt do for every file.',
	steps: [
		{
			title: 'GenerateDataKey (AES_256)',
			why: [
				'KMS makes a fresh 256-bit data key and returns it twice: in plaintext, to use now,',
				'and encrypted under the KMS key (the CiphertextBlob), to store. The KMS key itself',
				'never leaves KMS; one call per file, whatever its size.',
			],
			aws: awsKms('generate-data-key', ['--key-spec', 'AES_256']),
			cli: ['encrypt', 'FILE', '--format', 'json'],
		},
		{
			title: 'Encrypt the data locally (AES-256-GCM)',
			why: [
				'The data is encrypted here with the plaintext data key: fast, any size, no upload.',
				'GCM needs a random 12-byte IV and yields a 16-byte tag that detects any change.',
			],
			aws: localStep,
			cli: ['encrypt', 'FILE', '--format', 'json'],
		},
		{
			title: 'Store the envelope',
			why: [
				'Ciphertext, IV, tag and the ENCRYPTED data key travel together: the envelope.',
				'It is safe to store anywhere; only someone allowed to use the KMS key can open it.',
			],
			aws: localStep,
			cli: ['inspect', 'FILE.kms.json'],
		},
		{
			title: 'Wipe the plaintext data key',
			why: [
				'The plaintext key is no longer needed: overwrite its bytes with buffer.fill(0), so',
				'it cannot leak from memory, a log or a crash dump. The envelope keeps the rest.',
			],
			aws: localStep,
			cli: ['encrypt', 'FILE'],
		},
		{
			title: 'Decrypt the data key with KMS',
			why: [
				'To read the data, send the CiphertextBlob to KMS Decrypt. KMS checks the caller may',
				'use the key (and the encryption context) and returns the plaintext data key.',
			],
			aws: awsKms('decrypt', ['--ciphertext-blob', 'fileb://data-key.bin', '--key-id', 'KEY'], ''),
			cli: ['decrypt', 'FILE.kms.json'],
		},
		{
			title: 'Decrypt the data locally and compare',
			why: [
				'AES-256-GCM with the recovered key, the IV and the tag: a wrong key or a changed',
				'byte fails instead of giving garbage. Then that key copy is wiped too.',
			],
			aws: localStep,
			cli: ['decrypt', 'FILE.kms.json'],
		},
	],
};
