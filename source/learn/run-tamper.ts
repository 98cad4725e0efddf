/**
 * Lesson 4, for real: a kms-tui envelope made in the lesson's own temp dir, one byte of its body
 * flipped, and decrypt refusing it without leaving an output file (nor a temp file) behind.
 */
import {readdir, readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {decryptFile, EnvelopeError, encryptFile} from '../envelope/index.js';
import {sampleText} from './format.js';
import {tamperText} from './kms-texts.js';
import type {Lesson, StepRun} from './lesson.js';

const noteName = 'note.txt';
const envelopeName = 'note.txt.kms';
const outputName = 'note.decrypted.txt';
/** Which byte of the first frame's ciphertext changes: inside the sample text, before the tag. */
const flippedIndex = 10;

const listing = async (dir: string) => (await readdir(dir)).sort().join(', ');

const steps: readonly StepRun[] = [
	async ({services, keyRef, workDir, signal}) => {
		const dir = await workDir();
		const note = path.join(dir, noteName);
		await writeFile(note, sampleText, {mode: 0o600});
		const result = await encryptFile({
			input: note,
			output: path.join(dir, envelopeName),
			provider: services.keys,
			keyId: keyRef,
			signal,
		});
		const bytes = await readFile(result.outputPath);
		const headerEnd = bytes.indexOf(0x0a) + 1;
		return {
			result: {
				rows: [
					{label: 'Temp dir', value: dir},
					{label: 'Wrote', value: `${envelopeName} (${bytes.length} bytes)`},
					{label: 'Header line', value: `bytes 0–${headerEnd - 1}: JSON, the wrapped data key`},
					{
						label: 'Frame',
						value: `bytes ${headerEnd}–${bytes.length - 1}: ${sampleText.length} ciphertext + 16 tag`,
					},
				],
			},
			carry: {dir, headerEnd: String(headerEnd)},
		};
	},
	async (_context, carry) => {
		const file = path.join(carry.dir ?? '', envelopeName);
		const bytes = await readFile(file);
		const offset = Number(carry.headerEnd) + flippedIndex;
		const before = bytes[offset] ?? 0;
		bytes[offset] = before ^ 0x01;
		await writeFile(file, bytes);
		const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`;
		return {
			result: {
				rows: [
					{label: 'Changed', value: `byte ${offset} (ciphertext byte ${flippedIndex})`},
					{label: 'From → to', value: `${hex(before)} → ${hex(bytes[offset] ?? 0)} (one bit)`},
					{label: 'Size', value: `${bytes.length} bytes, unchanged`},
				],
			},
		};
	},
	async ({services, signal}, carry) => {
		const dir = carry.dir ?? '';
		const output = path.join(dir, outputName);
		let refusal: string;
		try {
			await decryptFile({
				input: path.join(dir, envelopeName),
				output,
				provider: services.keys,
				signal,
			});
			refusal = '✗ it decrypted: the change went unnoticed';
		} catch (error) {
			if (!(error instanceof EnvelopeError)) throw error;
			refusal = `✘ ${error.code}: ${error.message}`;
		}
		const exists = await stat(output).then(
			() => true,
			() => false,
		);
		return {
			result: {
				rows: [
					{label: 'Decrypt', value: refusal},
					{
						label: 'Output',
						value: exists
							? `✗ ${outputName} exists`
							: `✓ ${outputName} does not exist: nothing was written`,
					},
					{label: 'Files in dir', value: await listing(dir)},
				],
			},
		};
	},
];

export const tamperLesson: Lesson = {
	...tamperText,
	run: steps,
	// The envelope was in the lesson's temp dir, removed when the learner left: make it again.
	resumeAt: (done) => (done > 0 && done < tamperText.steps.length ? 0 : done),
};
