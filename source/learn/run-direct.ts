/**
 * Lessons 2 and 3, for real: direct KMS Encrypt at and over its 4096-byte limit, then a data key
 * with local AES; and encryption context, refused when wrong. A lax endpoint that accepts what
 * AWS refuses is shown as such, never as AWS's behaviour.
 */
import {createCipheriv, randomBytes} from 'node:crypto';
import {sampleText} from './format.js';
import {expectRefusal} from './kms-answer.js';
import {
	contextText,
	directEncryptLimit,
	lessonContext,
	whyEnvelopesText,
	wrongContext,
} from './kms-texts.js';
import type {Lesson, StepContext, StepRun} from './lesson.js';

const noContext = {};
const mebibyte = 1024 * 1024;

function encryptDirect({services, keyRef, signal}: StepContext, bytes: number) {
	return services.keys.encryptDataKey({
		plaintext: Buffer.alloc(bytes, 0x61),
		keyId: keyRef,
		encryptionContext: noContext,
		signal,
	});
}

const whyEnvelopesSteps: readonly StepRun[] = [
	async (context) => {
		const output = await encryptDirect(context, directEncryptLimit);
		return {
			result: {
				rows: [
					{label: 'Sent to KMS', value: `${directEncryptLimit} bytes of plaintext`},
					{label: 'KMS answered', value: `✓ a ${output.ciphertextBlob.length}-byte CiphertextBlob`},
					{label: 'Key ARN', value: output.keyArn},
				],
			},
		};
	},
	async (context) => {
		const bytes = directEncryptLimit + 1;
		const outcome = await expectRefusal(() => encryptDirect(context, bytes), ['validation']);
		const rows =
			'refused' in outcome
				? [
						{label: 'Sent to KMS', value: `${bytes} bytes of plaintext`},
						{label: 'KMS refused', value: `✘ ${outcome.refused.code}`},
						{label: 'Message', value: outcome.refused.message},
					]
				: [
						{label: 'Sent to KMS', value: `${bytes} bytes of plaintext`},
						{
							label: 'Endpoint',
							value: `✗ accepted it: this endpoint does not enforce KMS's ${directEncryptLimit}-byte limit (AWS answers ValidationException)`,
						},
					];
		return {result: {rows}};
	},
	async ({services, keyRef, secrets, signal}) => {
		const key = await services.keys.generateDataKey({
			keyId: keyRef,
			encryptionContext: noContext,
			signal,
		});
		secrets.set('dataKey', key.plaintext);
		const data = randomBytes(mebibyte);
		const started = performance.now();
		const cipher = createCipheriv('aes-256-gcm', key.plaintext, randomBytes(12));
		const sealed = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
		const elapsed = performance.now() - started;
		secrets.wipe('dataKey');
		return {
			result: {
				rows: [
					{label: 'KMS calls', value: '1 GenerateDataKey (32-byte key; none of the data)'},
					{
						label: 'Encrypted here',
						value: `${mebibyte} bytes → ${sealed.length} bytes (AES-256-GCM)`,
					},
					{label: 'Took', value: `${elapsed.toFixed(1)} ms locally`},
					{label: 'Data key', value: 'wiped (buffer.fill(0))'},
				],
			},
		};
	},
];

export const whyEnvelopesLesson: Lesson = {
	...whyEnvelopesText,
	run: whyEnvelopesSteps,
	resumeAt: (done) => done,
};

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function decryptUnder(
	{services, signal}: StepContext,
	carry: Readonly<Record<string, string>>,
	encryptionContext: Readonly<Record<string, string>>,
) {
	return services.keys.decryptDataKey({
		ciphertextBlob: Buffer.from(carry.blob ?? '', 'base64'),
		encryptionContext,
		keyArn: carry.keyArn ?? '',
		signal,
	});
}

/** The decrypted sample as text, its bytes zeroed (it is the lesson's data, treated as a secret). */
function textOf(plaintext: Buffer): string {
	const text = plaintext.toString('utf8');
	plaintext.fill(0);
	return text;
}

const contextSteps: readonly StepRun[] = [
	async ({services, keyRef, signal}) => {
		const output = await services.keys.encryptDataKey({
			plaintext: Buffer.from(sampleText, 'utf8'),
			keyId: keyRef,
			encryptionContext: lessonContext,
			signal,
		});
		return {
			result: {
				rows: [
					{label: 'Plaintext', value: `"${sampleText}"`},
					{label: 'Context', value: JSON.stringify(lessonContext)},
					{label: 'CiphertextBlob', value: `${output.ciphertextBlob.length} bytes`},
				],
			},
			carry: {keyArn: output.keyArn, blob: b64(output.ciphertextBlob)},
		};
	},
	async (context, carry) => {
		const outcome = await expectRefusal(
			() => decryptUnder(context, carry, wrongContext),
			['invalid-ciphertext'],
		);
		const rows =
			'refused' in outcome
				? [
						{label: 'Context sent', value: JSON.stringify(wrongContext)},
						{label: 'KMS refused', value: `✘ ${outcome.refused.code}`},
						{label: 'Message', value: outcome.refused.message || '(none: KMS does not say why)'},
					]
				: [
						{label: 'Context sent', value: JSON.stringify(wrongContext)},
						{
							label: 'Endpoint',
							value: `✗ decrypted "${textOf(outcome.accepted.plaintext)}": this endpoint does not bind the context (AWS refuses)`,
						},
					];
		return {result: {rows}};
	},
	async (context, carry) => {
		const output = await decryptUnder(context, carry, lessonContext);
		const text = textOf(output.plaintext);
		return {
			result: {
				rows: [
					{label: 'Context sent', value: JSON.stringify(lessonContext)},
					{label: 'Decrypted', value: `"${text}"`},
					{
						label: 'Compared',
						value: text === sampleText ? '✓ identical to the original' : '✗ different',
					},
				],
			},
		};
	},
];

export const contextLesson: Lesson = {...contextText, run: contextSteps, resumeAt: (done) => done};
