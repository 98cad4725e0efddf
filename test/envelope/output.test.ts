import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {createReadStream, createWriteStream} from 'node:fs';
import {
	link,
	lstat,
	readFile,
	realpath,
	stat,
	symlink,
	truncate,
	writeFile,
} from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import {Readable, Writable} from 'node:stream';
import {beforeEach, describe, expect, test} from 'vitest';
import {
	decryptFile,
	encryptFile,
	inspectEnvelope,
	JSON_MAX_PLAINTEXT,
} from '../../source/envelope/index.js';
import {
	collector,
	createLocalDataKeys,
	type LocalDataKeys,
	listDir,
	readableOf,
	rejection,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';

const dir = tempDirPerTest();
let provider: LocalDataKeys;
beforeEach(() => {
	provider = createLocalDataKeys();
});

async function plainFile(name = 'data.txt', bytes: Buffer = randomBytes(5000)) {
	const file = path.join(dir(), name);
	await writeFile(file, bytes);
	return {file, bytes};
}

describe('never clobber, never the input', () => {
	test('an existing explicit output is refused before KMS is called; --force replaces it', async () => {
		const {file, bytes} = await plainFile();
		const target = path.join(dir(), 'taken.kms');
		await writeFile(target, 'precious');
		const error = await rejection(
			encryptFile({input: file, output: target, provider, keyId: provider.keyArn}),
		);
		expect(error.code).toBe('exists');
		expect(error.message).toContain('--force');
		expect(provider.calls.generate).toBe(0);
		expect(await readFile(target, 'utf8')).toBe('precious');
		await encryptFile({input: file, output: target, provider, keyId: provider.keyArn, force: true});
		const back = path.join(dir(), 'back.txt');
		await writeFile(back, 'also precious');
		expect((await rejection(decryptFile({input: target, output: back, provider}))).code).toBe(
			'exists',
		);
		expect(provider.calls.decrypt).toBe(0);
		await decryptFile({input: target, output: back, provider, force: true});
		expect((await readFile(back)).equals(bytes)).toBe(true);
		expect((await stat(back)).mode & 0o777).toBe(0o600);
	});

	test('the input as output is refused, also through a symlink or a hard link, also with --force', async () => {
		const {file} = await plainFile();
		await symlink(file, path.join(dir(), 'via-symlink'));
		await link(file, path.join(dir(), 'via-link'));
		for (const output of [file, path.join(dir(), 'via-symlink'), path.join(dir(), 'via-link')]) {
			for (const force of [false, true]) {
				const error = await rejection(
					encryptFile({input: file, output, provider, keyId: provider.keyArn, force}),
				);
				expect(error.code).toBe('same-file');
			}
		}
		const {outputPath} = await encryptFile({input: file, provider, keyId: provider.keyArn});
		const error = await rejection(
			decryptFile({input: outputPath, output: outputPath, provider, force: true}),
		);
		expect(error.code).toBe('same-file');
		expect(provider.calls).toEqual({generate: 1, decrypt: 0});
	});

	test('an existing directory as output receives the default name', async () => {
		const {file} = await plainFile();
		const {outputPath} = await encryptFile({
			input: file,
			output: dir(),
			provider,
			keyId: provider.keyArn,
		});
		expect(outputPath).toBe(path.join(dir(), 'data.txt.kms'));
	});

	test('a missing output directory is refused up front, a missing input is an io error; KMS is not called', async () => {
		const {file} = await plainFile();
		const missingDir = await rejection(
			encryptFile({
				input: file,
				output: path.join(dir(), 'no', 'such', 'x.kms'),
				provider,
				keyId: provider.keyArn,
			}),
		);
		expect(missingDir.code).toBe('invalid-argument');
		expect(missingDir.message).toContain('does not exist');
		expect(missingDir.message).toContain('mkdir -p');
		const missingInput = await rejection(
			encryptFile({input: path.join(dir(), 'nope.txt'), provider, keyId: provider.keyArn}),
		);
		expect(missingInput.code).toBe('io');
		expect(missingInput.message).toContain('nope.txt');
		expect(provider.calls.generate).toBe(0);
	});

	test('the temp file is hidden, recognisable and in the target directory while writing', async () => {
		const {file} = await plainFile('big.bin', randomBytes(3 * 1024 * 1024));
		const seen: string[][] = [];
		await encryptFile({
			input: file,
			provider,
			keyId: provider.keyArn,
			frameSize: 64 * 1024,
			onProgress: () => {
				void listDir(dir()).then((names) => seen.push(names));
			},
		});
		await new Promise((resolve) => setImmediate(resolve));
		const temps = seen.flat().filter((name) => name.startsWith('.'));
		expect(temps.length).toBeGreaterThan(0);
		for (const name of temps)
			expect(name).toMatch(/^\.big\.bin\.kms\.kms-tui-\d+-[\da-f]{8}-[\da-f]{8}\.tmp$/);
		expect(await listDir(dir())).toEqual(['big.bin', 'big.bin.kms']);
	});
});

describe('outputs that are not regular files', () => {
	// A FIFO stands in for /dev/null, /dev/stdout and other devices: the same path through the
	// code, and a test that goes wrong cannot replace a system file.
	test('a FIFO named with -o is written in place (no --force needed) and stays a FIFO', async () => {
		const {file, bytes} = await plainFile('data.txt', randomBytes(3 * 1024 * 1024 + 7));
		const fifo = path.join(dir(), 'pipe');
		execFileSync('mkfifo', [fifo]);
		const reader = new Promise<Buffer>((resolve, reject) => {
			const chunks: Buffer[] = [];
			createReadStream(fifo)
				.on('data', (chunk) => chunks.push(chunk as Buffer))
				.on('end', () => resolve(Buffer.concat(chunks)))
				.on('error', reject);
		});
		const result = await encryptFile({
			input: file,
			output: fifo,
			provider,
			keyId: provider.keyArn,
			frameSize: 1024 * 1024,
		});
		expect(result.outputPath).toBe(fifo);
		const envelope = await reader;
		expect((await lstat(fifo)).isFIFO()).toBe(true);
		expect(await listDir(dir())).toEqual(['data.txt', 'pipe']);
		// What went through the pipe is the whole envelope.
		const copy = path.join(dir(), 'copy.kms');
		await writeFile(copy, envelope);
		const decrypted = await decryptFile({input: copy, output: path.join(dir(), 'back'), provider});
		expect((await readFile(decrypted.outputPath)).equals(bytes)).toBe(true);
	});

	test('a FIFO named as the input is read as a stream, its writer arriving after the run began', async () => {
		// A regular file is opened synchronously (io.ts); a FIFO must not be: its open waits for
		// the writer, which here runs on this same event loop.
		const fifo = path.join(dir(), 'in-pipe');
		execFileSync('mkfifo', [fifo]);
		const bytes = randomBytes(300_000);
		const output = path.join(dir(), 'out.kms');
		const run = encryptFile({input: fifo, output, provider, keyId: provider.keyArn});
		createWriteStream(fifo).end(bytes);
		const result = await run;
		expect(result.bytes).toBe(bytes.length);
		expect(result.header.plaintextSize).toBeUndefined();
		const back = path.join(dir(), 'back.bin');
		await decryptFile({input: output, output: back, provider});
		expect((await readFile(back)).equals(bytes)).toBe(true);
	});

	test('decrypting into a FIFO streams the plaintext, and a later bad frame names the FIFO', async () => {
		const {file, bytes} = await plainFile('data.txt', randomBytes(3 * 1024 * 1024));
		const {outputPath} = await encryptFile({
			input: file,
			provider,
			keyId: provider.keyArn,
			frameSize: 1024 * 1024,
		});
		const fifo = path.join(dir(), 'pipe');
		execFileSync('mkfifo', [fifo]);
		const read = () =>
			new Promise<Buffer>((resolve, reject) => {
				const chunks: Buffer[] = [];
				createReadStream(fifo)
					.on('data', (chunk) => chunks.push(chunk as Buffer))
					.on('end', () => resolve(Buffer.concat(chunks)))
					.on('error', reject);
			});
		let reader = read();
		await decryptFile({input: outputPath, output: fifo, provider});
		expect((await reader).equals(bytes)).toBe(true);
		// Flip a byte in the last frame: the first frames were already released into the pipe.
		const envelope = await readFile(outputPath);
		envelope[envelope.length - 20] = (envelope[envelope.length - 20] as number) ^ 1;
		await writeFile(outputPath, envelope);
		reader = read();
		const error = await rejection(decryptFile({input: outputPath, output: fifo, provider}));
		await reader;
		expect(error.code).toBe('tampered');
		expect(error.message).toContain(`already written to ${fifo}`);
		expect((await lstat(fifo)).isFIFO()).toBe(true);
	});

	test('a symlink to a file is replaced where the file really is, never swapped for a file', async () => {
		const {file} = await plainFile();
		const real = path.join(dir(), 'real.kms');
		await writeFile(real, 'old');
		const alias = path.join(dir(), 'alias.kms');
		await symlink(real, alias);
		const result = await encryptFile({
			input: file,
			output: alias,
			provider,
			keyId: provider.keyArn,
			force: true,
		});
		expect(result.outputPath).toBe(await realpath(real));
		expect((await lstat(alias)).isSymbolicLink()).toBe(true);
		expect((await readFile(real)).subarray(0, 1).toString()).toBe('{');
	});

	test('a failed write names the output, not the input', async () => {
		const {file} = await plainFile();
		const full = new Writable({
			write(_chunk, _encoding, callback) {
				callback(Object.assign(new Error('ENOSPC: no space left on device'), {code: 'ENOSPC'}));
			},
		});
		const error = await rejection(
			encryptFile({input: file, output: '-', stdout: full, provider, keyId: provider.keyArn}),
		);
		expect(error.code).toBe('io');
		expect(error.message).toBe(
			'standard output: no space left on the device — free some space and try again.',
		);
	});

	test('a socket (or a block device) is refused before KMS is called', async () => {
		const {file} = await plainFile();
		const socket = path.join(dir(), 'sock');
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(socket, resolve));
		try {
			const error = await rejection(
				encryptFile({input: file, output: socket, provider, keyId: provider.keyArn, force: true}),
			);
			expect(error.code).toBe('invalid-argument');
			expect(error.message).toContain('not a regular file');
			expect(provider.calls.generate).toBe(0);
		} finally {
			server.close();
		}
	});
});

describe('abort', () => {
	test('aborting from onProgress leaves no file (encrypt and decrypt) and zeroes the keys', async () => {
		const {file} = await plainFile('big.bin', randomBytes(4 * 1024 * 1024));
		const controller = new AbortController();
		const error = await rejection(
			encryptFile({
				input: file,
				provider,
				keyId: provider.keyArn,
				frameSize: 64 * 1024,
				signal: controller.signal,
				onProgress: (done, total) => {
					expect(total).toBe(4 * 1024 * 1024);
					if (done > 0) controller.abort();
				},
			}),
		);
		expect(error.code).toBe('aborted');
		expect(await listDir(dir())).toEqual(['big.bin']);

		const {outputPath} = await encryptFile({
			input: file,
			provider,
			keyId: provider.keyArn,
			frameSize: 64 * 1024,
		});
		const second = new AbortController();
		const decryptError = await rejection(
			decryptFile({
				input: outputPath,
				output: path.join(dir(), 'out.bin'),
				provider,
				signal: second.signal,
				onProgress: () => second.abort(),
			}),
		);
		expect(decryptError.code).toBe('aborted');
		expect(await listDir(dir())).toEqual(['big.bin', 'big.bin.kms']);
		for (const key of provider.issued) expect(key.equals(Buffer.alloc(32))).toBe(true);
	});

	test('an already aborted signal, or one aborted while KMS is asked, writes nothing', async () => {
		const {file} = await plainFile();
		const aborted = AbortSignal.abort();
		expect(
			(
				await rejection(
					encryptFile({input: file, provider, keyId: provider.keyArn, signal: aborted}),
				)
			).code,
		).toBe('aborted');
		const controller = new AbortController();
		const slow: LocalDataKeys = {
			...provider,
			async generateDataKey(request) {
				controller.abort();
				return provider.generateDataKey(request);
			},
		};
		const error = await rejection(
			encryptFile({input: file, provider: slow, keyId: provider.keyArn, signal: controller.signal}),
		);
		expect(error.code).toBe('aborted');
		expect(await listDir(dir())).toEqual(['data.txt']);
	});

	test('a stalled stdin is abandoned on abort', async () => {
		const controller = new AbortController();
		const stalled = new Readable({read() {}});
		stalled.push(randomBytes(10));
		const sink = collector();
		const pending = encryptFile({
			input: '-',
			provider,
			keyId: provider.keyArn,
			stdin: stalled,
			stdout: sink.stream,
			signal: controller.signal,
			onProgress: () => {},
		});
		setImmediate(() => controller.abort());
		expect((await rejection(pending)).code).toBe('aborted');
	});
});

describe('JSON size limit', () => {
	test('a file above the limit is refused before KMS, pointing to the binary format', async () => {
		const file = path.join(dir(), 'huge.bin');
		await writeFile(file, '');
		await truncate(file, JSON_MAX_PLAINTEXT + 1);
		const error = await rejection(
			encryptFile({input: file, provider, keyId: provider.keyArn, format: 'json'}),
		);
		expect(error.code).toBe('too-large-for-json');
		expect(error.message).toContain('binary');
		expect(provider.calls.generate).toBe(0);
		expect(await listDir(dir())).toEqual(['huge.bin']);
	});

	test('a stream above the limit is refused while reading, before KMS', async () => {
		const chunk = Buffer.alloc(1024 * 1024);
		const chunks = JSON_MAX_PLAINTEXT / chunk.length + 1;
		const stdin = Readable.from(
			(function* () {
				for (let i = 0; i < chunks; i++) yield chunk;
			})(),
		);
		const sink = collector();
		const error = await rejection(
			encryptFile({
				input: '-',
				provider,
				keyId: provider.keyArn,
				format: 'json',
				stdin,
				stdout: sink.stream,
			}),
		);
		expect(error.code).toBe('too-large-for-json');
		expect(provider.calls.generate).toBe(0);
		expect(sink.bytes().length).toBe(0);
	});

	test('a file just under the limit round-trips', async () => {
		const file = path.join(dir(), 'max.bin');
		await writeFile(file, randomBytes(1000));
		await truncate(file, JSON_MAX_PLAINTEXT);
		const {outputPath} = await encryptFile({
			input: file,
			provider,
			keyId: provider.keyArn,
			format: 'json',
		});
		const summary = await inspectEnvelope(outputPath);
		expect(summary).toMatchObject({
			encoding: 'json',
			plaintextSize: JSON_MAX_PLAINTEXT,
			frameCount: 1,
			lengthConsistent: true,
		});
		const back = path.join(dir(), 'back.bin');
		await decryptFile({input: outputPath, output: back, provider});
		expect((await readFile(back)).equals(await readFile(file))).toBe(true);
	}, 60_000);
});

describe('stdout on failure, and inspect', () => {
	test('a truncated binary stream to stdout: verified frames were released, the end is an error', async () => {
		// Several 1 MiB I/O batches, so earlier batches are released before the cut is reached.
		const frame = 64 * 1024;
		const {file} = await plainFile('data.txt', randomBytes(3 * 1024 * 1024 + 100));
		const {outputPath} = await encryptFile({
			input: file,
			provider,
			keyId: provider.keyArn,
			frameSize: frame,
		});
		const whole = await readFile(outputPath);
		// Drop the final frame (100 bytes + tag): the body ends exactly after a full frame.
		const cut = whole.subarray(0, whole.length - 116);
		const sink = collector();
		const error = await rejection(
			decryptFile({input: '-', provider, stdin: readableOf(cut), stdout: sink.stream}),
		);
		expect(error.code).toBe('truncated');
		expect(error.message).toContain('already written to standard output');
		expect(sink.bytes().length).toBeGreaterThan(0);
		expect(sink.bytes().length % frame).toBe(0);
	});

	test('inspect reports the header and sizes without KMS', async () => {
		const {file} = await plainFile('data.txt', randomBytes(2500));
		const {outputPath, header} = await encryptFile({
			input: file,
			provider,
			keyId: provider.keyArn,
			frameSize: 1024,
			encryptionContext: {app: 'kms-tui'},
		});
		const summary = await inspectEnvelope(outputPath);
		expect(summary).toMatchObject({
			encoding: 'binary',
			version: 2,
			algorithm: 'AES-256-GCM-HKDF-SHA512-COMMIT',
			keyArn: provider.keyArn,
			wrappedKeys: [{keyArn: provider.keyArn, encryptedDataKeyBytes: 64}],
			encryptionContext: {app: 'kms-tui'},
			frameSize: 1024,
			fileName: 'data.txt',
			plaintextSize: 2500,
			plaintextSizeRecorded: true,
			frameCount: 3,
			lengthConsistent: true,
			messageId: header.messageId,
			createdAt: header.createdAt,
		});
		expect(summary.fileSize).toBe((await stat(outputPath)).size);
		expect(provider.calls.decrypt).toBe(0);
		const cut = (await stat(outputPath)).size - 5;
		await truncate(outputPath, cut);
		expect((await inspectEnvelope(outputPath)).lengthConsistent).toBe(false);
		expect((await rejection(inspectEnvelope(file))).code).toBe('not-an-envelope');
	});
});
