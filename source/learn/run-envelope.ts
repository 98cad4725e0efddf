/**
 * Lesson 1's steps, for real: GenerateDataKey, AES-256-GCM here, the envelope, the wipe, Decrypt,
 * decrypt and compare. The plaintext data key lives in the SecretBox from step 1 to step 4 (and
 * its recovered copy within step 5–6); the envelope itself is not secret and travels in the carry.
 */
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto';
import {envelopeText} from './envelope-text.js';
import {hexPreview, maskKey, sampleText, truncate} from './format.js';
import type {Carry, Lesson, StepRun} from './lesson.js';

const noContext = {};
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const bytesOf = (carry: Carry, name: string) => Buffer.from(carry[name] ?? '', 'base64');

function need(value: Buffer | undefined, step: number): Buffer {
	if (!value) throw new Error(`Run step ${step} first.`);
	return value;
}

const steps: readonly StepRun[] = [
	async ({services, keyRef, secrets, signal}) => {
		const key = await services.keys.generateDataKey({
			keyId: keyRef,
			encryptionContext: noContext,
			signal,
		});
		secrets.set('dataKey', key.plaintext);
		return {
			result: {
				rows: [
					{label: 'Plaintext key', value: maskKey(key.plaintext)},
					{label: 'CiphertextBlob', value: `${key.ciphertextBlob.length} bytes (encrypted key)`},
					{label: 'Key ARN', value: key.keyArn},
				],
			},
			carry: {keyArn: key.keyArn, blob: b64(key.ciphertextBlob)},
		};
	},
	async ({secrets}, carry) => {
		const key = need(secrets.get('dataKey'), 1);
		const iv = randomBytes(12);
		const cipher = createCipheriv('aes-256-gcm', key, iv);
		const ciphertext = Buffer.concat([cipher.update(sampleText, 'utf8'), cipher.final()]);
		const tag = cipher.getAuthTag();
		return {
			result: {
				rows: [
					{label: 'Sample text', value: `"${sampleText}"`},
					{label: 'IV (12 bytes)', value: iv.toString('hex')},
					{label: 'Tag (16 bytes)', value: tag.toString('hex')},
					{label: 'Ciphertext', value: hexPreview(ciphertext, 24)},
				],
			},
			carry: {...carry, iv: b64(iv), tag: b64(tag), ciphertext: b64(ciphertext)},
		};
	},
	async (_context, carry) => {
		const document = {
			keyArn: carry.keyArn,
			encryptedDataKey: truncate(carry.blob ?? '', 32),
			iv: carry.iv,
			authTag: carry.tag,
			ciphertext: truncate(carry.ciphertext ?? '', 48),
		};
		return {result: {rows: [], block: JSON.stringify(document, null, 2)}};
	},
	async ({secrets}) => {
		const wiped = need(secrets.wipe('dataKey'), 1);
		return {
			result: {
				rows: [
					{label: 'Done', value: 'buffer.fill(0)'},
					{label: 'Key bytes now', value: hexPreview(wiped)},
				],
			},
		};
	},
	async ({services, secrets, signal}, carry) => {
		const key = await services.keys.decryptDataKey({
			ciphertextBlob: bytesOf(carry, 'blob'),
			encryptionContext: noContext,
			keyArn: carry.keyArn ?? '',
			signal,
		});
		secrets.set('recovered', key.plaintext);
		return {
			result: {
				rows: [
					{label: 'KMS used key', value: key.keyArn},
					{label: 'Plaintext key', value: maskKey(key.plaintext)},
				],
			},
		};
	},
	async ({secrets}, carry) => {
		const key = need(secrets.get('recovered'), 5);
		const decipher = createDecipheriv('aes-256-gcm', key, bytesOf(carry, 'iv'));
		decipher.setAuthTag(bytesOf(carry, 'tag'));
		let text: string;
		try {
			text = Buffer.concat([
				decipher.update(bytesOf(carry, 'ciphertext')),
				decipher.final(),
			]).toString('utf8');
		} finally {
			secrets.wipe('recovered');
		}
		return {
			result: {
				rows: [
					{label: 'Decrypted', value: `"${text}"`},
					{
						label: 'Compared',
						value: text === sampleText ? '✓ identical to the original' : '✗ different',
					},
					{label: 'Key copy', value: `wiped: ${hexPreview(key)}`},
				],
			},
		};
	},
];

export const envelopeLesson: Lesson = {
	...envelopeText,
	run: steps,
	// The plaintext keys are never saved: steps 2–4 need step 1's, step 6 needs step 5's. The
	// envelope (saved, not secret) is all that steps 3 and 5 need.
	resumeAt: (done) => (done >= 1 && done <= 3 ? 0 : done === 5 ? 4 : done),
};
