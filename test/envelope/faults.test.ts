/**
 * The engine under faults and bad outputs (issue 10): the streaming loop never leaves a
 * rejection unhandled, stale temp files of killed writers are removed, stdin is never its own
 * output, output paths are checked before KMS, terminals get no binary, stored names stay plain,
 * and tiny frames do not pile up buffers.
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {createReadStream, openSync} from 'node:fs';
import {link, mkdir, open, readFile, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {afterEach, beforeEach, describe, expect, test} from 'vitest';
import {sharesTerminal} from '../../source/commands/progress.js';
import {isSafeFileName} from '../../source/envelope/format.js';
import {decryptFile, encryptFile} from '../../source/envelope/index.js';
import type {ByteSink, ByteSource} from '../../source/envelope/io.js';
import {pumpBatches, pumpFrames} from '../../source/envelope/pump.js';
import {tempName} from '../../source/envelope/temp-file.js';
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

/** Unhandled rejections seen during a test (Node would exit on one: the temp file stays). */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
	unhandled.length = 0;
	process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
	process.off('unhandledRejection', onUnhandled);
});

/** Settles on a real I/O completion: always a later event-loop turn than the caller's. */
const realIo = () => stat(dir()).then(() => undefined);

function scriptedSource(steps: Array<'full' | 'fail' | 'full-later'>): ByteSource {
	let call = 0;
	return {
		async read(buffer, offset, length) {
			const step = steps[call++] ?? 'fail';
			if (step === 'fail') throw Object.assign(new Error('read failed'), {code: 'EIO'});
			if (step === 'full-later') await realIo();
			buffer.fill(1, offset, offset + length);
			return length;
		},
		unread() {},
	};
}

describe('the streaming loop (pump.ts)', () => {
	test('a write that fails while the loop waits for the next read is reported, never unhandled', async () => {
		// Read 2 completes on a later turn; write 1 fails at once, while the loop awaits read 2.
		const sink: ByteSink = {
			write: () => Promise.reject(Object.assign(new Error('disk full'), {code: 'ENOSPC'})),
		};
		const run = pumpBatches({
			source: scriptedSource(['full', 'full-later', 'full-later']),
			sink,
			batch: 64,
			signal: undefined,
			label: 'x',
			transform: (data) => [Buffer.from(data)],
		});
		await expect(run).rejects.toMatchObject({code: 'ENOSPC'});
		expect(unhandled).toEqual([]);
	});

	test('a read that fails while the loop waits for a write is reported, never unhandled', async () => {
		// Write 1 completes on a later turn; read 3 fails at once, while the loop awaits write 1.
		let writes = 0;
		const sink: ByteSink = {write: () => (writes++ === 0 ? realIo() : Promise.resolve())};
		const run = pumpBatches({
			source: scriptedSource(['full', 'full', 'fail']),
			sink,
			batch: 64,
			signal: undefined,
			label: 'x',
			transform: (data) => [Buffer.from(data)],
		});
		await expect(run).rejects.toMatchObject({code: 'EIO'});
		expect(unhandled).toEqual([]);
	});

	test('64-byte frames reach the sink as one buffer per batch, not thousands that outlive it', async () => {
		const sizes: number[] = [];
		const sink: ByteSink = {
			async write(chunks) {
				sizes.push(chunks.length);
			},
		};
		const data = randomBytes(3 * 1024 * 1024);
		let read = 0;
		await pumpFrames({
			source: {
				read: async (buffer, offset, length) => {
					const n = Math.min(length, data.length - read);
					data.copy(buffer, offset, read, read + n);
					read += n;
					return n;
				},
				unread() {},
			},
			sink,
			frameBytes: 80,
			signal: undefined,
			label: 'x',
			onFrame: (bytes, _n, _final, out) => out.push(Buffer.from(bytes)),
		});
		expect(sizes.length).toBeGreaterThan(2);
		expect(Math.max(...sizes)).toBe(1);
	});
});

describe('stale temp files of a killed writer', () => {
	async function deadPid(): Promise<number> {
		const child = spawn(process.execPath, ['-e', '0']);
		await new Promise((resolve) => child.once('exit', resolve));
		return child.pid as number;
	}

	test('the next run for the same output removes them and says so; live and other ones stay', async () => {
		const input = path.join(dir(), 'data.txt');
		await writeFile(input, 'secret');
		const dead = tempName('data.txt.kms', await deadPid());
		const live = tempName('data.txt.kms', process.pid);
		const otherOutput = tempName('other.kms', await deadPid());
		const older = '.data.txt.kms.kms-tui-0123456789ab.tmp';
		for (const name of [dead, live, otherOutput, older]) {
			await writeFile(path.join(dir(), name), 'partial plaintext');
		}
		const notices: string[] = [];
		await encryptFile({
			input,
			provider,
			keyId: provider.keyArn,
			onNotice: (message) => notices.push(message),
		});
		expect(notices).toHaveLength(1);
		expect(notices[0]).toContain(dead);
		expect(notices[0]).toContain('killed');
		expect(await listDir(dir())).toEqual(
			[live, otherOutput, older, 'data.txt', 'data.txt.kms'].sort(),
		);
	});

	test('the temp name carries the writer PID and stays a valid name for a 255-byte target', () => {
		expect(tempName('x.kms')).toMatch(
			new RegExp(`^\\.x\\.kms\\.kms-tui-${process.pid}-[\\da-f]{8}-[\\da-f]{8}\\.tmp$`),
		);
		expect(Buffer.byteLength(tempName('é'.repeat(127)))).toBeLessThanOrEqual(255);
		expect(tempName('😀'.repeat(60))).not.toMatch(/\p{Surrogate}/u);
	});
});

describe('stdin is never its own output', () => {
	/** A stream on fd `fd`, as process.stdin is on fd 0 when the shell redirects a file. */
	const stdinOf = (file: string) => createReadStream('', {fd: openSync(file, 'r')});

	test('decrypt - -o f.kms --force < f.kms is refused and f.kms is left intact', async () => {
		const input = path.join(dir(), 'f');
		await writeFile(input, randomBytes(10_000));
		const {outputPath} = await encryptFile({input, provider, keyId: provider.keyArn});
		const before = await readFile(outputPath);
		const error = await rejection(
			decryptFile({
				input: '-',
				stdin: stdinOf(outputPath),
				output: outputPath,
				provider,
				force: true,
			}),
		);
		expect(error.code).toBe('same-file');
		expect(provider.calls.decrypt).toBe(0);
		expect((await readFile(outputPath)).equals(before)).toBe(true);
		expect(await listDir(dir())).toEqual(['f', 'f.kms']);
	});

	test('encrypt - -o f --force < f is refused, also through a hard link', async () => {
		const input = path.join(dir(), 'f');
		await writeFile(input, 'the only copy');
		const alias = path.join(dir(), 'g');
		await link(input, alias);
		for (const output of [input, alias]) {
			const error = await rejection(
				encryptFile({
					input: '-',
					stdin: stdinOf(input),
					output,
					provider,
					keyId: provider.keyArn,
					force: true,
				}),
			);
			expect(error.code).toBe('same-file');
		}
		expect(provider.calls.generate).toBe(0);
		expect(await readFile(input, 'utf8')).toBe('the only copy');
		expect(await listDir(dir())).toEqual(['f', 'g']);
	});
});

describe('output paths are checked before KMS is asked', () => {
	async function refusal(output: string, input?: string) {
		const file = input ?? path.join(dir(), 'data.txt');
		await writeFile(file, 'x');
		const before = await listDir(dir());
		const error = await rejection(
			encryptFile({input: file, output, provider, keyId: provider.keyArn}),
		);
		expect(provider.calls.generate).toBe(0);
		expect(await listDir(dir())).toEqual(before);
		return error;
	}

	test('an empty -o says so, not ". already exists"', async () => {
		const error = await refusal('');
		expect(error.code).toBe('invalid-argument');
		expect(error.message).toContain('empty');
		expect(error.message).not.toContain('already exists');
	});

	test('-o newdir/ for a missing directory is refused, never a file named newdir', async () => {
		const error = await refusal(path.join(dir(), 'newdir') + path.sep);
		expect(error.message).toContain('no such directory');
		expect(error.message).toContain('mkdir -p');
	});

	test('a missing or non-directory parent is refused', async () => {
		expect((await refusal(path.join(dir(), 'no', 'x.kms'))).message).toContain('does not exist');
		await writeFile(path.join(dir(), 'plain'), '');
		expect((await refusal(path.join(dir(), 'plain', 'x.kms'))).message).toContain(
			'is not a directory',
		);
	});

	test('names and paths too long are refused up front, the default name included', async () => {
		expect((await refusal(path.join(dir(), 'a'.repeat(256)))).message).toContain('256 bytes');
		const long = path.join(dir(), 'b'.repeat(252));
		const error = await refusal(undefined as unknown as string, long);
		expect(error.message).toContain('256 bytes');
		expect(error.message).toContain('-o');
		let deep = dir();
		while (deep.length < 4000) deep = path.join(deep, 'd'.repeat(200));
		await mkdir(path.dirname(deep), {recursive: true}).catch(() => {});
		const tooDeep = await refusal(path.join(deep, 'x.kms'));
		expect(tooDeep.code).toBe('invalid-argument');
	});

	test('a 255-byte output name still works: its longer temp name is shortened', async () => {
		const input = path.join(dir(), 'data.txt');
		await writeFile(input, 'x');
		const output = path.join(dir(), 'c'.repeat(255));
		const result = await encryptFile({input, output, provider, keyId: provider.keyArn});
		expect(result.outputPath).toBe(output);
		expect(await listDir(dir())).toEqual(['c'.repeat(255), 'data.txt']);
	});
});

describe('terminals', () => {
	/** A stdout that says it is a terminal and keeps what was written. */
	function terminal() {
		const sink = collector();
		Object.assign(sink.stream, {isTTY: true});
		return sink;
	}

	test('encrypt refuses to write the binary encoding to a terminal before KMS; --force or JSON go through', async () => {
		const tty = terminal();
		const run = (options: {force?: boolean; format?: 'json'}) =>
			encryptFile({
				input: '-',
				stdin: readableOf(Buffer.from('hello')),
				stdout: tty.stream,
				provider,
				keyId: provider.keyArn,
				...options,
			});
		const error = await rejection(run({}));
		expect(error.code).toBe('invalid-argument');
		expect(error.message).toContain('refusing to write binary to a terminal');
		expect(error.message).toContain('--force');
		expect(provider.calls.generate).toBe(0);
		expect(tty.bytes().length).toBe(0);
		await run({format: 'json'});
		await run({force: true});
		expect(provider.calls.generate).toBe(2);
	});

	test('decrypt shows text on a terminal, refuses binary plaintext unless --force', async () => {
		const envelope = async (bytes: Buffer) => {
			const out = collector();
			await encryptFile({
				input: '-',
				stdin: readableOf(bytes),
				stdout: out.stream,
				provider,
				keyId: provider.keyArn,
			});
			return out.bytes();
		};
		const text = Buffer.from('plain text, with\ttabs and\nnew lines — and ünïcode\n');
		const shown = terminal();
		await decryptFile({
			input: '-',
			stdin: readableOf(await envelope(text)),
			stdout: shown.stream,
			provider,
		});
		expect(shown.bytes().equals(text)).toBe(true);

		const binary = Buffer.concat([Buffer.from('\u001b]0;title\u0007'), randomBytes(100)]);
		const refused = terminal();
		const error = await rejection(
			decryptFile({
				input: '-',
				stdin: readableOf(await envelope(binary)),
				stdout: refused.stream,
				provider,
			}),
		);
		expect(error.message).toContain('refusing to write binary to a terminal');
		expect(refused.bytes().length).toBe(0);
		const forced = terminal();
		await decryptFile({
			input: '-',
			stdin: readableOf(await envelope(binary)),
			stdout: forced.stream,
			provider,
			force: true,
		});
		expect(forced.bytes().equals(binary)).toBe(true);
	});

	test('the progress bar knows when the data goes to the terminal stderr is on', async () => {
		const handle = await open('/dev/null', 'w');
		try {
			expect(sharesTerminal('/dev/null', handle.fd)).toBe(true);
			expect(sharesTerminal('/dev/zero', handle.fd)).toBe(false);
			expect(sharesTerminal(undefined, handle.fd)).toBe(false);
			expect(sharesTerminal(path.join(dir(), 'missing'), handle.fd)).toBe(false);
		} finally {
			await handle.close();
		}
	});
});

describe('names stored in an envelope', () => {
	test.each([
		['a C1 control', 'x\u009b2J.txt'],
		['a bidi override', 'invoice\u202etxt.exe'],
		['a bidi isolate', 'a\u2066b.txt'],
		['a line separator', 'a\u2028b'],
		['a paragraph separator', 'a\u2029b'],
		['a byte-order mark', '\ufeffname.txt'],
		['a zero-width space', 'a\u200bb'],
		['an escape', 'a\u001b[2Jb'],
		['a lone surrogate', 'a\ud800b'],
	])('%s is not a safe file name', (_what, name) => {
		expect(isSafeFileName(name)).toBe(false);
	});

	test('ordinary names, accents and emoji included, are', () => {
		for (const name of ['data.txt', 'résumé.pdf', 'データ.csv', '😀.png', 'a b (1).txt']) {
			expect(isSafeFileName(name)).toBe(true);
		}
	});

	test('encrypt leaves out a name it could not store safely', async () => {
		const input = path.join(dir(), 'invoice\u202etxt.exe');
		await writeFile(input, 'x');
		const {header} = await encryptFile({input, provider, keyId: provider.keyArn});
		expect(header.fileName).toBeUndefined();
	});
});

test('stdout that fails is one EnvelopeError naming it, with nothing unhandled', async () => {
	const stdout = new PassThrough({highWaterMark: 1});
	stdout.once('data', () => stdout.destroy(Object.assign(new Error('EPIPE'), {code: 'EPIPE'})));
	const error = await rejection(
		encryptFile({
			input: '-',
			stdin: readableOf(randomBytes(4 * 1024 * 1024), 65536),
			stdout,
			provider,
			keyId: provider.keyArn,
		}),
	);
	expect(error.message).toContain('standard output');
	expect((error.cause as {code?: string}).code).toBe('EPIPE');
	expect(unhandled).toEqual([]);
});
