/**
 * Damaged AWS Encryption SDK messages (made by the real SDK, then modified) are refused by
 * `kms-tui decrypt` with exit status 1 and nothing written: bit flips in the header, the body
 * and the footer, truncation, appended bytes, reordered frames, another message's signature.
 * To standard output, verified regular frames may go out, but never the final frame of a signed
 * message before its signature verified.
 */
import {randomBytes} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseEsdkHeader} from '../../source/esdk/header-parse.js';
import {type EsdkFixture, kmsKeyring, sdkEncrypt, startEsdkFixture} from './decrypt-helpers.js';

let fx: EsdkFixture;
let signed: Buffer;
let unsigned: Buffer;
let other: Buffer;
let plaintext: Buffer;
let counter = 0;
const FRAME = 4096;
/** One regular frame: sequence number, IV, content, tag. */
const SEALED = 4 + 12 + FRAME + 16;

beforeAll(async () => {
	fx = await startEsdkFixture('tamper');
	const keyArn = await fx.newKey();
	plaintext = randomBytes(2 * FRAME + 1000);
	const keyring = kmsKeyring(fx.kms, [keyArn]);
	signed = await sdkEncrypt(keyring, plaintext, {suiteId: 0x0578, frameLength: FRAME});
	other = await sdkEncrypt(keyring, plaintext, {suiteId: 0x0578, frameLength: FRAME});
	unsigned = await sdkEncrypt(keyring, plaintext, {suiteId: 0x0478, frameLength: FRAME});
});
afterAll(async () => {
	await fx?.close();
});

function headerBytes(message: Buffer): number {
	const header = parseEsdkHeader(message, {label: 'test'});
	if (!header) throw new Error('no header');
	return header.headerBytes;
}

function flip(message: Buffer, at: number): Buffer {
	const copy = Buffer.from(message);
	copy[at] = (copy[at] as number) ^ 0x01;
	return copy;
}

/** Footer of a signed message: UInt16 length ‖ DER signature, at the very end. */
function footerBytes(message: Buffer): number {
	for (let n = 60; n < 120; n++) {
		if (message.readUInt16BE(message.length - 2 - n) === n) return n + 2;
	}
	throw new Error('no footer');
}

async function expectRefused(message: Buffer, why: RegExp | string) {
	const name = `t-${++counter}`;
	await fx.write(`${name}.encrypted`, message);
	const result = await fx.cli(['decrypt', `${name}.encrypted`, '-o', `${name}.out`]);
	expect(result.code, result.stderr).toBe(1);
	if (typeof why === 'string') expect(result.stderr).toContain(why);
	else expect(result.stderr).toMatch(why);
	expect(result.stderr).toContain('othing was written');
	// Neither the output nor its temp file (.NAME.kms-tui-….tmp).
	expect(await fx.leftovers(name)).toEqual([`${name}.encrypted`]);
}

describe('kms-tui decrypt refuses modified AWS Encryption SDK messages', () => {
	it('the untouched messages decrypt (the baseline of every case below)', async () => {
		for (const message of [signed, unsigned]) {
			await fx.write('baseline.encrypted', message);
			const result = await fx.cli([
				'decrypt',
				'baseline.encrypted',
				'-o',
				'baseline.out',
				'--force',
			]);
			expect(result.code, result.stderr).toBe(0);
			expect((await readFile(path.join(fx.work, 'baseline.out'))).equals(plaintext)).toBe(true);
		}
	});

	it('bit flips in the header', async () => {
		const header = headerBytes(signed);
		// The message id: the derived commit key no longer matches.
		await expectRefused(flip(signed, 10), 'key commitment');
		// The stored commit key itself.
		await expectRefused(flip(signed, header - 16 - 1), 'key commitment');
		// The header tag.
		await expectRefused(flip(signed, header - 1), 'header failed authentication');
		// The frame length (header body).
		await expectRefused(
			flip(unsigned, headerBytes(unsigned) - 16 - 32 - 1),
			// Found before KMS: the file's length no longer fits the header.
			'does not fit its header',
		);
		// The encrypted data key: KMS refuses it.
		await expectRefused(flip(signed, header - 16 - 32 - 4 - 1 - 20), /KMS|key/);
	});

	it('bit flips in the body and the footer', async () => {
		const header = headerBytes(signed);
		await expectRefused(flip(signed, header + 16 + 100), 'frame 1 failed authentication');
		await expectRefused(
			flip(signed, header + SEALED + 16 + FRAME + 3),
			'frame 2 failed authentication',
		);
		const finalTag = signed.length - footerBytes(signed) - 1;
		await expectRefused(flip(signed, finalTag), 'the final frame (3) failed authentication');
		await expectRefused(flip(signed, signed.length - 1), 'signature does not match');
		await expectRefused(
			flip(unsigned, unsigned.length - 1),
			'the final frame (3) failed authentication',
		);
		// A frame's sequence number.
		await expectRefused(flip(signed, header + 3), 'out of order');
	});

	it('another message’s signature, swapped frames, truncation, appended bytes', async () => {
		const footer = footerBytes(signed);
		const foreign = Buffer.concat([
			signed.subarray(0, signed.length - footer),
			other.subarray(other.length - footerBytes(other)),
		]);
		await expectRefused(foreign, 'signature does not match');
		const header = headerBytes(unsigned);
		const swapped = Buffer.concat([
			unsigned.subarray(0, header),
			unsigned.subarray(header + SEALED, header + 2 * SEALED),
			unsigned.subarray(header, header + SEALED),
			unsigned.subarray(header + 2 * SEALED),
		]);
		await expectRefused(swapped, 'out of order');
		await expectRefused(signed.subarray(0, signed.length - 1), 'cut off');
		await expectRefused(signed.subarray(0, signed.length - footer), 'cut off');
		await expectRefused(unsigned.subarray(0, unsigned.length - 1), 'cut off');
		await expectRefused(unsigned.subarray(0, header + SEALED), 'cut off');
		await expectRefused(signed.subarray(0, 40), 'cut off');
		// A file: its length no longer fits (found before KMS); a stream: found at the end.
		await expectRefused(Buffer.concat([unsigned, Buffer.from([0])]), 'bytes were added');
		await expectRefused(Buffer.concat([signed, Buffer.from([0])]), 'bytes were added');
		const piped = await fx.cli(
			['decrypt', '-', '-o', '-'],
			Buffer.concat([unsigned, Buffer.from([0])]),
		);
		expect(piped.code).toBe(1);
		expect(piped.stderr).toContain('bytes after the end');
		expect(piped.stdoutBytes.length).toBe(0);
	});

	it('to standard output: verified batches may go out, the final frame of a signed message never before its signature', async () => {
		// All in one 1 MiB batch: nothing goes out.
		const small = await fx.cli(['decrypt', '-', '-o', '-'], flip(signed, signed.length - 1));
		expect(small.code).toBe(1);
		expect(small.stderr).toContain('signature does not match');
		expect(small.stdoutBytes.length).toBe(0);
		// Larger: whole verified batches of regular frames, never the final frame.
		const large = randomBytes(2 * 1024 * 1024 + 100);
		const keyring = kmsKeyring(fx.kms, [await fx.newKey()]);
		const message = await sdkEncrypt(keyring, large, {suiteId: 0x0578, frameLength: FRAME});
		const result = await fx.cli(['decrypt', '-', '-o', '-'], flip(message, message.length - 1));
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('signature does not match');
		const released = result.stdoutBytes.length;
		expect(released).toBeGreaterThan(0);
		expect(released % FRAME).toBe(0);
		expect(released).toBeLessThanOrEqual(large.length - 100);
		expect(result.stdoutBytes.equals(large.subarray(0, released))).toBe(true);
		expect(result.stderr).toContain(
			`${released} bytes of earlier, verified frames were already written to standard output`,
		);
	});

	it('a large signed file (signature checked on a worker while frames open): a changed signature or frame is refused', async () => {
		const large = randomBytes(9 * 1024 * 1024 + 17);
		const keyring = kmsKeyring(fx.kms, [await fx.newKey()]);
		const message = await sdkEncrypt(keyring, large, {suiteId: 0x0578, frameLength: 65536});
		await fx.write('large.encrypted', message);
		const ok = await fx.cli(['decrypt', 'large.encrypted', '-o', 'large.out']);
		expect(ok.code, ok.stderr).toBe(0);
		expect((await readFile(path.join(fx.work, 'large.out'))).equals(large)).toBe(true);
		await expectRefused(flip(message, message.length - 1), 'signature does not match');
		await expectRefused(
			flip(message, message.length - footerBytes(message) + 5),
			'signature does not match',
		);
		const other = await sdkEncrypt(keyring, large, {suiteId: 0x0578, frameLength: 65536});
		const foreign = Buffer.concat([
			message.subarray(0, message.length - footerBytes(message)),
			other.subarray(other.length - footerBytes(other)),
		]);
		await expectRefused(foreign, 'signature does not match');
		await expectRefused(flip(message, headerBytes(message) + 5 * 65600), 'failed authentication');
		await expectRefused(message.subarray(0, message.length - 1), /cut off|signature/);
	});

	it('a large file (regular frames opened by two threads): decrypts; a bad frame is named, the lowest first', async () => {
		const large = randomBytes(17 * 1024 * 1024 + 123);
		const keyring = kmsKeyring(fx.kms, [await fx.newKey()]);
		for (const suiteId of [0x0478, 0x0578]) {
			const message = await sdkEncrypt(keyring, large, {suiteId, frameLength: FRAME});
			await fx.write('job.encrypted', message);
			const ok = await fx.cli(['decrypt', 'job.encrypted', '-o', 'job.out', '--force']);
			expect(ok.code, ok.stderr).toBe(0);
			expect((await readFile(path.join(fx.work, 'job.out'))).equals(large)).toBe(true);
			const header = headerBytes(message);
			// Frames 3000 and 1000 both damaged (different batches, maybe different threads): 1000 is named.
			const twice = flip(flip(message, header + 2999 * SEALED + 100), header + 999 * SEALED + 100);
			await expectRefused(twice, 'frame 1000 failed authentication');
			await expectRefused(flip(message, header + 4000 * SEALED + 3), 'frame 4001 is out of order');
			const last =
				suiteId === 0x0578 ? message.length - footerBytes(message) - 1 : message.length - 1;
			await expectRefused(flip(message, last), 'final frame');
			await expectRefused(message.subarray(0, message.length - 1), /cut off|signature/);
		}
	});
});
