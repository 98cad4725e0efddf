import {createHash, randomBytes} from 'node:crypto';
import {open, readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {decryptFile, encryptFile, inspectEnvelope} from '../../source/envelope/index.js';
import {
	collector,
	combineLocalDataKeys,
	createLocalDataKeys,
	listDir,
	readableOf,
	sha256File,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';

const dir = tempDirPerTest();

const frameSize = 1024;
const formats = ['binary', 'json'] as const;

async function roundTrip(data: Buffer, format: 'binary' | 'json', frame = frameSize) {
	const provider = createLocalDataKeys();
	const input = path.join(dir(), 'data.txt');
	await writeFile(input, data);
	const encrypted = await encryptFile({
		input,
		provider,
		keyId: provider.keyArn,
		format,
		frameSize: frame,
		encryptionContext: {purpose: 'test'},
		force: true,
	});
	const output = path.join(dir(), 'out.txt');
	const decrypted = await decryptFile({input: encrypted.outputPath, provider, output, force: true});
	return {provider, encrypted, decrypted, output: await readFile(output)};
}

describe('round trips', () => {
	for (const format of formats) {
		for (const size of [
			0,
			1,
			frameSize - 1,
			frameSize,
			frameSize + 1,
			2 * frameSize,
			37 * frameSize + 5,
		]) {
			test(`${format}: ${size} bytes`, async () => {
				const data = randomBytes(size);
				const {provider, encrypted, decrypted, output} = await roundTrip(data, format);
				expect(output.equals(data)).toBe(true);
				expect(encrypted.bytes).toBe(size);
				expect(decrypted.bytes).toBe(size);
				expect('header' in decrypted && decrypted.header).toEqual(encrypted.header);
				// Exactly one KMS call per file, each way.
				expect(provider.calls).toEqual({generate: 1, decrypt: 1});
				// Both plaintext data keys were zeroed by the engine.
				expect(provider.issued).toHaveLength(2);
				for (const key of provider.issued) expect(key.equals(Buffer.alloc(32))).toBe(true);
			});
		}
	}

	test('binary frame layout: every full frame is frameSize+16 bytes, then one short final frame', async () => {
		for (const size of [0, frameSize - 1, frameSize, 3 * frameSize]) {
			const {encrypted} = await roundTrip(randomBytes(size), 'binary');
			const file = await readFile(encrypted.outputPath);
			const body = file.length - file.indexOf(0x0a) - 1;
			const full = Math.floor(size / frameSize);
			expect(body).toBe(full * (frameSize + 16) + (size % frameSize) + 16);
			const summary = await inspectEnvelope(encrypted.outputPath);
			expect(summary.frameCount).toBe(full + 1);
		}
	});

	test('default frame size, many frames across I/O batches (5 MiB + 3)', async () => {
		const data = randomBytes(5 * 1024 * 1024 + 3);
		const provider = createLocalDataKeys();
		const input = path.join(dir(), 'big.bin');
		await writeFile(input, data);
		const encrypted = await encryptFile({input, provider, keyId: provider.keyArn});
		expect(encrypted.header.frameSize).toBe(1024 * 1024);
		const decrypted = await decryptFile({input: encrypted.outputPath, provider});
		expect((await readFile(decrypted.outputPath)).equals(data)).toBe(true);
	});

	test('100 MB file, compared by SHA-256', async () => {
		const input = path.join(dir(), 'hundred.bin');
		const handle = await open(input, 'w');
		const hash = createHash('sha256');
		for (let i = 0; i < 100; i++) {
			const chunk = randomBytes(1_000_000);
			hash.update(chunk);
			await handle.write(chunk);
		}
		await handle.close();
		const provider = createLocalDataKeys();
		const encrypted = await encryptFile({input, provider, keyId: provider.keyArn});
		const decrypted = await decryptFile({
			input: encrypted.outputPath,
			provider,
			output: path.join(dir(), 'back.bin'),
		});
		expect(decrypted.bytes).toBe(100_000_000);
		expect(await sha256File(decrypted.outputPath)).toBe(hash.digest('hex'));
	}, 120_000);
});

describe('several keys (format v2)', () => {
	const arns = [1, 2, 3].map(
		(n) =>
			`arn:aws:kms:eu-west-${n}:111122223333:key/${n}${n}${n}${n}${n}${n}${n}${n}-0000-0000-0000-000000000000`,
	);
	for (const format of formats) {
		for (const size of [0, frameSize - 1, frameSize, 3 * frameSize + 7]) {
			test(`${format}: ${size} bytes, opened by whichever key still works`, async () => {
				const keys = arns.map((keyArn) => createLocalDataKeys({keyArn}));
				const provider = combineLocalDataKeys(keys);
				const data = randomBytes(size);
				const input = path.join(dir(), 'data.txt');
				await writeFile(input, data);
				const encrypted = await encryptFile({
					input,
					provider,
					keyId: arns,
					format,
					frameSize,
					encryptionContext: {purpose: 'test'},
				});
				expect(encrypted.header.version).toBe(2);
				expect(encrypted.header.wrappedKeys.map((key) => key.keyArn)).toEqual(arns);
				// One GenerateDataKey, then one Encrypt per other key.
				expect(keys.map((key) => key.calls)).toEqual([
					{generate: 1, decrypt: 0},
					{generate: 0, decrypt: 0, encrypt: 1},
					{generate: 0, decrypt: 0, encrypt: 1},
				]);
				for (const [disabled, opener] of [
					[[], 0],
					[[arns[0]], 1],
					[[arns[0], arns[1]], 2],
				] as const) {
					provider.disabled.clear();
					for (const arn of disabled) provider.disabled.add(arn as string);
					const output = path.join(dir(), 'out.txt');
					const decrypted = await decryptFile({
						input: encrypted.outputPath,
						provider,
						output,
						force: true,
					});
					expect(decrypted.keyArn).toBe(arns[opener]);
					expect((await readFile(output)).equals(data)).toBe(true);
				}
				// Every plaintext data key handed out (generate, and each decrypt) was zeroed.
				for (const key of keys.flatMap((local) => local.issued))
					expect(key.equals(Buffer.alloc(32))).toBe(true);
			});
		}
	}
});

describe('stdin and stdout', () => {
	for (const format of formats) {
		test(`${format}: stdin → stdout → stdin → stdout`, async () => {
			const provider = createLocalDataKeys();
			const data = randomBytes(10 * frameSize + 17);
			const sealed = collector();
			const encrypted = await encryptFile({
				input: '-',
				provider,
				keyId: provider.keyArn,
				format,
				frameSize,
				stdin: readableOf(data),
				stdout: sealed.stream,
			});
			expect(encrypted.outputPath).toBe('-');
			expect(encrypted.header.fileName).toBeUndefined();
			// A binary envelope from a stream cannot know the size up front; JSON buffers it.
			expect(encrypted.header.plaintextSize).toBe(format === 'json' ? data.length : undefined);
			const opened = collector();
			const decrypted = await decryptFile({
				input: '-',
				provider,
				stdin: readableOf(sealed.bytes(), 4093),
				stdout: opened.stream,
			});
			expect(decrypted.outputPath).toBe('-');
			expect(opened.bytes().equals(data)).toBe(true);
			expect(await listDir(dir())).toEqual([]);
		});
	}

	test('stdin → file and file → stdout', async () => {
		const provider = createLocalDataKeys();
		const data = randomBytes(3000);
		const envelope = path.join(dir(), 'from-stdin.kms');
		await encryptFile({
			input: '-',
			output: envelope,
			provider,
			keyId: provider.keyArn,
			frameSize,
			stdin: readableOf(data),
		});
		const opened = collector();
		await decryptFile({input: envelope, output: '-', provider, stdout: opened.stream});
		expect(opened.bytes().equals(data)).toBe(true);
		// Stdin with an output directory: the default name has nothing to go on.
		const result = await decryptFile({
			input: '-',
			provider,
			outputDir: dir(),
			stdin: readableOf(await readFile(envelope)),
		});
		expect(path.basename(result.outputPath)).toBe('decrypted');
	});
});

describe('names and modes', () => {
	test('encrypt data.txt → data.txt.kms / data.txt.kms.json; decrypt strips it, never clobbers', async () => {
		const provider = createLocalDataKeys();
		const input = path.join(dir(), 'data.txt');
		await writeFile(input, 'hello');
		const binary = await encryptFile({input, provider, keyId: provider.keyArn});
		const json = await encryptFile({input, provider, keyId: provider.keyArn, format: 'json'});
		expect(binary.outputPath).toBe(path.join(dir(), 'data.txt.kms'));
		expect(json.outputPath).toBe(path.join(dir(), 'data.txt.kms.json'));
		// data.txt still exists, so the default names step aside instead of overwriting.
		const first = await decryptFile({input: binary.outputPath, provider});
		const second = await decryptFile({input: json.outputPath, provider});
		expect(first.outputPath).toBe(path.join(dir(), 'data (1).txt'));
		expect(second.outputPath).toBe(path.join(dir(), 'data (2).txt'));
		expect(await readFile(input, 'utf8')).toBe('hello');
		expect(await readFile(second.outputPath, 'utf8')).toBe('hello');
		// A second encrypt does not overwrite data.txt.kms either.
		const again = await encryptFile({input, provider, keyId: provider.keyArn});
		expect(again.outputPath).toBe(path.join(dir(), 'data.txt (1).kms'));
	});

	test('decrypted files are mode 0600; the stored name is used for other envelope names', async () => {
		const provider = createLocalDataKeys();
		const input = path.join(dir(), 'report.csv');
		await writeFile(input, 'a,b\n');
		const renamed = path.join(dir(), 'envelop-99442b50fa40.json');
		await encryptFile({input, output: renamed, provider, keyId: provider.keyArn, format: 'json'});
		const result = await decryptFile({input: renamed, provider, outputDir: dir()});
		expect(path.basename(result.outputPath)).toBe('report (1).csv');
		expect((await stat(result.outputPath)).mode & 0o777).toBe(0o600);
	});
});
