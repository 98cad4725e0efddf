/**
 * Decrypt frame jobs on several threads (frame-job.ts, parallel.ts): every plaintext size around
 * frame and batch boundaries opens byte for byte whatever the thread count and wherever the body
 * sits in the output, a bad late frame leaves nothing behind, and a job long enough for the
 * early writeback (a background fdatasync every 64 MiB) writes what it should. Real files, real
 * worker threads.
 */
import {createSecretKey, randomBytes} from 'node:crypto';
import {open, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {decryptFile, encryptFile} from '../../source/envelope/index.js';
import {frameThreads} from '../../source/envelope/parallel.js';
import {
	createLocalDataKeys,
	listDir,
	rejection,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';

const dir = tempDirPerTest();

/** Seals `plain` into a file (one thread), then opens that on `threads` into a file at `outStart`. */
async function sealThenOpen(options: {
	plain: Buffer;
	frameSize: number;
	framesPerBatch: number;
	outStart: number;
	threads: number;
}): Promise<Buffer> {
	const {plain, frameSize, framesPerBatch, outStart} = options;
	const input = path.join(dir(), 'plain.bin');
	const sealed = path.join(dir(), 'sealed.bin');
	const opened = path.join(dir(), 'opened.bin');
	await writeFile(input, plain);
	await writeFile(sealed, '');
	await writeFile(opened, Buffer.alloc(outStart, 0x5a));
	const common = {
		frameSize,
		plaintextSize: plain.length,
		framesPerBatch,
		key: createSecretKey(randomBytes(32)),
		nonceBase: randomBytes(12),
		digest: randomBytes(32),
		inLabel: input,
		outLabel: opened,
		inStart: 0,
	};
	const files = await Promise.all([open(input, 'r'), open(sealed, 'r+'), open(opened, 'r+')]);
	const [inFile, sealedFile, openedFile] = files;
	const quiet = {signal: undefined, onBytes: () => {}};
	try {
		await frameThreads(0, 1).run(
			{...common, mode: 'seal', inFd: inFile.fd, outFd: sealedFile.fd, outStart: 0},
			quiet,
		);
		await frameThreads(plain.length, options.threads).run(
			{...common, mode: 'open', inFd: sealedFile.fd, outFd: openedFile.fd, outStart},
			quiet,
		);
		return await readFile(opened);
	} finally {
		await Promise.all(files.map((file) => file.close()));
	}
}

describe('decrypt frame jobs on several threads', () => {
	const cases = [
		{
			frameSize: 1024 * 1024,
			framesPerBatch: 1,
			sizes: [0, 1, 1024 * 1024 - 1, 1024 * 1024, 3 * 1024 * 1024 + 1],
		},
		{
			frameSize: 4096,
			framesPerBatch: 48,
			sizes: [4095, 4096, 4097, 48 * 4096, 48 * 4096 + 1, 150 * 4096 + 17],
		},
		{frameSize: 1000, framesPerBatch: 200, sizes: [999, 1000, 200_000, 200_001, 650_001]},
	];
	for (const {frameSize, framesPerBatch, sizes} of cases) {
		test(`frames of ${frameSize} B, ${framesPerBatch} per batch: every size opens byte for byte on 1, 2 and 4 threads`, async () => {
			for (const size of sizes) {
				const plain = randomBytes(size);
				for (const [threads, outStart] of [
					[1, 0],
					[2, 777],
					[4, 65_536 + 4097],
				] as const) {
					const written = await sealThenOpen({plain, frameSize, framesPerBatch, outStart, threads});
					expect(written.length).toBe(outStart + size);
					expect(written.subarray(outStart).equals(plain)).toBe(true);
					expect(written.subarray(0, outStart).every((byte) => byte === 0x5a)).toBe(true);
				}
			}
		});
	}

	test('a bad late frame, or the final tag, leaves nothing on 1 and 2 threads', async () => {
		const provider = createLocalDataKeys();
		const data = randomBytes(20 * 1024 * 1024 + 5);
		const input = path.join(dir(), 'data.bin');
		await writeFile(input, data);
		const {outputPath} = await encryptFile({input, provider, keyId: provider.keyArn, threads: 2});
		const envelope = await readFile(outputPath);
		const body = envelope.indexOf(0x0a) + 1;
		const sealedFrame = 1024 * 1024 + 16;
		// Frame 19, the last full one (the batches before it are written by then), then the final tag.
		for (const at of [body + 19 * sealedFrame + 5, envelope.length - 1]) {
			const damaged = Buffer.from(envelope);
			damaged[at] = (damaged[at] as number) ^ 1;
			const bad = path.join(dir(), 'bad.kms');
			await writeFile(bad, damaged);
			const before = await listDir(dir());
			for (const threads of [1, 2]) {
				const error = await rejection(
					decryptFile({input: bad, output: path.join(dir(), 'never'), provider, threads}),
				);
				expect(error.code).toBe('tampered');
				expect(error.message).toContain('Nothing was written');
				expect(await listDir(dir())).toEqual(before);
			}
		}
	});

	test('jobs past the early-writeback step (64 MiB) write every byte, both ways', async () => {
		const provider = createLocalDataKeys();
		const data = randomBytes(140 * 1024 * 1024 + 3);
		const input = path.join(dir(), 'data.bin');
		await writeFile(input, data);
		const {outputPath} = await encryptFile({input, provider, keyId: provider.keyArn, threads: 2});
		const output = path.join(dir(), 'back');
		const result = await decryptFile({input: outputPath, output, provider, threads: 2});
		expect(result.bytes).toBe(data.length);
		expect((await readFile(output)).equals(data)).toBe(true);
	});
});
