/**
 * Lesson 6, for real: a ciphertext made before an on-demand rotation, the rotation, then one made
 * after; Decrypt of each says which key material opened it (KeyMaterialId). The screen asks for
 * the typed key id before step 2 on a target other than the sandbox (StepText.changesKey).
 */
import {sampleText, shortId} from './format.js';
import {rotationText} from './kms-texts.js';
import type {Carry, Lesson, StepContext, StepRun} from './lesson.js';

const noContext = {};
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function encryptSample({services, keyRef, signal}: StepContext) {
	return services.keys.encryptDataKey({
		plaintext: Buffer.from(sampleText, 'utf8'),
		keyId: keyRef,
		encryptionContext: noContext,
		signal,
	});
}

/** Decrypts the sample; the plaintext is zeroed and only whether it matched is kept. */
async function openSample({services, signal}: StepContext, carry: Carry, name: string) {
	const output = await services.keys.decryptDataKey({
		ciphertextBlob: Buffer.from(carry[name] ?? '', 'base64'),
		encryptionContext: noContext,
		keyArn: carry.keyArn ?? '',
		signal,
	});
	const isSame = output.plaintext.toString('utf8') === sampleText;
	output.plaintext.fill(0);
	return {isSame, keyMaterialId: output.keyMaterialId};
}

const steps: readonly StepRun[] = [
	async (context) => {
		const output = await encryptSample(context);
		const carry = {keyArn: output.keyArn, before: b64(output.ciphertextBlob)};
		const opened = await openSample(context, carry, 'before');
		return {
			result: {
				rows: [
					{label: 'Encrypted', value: `"${sampleText}"`},
					{label: 'Ciphertext', value: `${output.ciphertextBlob.length} bytes (kept for step 3)`},
					{label: 'Decrypt says', value: `key material ${shortId(opened.keyMaterialId)}`},
				],
			},
			carry,
		};
	},
	async ({services, signal, isSandbox}, carry) => {
		const keyArn = carry.keyArn ?? '';
		await services.keys.rotateNow(keyArn, {signal});
		const history = await services.keys.rotationHistory(keyArn, {signal});
		const onDemand = history.filter((record) => record.type === 'ON_DEMAND').length;
		const latest = history.at(-1);
		return {
			result: {
				rows: [
					{label: 'Rotated', value: '✓ RotateKeyOnDemand accepted'},
					{
						label: 'On-demand used',
						value: `${onDemand} of 25${isSandbox ? ' (a sandbox key: free to try)' : ''}`,
					},
					{label: 'New material', value: shortId(latest?.keyMaterialId)},
				],
			},
		};
	},
	async (context, carry) => {
		const output = await encryptSample(context);
		const withAfter = {...carry, after: b64(output.ciphertextBlob)};
		const before = await openSample(context, withAfter, 'before');
		const after = await openSample(context, withAfter, 'after');
		const reported = before.keyMaterialId !== undefined && after.keyMaterialId !== undefined;
		const differ = before.keyMaterialId !== after.keyMaterialId;
		return {
			result: {
				rows: [
					{
						label: 'Old ciphertext',
						value: `${before.isSame ? '✓ decrypts' : '✗ wrong text'}, material ${shortId(before.keyMaterialId)}`,
					},
					{
						label: 'New ciphertext',
						value: `${after.isSame ? '✓ decrypts' : '✗ wrong text'}, material ${shortId(after.keyMaterialId)}`,
					},
					{
						label: 'Materials',
						value: !reported
							? 'not reported by this endpoint (AWS returns KeyMaterialId on Decrypt)'
							: differ
								? '✓ different: old data keeps its material, new data gets the new one'
								: 'the same: the rotation has not finished yet (AWS takes a moment); run the lesson again',
					},
				],
			},
		};
	},
];

export const rotationLesson: Lesson = {...rotationText, run: steps, resumeAt: (done) => done};
