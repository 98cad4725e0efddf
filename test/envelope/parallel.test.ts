/**
 * File-to-file jobs on several threads (frame-job.ts, parallel.ts): the same bytes as the
 * streaming loop whatever the thread count, the first bad frame named whichever thread met it,
 * and nothing left behind by an error or a cancel. Real worker threads run the bundled worker.
 */
import {createSecretKey, randomBytes} from 'node:crypto';
import {statSync} from 'node:fs';
import {open, readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import type {DataKeyProvider} from '../../source/envelope/data-key-provider.js';
import {decryptFile, encryptFile} from '../../source/envelope/index.js';
import {type FrameThreads, frameThreads, type JobStats} from '../../source/envelope/parallel.js';
import {
	collector,
	createLocalDataKeys,
	listDir,
	rejection,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';

const dir = tempDirPerTest();

/** A provider that hands out the same data key every time, so two encryptions can be compared. */
async function fixedDataKey(): Promise<DataKeyProvider & {keyArn: string}> {
	const local = createLocalDataKeys();
	const first = await local.generateDataKey({keyId: local.keyArn, encryptionContext: {}});
	const plaintext = Buffer.from(first.plaintext);
	return {
		keyArn: local.keyArn,
		generateDataKey: async () => ({...first, plaintext: Buffer.from(plaintext)}),
		encryptDataKey: (request) => local.encryptDataKey(request),
		decryptDataKey: (request) => local.decryptDataKey(request),
		reEncryptDataKey: (request) => local.reEncryptDataKey(request),
	};
}

const fixed = {messageId: Buffer.alloc(32, 9), now: () => new Date('2026-01-01T00:00:00.000Z')};

/**
 * Seals `inputBytes` random bytes (or `plaintextSize`, if the job is to expect another size)
 * from data.bin into data.out on `threads`, one frame per batch, with a random key.
 */
async function runSealJob(
	threads: FrameThreads,
	options: {
		inputBytes: number;
		plaintextSize?: number;
		frameSize: number;
		onBytes?: (bytes: number) => void;
	},
): Promise<{stats: JobStats; output: string}> {
	const input = path.join(dir(), 'data.bin');
	const output = path.join(dir(), 'data.out');
	await writeFile(input, randomBytes(options.inputBytes));
	await writeFile(output, '');
	const [inFile, outFile] = await Promise.all([open(input, 'r'), open(output, 'r+')]);
	try {
		const spec = {
			mode: 'seal' as const,
			inFd: inFile.fd,
			outFd: outFile.fd,
			inLabel: input,
			outLabel: output,
			inStart: 0,
			outStart: 0,
			frameSize: options.frameSize,
			plaintextSize: options.plaintextSize ?? options.inputBytes,
			framesPerBatch: 1,
			key: createSecretKey(randomBytes(32)),
			nonceBase: randomBytes(12),
			digest: randomBytes(32),
		};
		const stats = await threads.run(spec, {
			signal: undefined,
			onBytes: options.onBytes ?? (() => {}),
		});
		return {stats, output};
	} finally {
		await Promise.all([inFile.close(), outFile.close()]);
	}
}

describe('file-to-file jobs on several threads', () => {
	for (const frameSize of [64, 1000, 1024 * 1024]) {
		test(`frame size ${frameSize}: 1, 2 and 4 threads and the streaming loop write the same envelope`, async () => {
			const provider = await fixedDataKey();
			const data = randomBytes(3 * 1024 * 1024 + 7);
			const input = path.join(dir(), 'data.bin');
			await writeFile(input, data);
			const common = {input, provider, keyId: provider.keyArn, frameSize, ...fixed};
			const envelopes: Buffer[] = [];
			for (const threads of [1, 2, 4]) {
				const output = path.join(dir(), `t${threads}.kms`);
				await encryptFile({...common, output, threads});
				envelopes.push(await readFile(output));
			}
			// Standard output goes through the streaming loop (pump.ts) with the same header.
			const stdout = collector();
			await encryptFile({...common, output: '-', stdout: stdout.stream});
			envelopes.push(stdout.bytes());
			for (const envelope of envelopes.slice(1))
				expect(envelope.equals(envelopes[0] as Buffer)).toBe(true);

			for (const threads of [1, 4]) {
				const output = path.join(dir(), `back${threads}`);
				const result = await decryptFile({
					input: path.join(dir(), 't1.kms'),
					output,
					provider,
					threads,
				});
				expect(result.bytes).toBe(data.length);
				expect((await readFile(output)).equals(data)).toBe(true);
			}
		});
	}

	test('workers really take batches: a slow main thread leaves them the rest', async () => {
		let calls = 0;
		const pause = new Int32Array(new SharedArrayBuffer(4));
		const firstBatchEnd = 1024 * 1024 + 16;
		const {stats, output} = await runSealJob(frameThreads(8 * 1024 * 1024, 3), {
			inputBytes: 8 * 1024 * 1024,
			frameSize: 1024 * 1024,
			// The main thread holds after its first batch until a worker has written one of its own
			// (the output grows past batch 0), however long the workers take to boot on a busy machine.
			onBytes: () => {
				if (calls++ > 0) return;
				const output = path.join(dir(), 'data.out');
				const deadline = Date.now() + 20_000;
				while (statSync(output).size <= firstBatchEnd) {
					if (Date.now() > deadline) throw new Error('No worker wrote a batch within 20 s');
					Atomics.wait(pause, 0, 0, 5);
				}
			},
		});
		expect(stats.batchesByThread).toHaveLength(3);
		expect(stats.batchesByThread.reduce((a, b) => a + b)).toBe(9);
		expect((stats.batchesByThread[1] ?? 0) + (stats.batchesByThread[2] ?? 0)).toBeGreaterThan(0);
		expect((await stat(output)).size).toBe(8 * (1024 * 1024 + 16) + 16);
	});

	test('workers still booting when the main thread is done are not waited for, and never touch the files', async () => {
		const threads = frameThreads(0, 4);
		const {stats, output} = await runSealJob(threads, {
			inputBytes: 3 * 64 * 1024,
			frameSize: 64 * 1024,
		});
		// Four batches take the main thread well under a worker's ~35 ms boot.
		expect(stats.batchesByThread[0]).toBe(4);
		const written = await readFile(output);
		expect(written.length).toBe(3 * (64 * 1024 + 16) + 16);
		// Once every worker is gone, nothing else was written.
		await threads.settled;
		expect((await readFile(output)).equals(written)).toBe(true);
	});

	test('an input that became shorter than planned is an error, not a short envelope', async () => {
		const job = runSealJob(frameThreads(3 * 1024 * 1024, 2), {
			inputBytes: 1024 * 1024,
			plaintextSize: 3 * 1024 * 1024,
			frameSize: 1024 * 1024,
		});
		const error = await rejection(job);
		expect(error.code).toBe('io');
		expect(error.message).toContain('changed size while it was being encrypted');
	});

	test('the lowest damaged frame is named, whichever thread found it, and nothing is written', async () => {
		const provider = createLocalDataKeys();
		const frameSize = 1024;
		const input = path.join(dir(), 'data.bin');
		await writeFile(input, randomBytes(6 * 1024 * 1024));
		const {outputPath} = await encryptFile({input, provider, keyId: provider.keyArn, frameSize});
		const envelope = await readFile(outputPath);
		const body = envelope.indexOf(0x0a) + 1;
		// Frames 4100 and 2500 sit in different 1 MiB batches (1024 frames each).
		for (const frame of [4100, 2500]) {
			const at = body + frame * (frameSize + 16) + 10;
			envelope[at] = (envelope[at] as number) ^ 1;
		}
		await writeFile(outputPath, envelope);
		const before = await listDir(dir());
		for (const threads of [1, 2, 4]) {
			const error = await rejection(
				decryptFile({input: outputPath, output: path.join(dir(), 'back'), provider, threads}),
			);
			expect(error.code).toBe('tampered');
			expect(error.message).toContain('frame 2500 failed authentication');
			expect(error.message).toContain('Nothing was written');
			expect(await listDir(dir())).toEqual(before);
		}
	});

	test('a cancel stops every thread and leaves no file, either way', async () => {
		const provider = createLocalDataKeys();
		const input = path.join(dir(), 'data.bin');
		await writeFile(input, randomBytes(24 * 1024 * 1024));
		const {outputPath} = await encryptFile({input, provider, keyId: provider.keyArn, threads: 2});
		const before = await listDir(dir());
		const cancelled = (run: (signal: AbortSignal, onProgress: () => void) => Promise<unknown>) => {
			const controller = new AbortController();
			return rejection(run(controller.signal, () => controller.abort()));
		};
		const encryptError = await cancelled((signal, onProgress) =>
			encryptFile({
				input,
				output: path.join(dir(), 'again.kms'),
				provider,
				keyId: provider.keyArn,
				threads: 2,
				signal,
				onProgress,
			}),
		);
		const decryptError = await cancelled((signal, onProgress) =>
			decryptFile({
				input: outputPath,
				output: path.join(dir(), 'back'),
				provider,
				threads: 2,
				signal,
				onProgress,
			}),
		);
		expect([encryptError.code, decryptError.code]).toEqual(['aborted', 'aborted']);
		expect(await listDir(dir())).toEqual(before);
	});

	test('workers started before KMS answers are stopped when KMS refuses', async () => {
		const provider = createLocalDataKeys();
		const input = path.join(dir(), 'data.bin');
		await writeFile(input, randomBytes(1024 * 1024));
		const {outputPath} = await encryptFile({input, provider, keyId: provider.keyArn});
		const before = await listDir(dir());
		const encryptError = await rejection(
			encryptFile({
				input,
				output: path.join(dir(), 'x.kms'),
				provider,
				keyId: 'alias/nope',
				threads: 4,
			}),
		);
		// Another provider's master key: KMS cannot unwrap the data key.
		const stranger = createLocalDataKeys({keyArn: provider.keyArn});
		const decryptError = await rejection(
			decryptFile({
				input: outputPath,
				output: path.join(dir(), 'back'),
				provider: stranger,
				threads: 4,
			}),
		);
		expect([encryptError.code, decryptError.code]).toEqual(['kms', 'kms']);
		expect(await listDir(dir())).toEqual(before);
	});

	test('progress adds up to the file size, once per byte', async () => {
		const provider = createLocalDataKeys();
		const size = 20 * 1024 * 1024 + 3;
		const input = path.join(dir(), 'data.bin');
		await writeFile(input, randomBytes(size));
		const seen: number[] = [];
		const result = await encryptFile({
			input,
			provider,
			keyId: provider.keyArn,
			threads: 2,
			onProgress: (done) => seen.push(done),
		});
		expect(result.bytes).toBe(size);
		expect(seen.at(-1)).toBe(size);
		expect(seen).toEqual([...seen].sort((a, b) => a - b));
	});
});
