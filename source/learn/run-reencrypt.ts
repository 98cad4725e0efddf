/**
 * Lesson 5, for real, on one data key: GenerateDataKeyWithoutPlaintext (blob A, no plaintext),
 * ReEncrypt A → B under the same key, then Decrypt both and compare fingerprints of the two
 * plaintexts, each wiped as soon as it is hashed. The key itself is never shown.
 */
import {fingerprint, shortId} from './format.js';
import {reEncryptText} from './kms-texts.js';
import type {Carry, Lesson, StepContext, StepRun} from './lesson.js';

const noContext = {};
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const blobOf = (carry: Carry, name: string) => Buffer.from(carry[name] ?? '', 'base64');

/** Decrypt, fingerprint, wipe: only the fingerprint and the material id leave this function. */
async function fingerprintOf({services, signal}: StepContext, blob: Buffer, keyArn: string) {
	const key = await services.keys.decryptDataKey({
		ciphertextBlob: blob,
		encryptionContext: noContext,
		keyArn,
		signal,
	});
	try {
		return {fingerprint: fingerprint(key.plaintext), keyMaterialId: key.keyMaterialId};
	} finally {
		key.plaintext.fill(0);
	}
}

const steps: readonly StepRun[] = [
	async ({services, keyRef, signal}) => {
		const output = await services.keys.generateDataKeyWithoutPlaintext({
			keyId: keyRef,
			encryptionContext: noContext,
			signal,
		});
		return {
			result: {
				rows: [
					{label: 'Plaintext', value: 'none returned: nothing secret left KMS'},
					{label: 'Blob A', value: `${output.ciphertextBlob.length} bytes (the wrapped data key)`},
					{label: 'Key material', value: shortId(output.keyMaterialId)},
					{label: 'Key ARN', value: output.keyArn},
				],
			},
			carry: {keyArn: output.keyArn, blobA: b64(output.ciphertextBlob)},
		};
	},
	async ({services, signal}, carry) => {
		const keyArn = carry.keyArn ?? '';
		const output = await services.keys.reEncryptDataKey({
			ciphertextBlob: blobOf(carry, 'blobA'),
			sourceKeyArn: keyArn,
			destinationKeyId: keyArn,
			sourceEncryptionContext: noContext,
			signal,
		});
		const differs = !Buffer.from(output.ciphertextBlob).equals(blobOf(carry, 'blobA'));
		return {
			result: {
				rows: [
					{label: 'Blob B', value: `${output.ciphertextBlob.length} bytes`},
					{label: 'A and B', value: differs ? 'different bytes' : 'the same bytes'},
					{
						label: 'Material',
						value: `${shortId(output.sourceKeyMaterialId)} → ${shortId(output.keyMaterialId)}`,
					},
					{label: 'Plaintext', value: 'none returned: KMS re-wrapped it inside'},
				],
			},
			carry: {...carry, blobB: b64(output.ciphertextBlob)},
		};
	},
	async (context, carry) => {
		const keyArn = carry.keyArn ?? '';
		const a = await fingerprintOf(context, blobOf(carry, 'blobA'), keyArn);
		const b = await fingerprintOf(context, blobOf(carry, 'blobB'), keyArn);
		const same = a.fingerprint === b.fingerprint;
		return {
			result: {
				rows: [
					{label: 'Key from A', value: a.fingerprint},
					{label: 'Key from B', value: b.fingerprint},
					{label: 'Compared', value: same ? '✓ the same data key' : '✗ different keys'},
					{label: 'Both copies', value: 'wiped once hashed (buffer.fill(0))'},
				],
			},
		};
	},
];

export const reEncryptLesson: Lesson = {...reEncryptText, run: steps, resumeAt: (done) => done};
