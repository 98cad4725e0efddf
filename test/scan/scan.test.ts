/**
 * scanEnvelopes and blastRadius on real files: the file limit, unreadable files, a FIFO named
 * on the command line (must not hang), the abort signal, progress, and what "only this key
 * opens it" means for files with several keys.
 */
import {execFileSync} from 'node:child_process';
import {chmod, mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {encryptFile} from '../../source/envelope/index.js';
import {blastRadius, filesUnder, type ScanResult, scanEnvelopes} from '../../source/scan/scan.js';
import {
	combineLocalDataKeys,
	createLocalDataKeys,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';

const keyA = createLocalDataKeys();
const keyB = createLocalDataKeys({
	keyArn: 'arn:aws:kms:eu-west-1:000000000000:key/99999999-2222-3333-4444-555555555555',
});
const both = combineLocalDataKeys([keyA, keyB]);
const dir = tempDirPerTest();

async function envelopeAt(relative: string, keyIds: readonly string[]): Promise<string> {
	const input = path.join(dir(), `${relative}.plain`);
	await mkdir(path.dirname(input), {recursive: true});
	await writeFile(input, relative);
	const output = path.join(dir(), relative);
	await encryptFile({input, output, provider: both, keyId: keyIds});
	return output;
}

describe('scanEnvelopes', () => {
	it('counts files by content and tells only-this-key from also-elsewhere', async () => {
		await envelopeAt('a-only.kms', [keyA.keyArn]);
		await envelopeAt('sub/b-only.bin', [keyB.keyArn]);
		await envelopeAt('shared.kms', [keyB.keyArn, keyA.keyArn]);
		const seen: number[] = [];
		const scan = await scanEnvelopes([dir()], {onProgress: (count) => seen.push(count)});
		expect(scan.filesSeen).toBe(6);
		expect(scan.files.map((file) => file.relativePath)).toEqual([
			'a-only.kms',
			'shared.kms',
			'sub/b-only.bin',
		]);
		expect(seen.at(-1)).toBe(6);
		const radiusA = blastRadius(scan, keyA.keyArn);
		expect(radiusA.unreadable.map((file) => file.relativePath)).toEqual(['a-only.kms']);
		expect(radiusA.alsoOpenElsewhere.map((file) => file.relativePath)).toEqual(['shared.kms']);
		expect(filesUnder(scan, keyB.keyArn)).toHaveLength(2);
		expect(blastRadius(scan, 'arn:aws:kms:us-east-1:000000000000:key/none').unreadable).toEqual([]);
	});

	it('a data key of another provider opens the file too: not unreadable without the KMS key', () => {
		const scan: ScanResult = {
			files: [
				{
					path: 'm',
					relativePath: 'm',
					kind: 'esdk',
					bytes: 1,
					keys: [
						{keyArn: keyA.keyArn, provider: 'aws-kms'},
						{keyArn: 'raw AES keyring (provider "vault")', provider: 'vault'},
					],
				},
			],
			problems: [],
			isTruncated: false,
			filesSeen: 1,
		};
		expect(blastRadius(scan, keyA.keyArn)).toEqual({unreadable: [], alsoOpenElsewhere: scan.files});
	});

	it('reads a JSON envelope larger than the first read from its start only', async () => {
		const input = path.join(dir(), 'big.plain');
		await writeFile(input, Buffer.alloc(300_000, 7));
		const {outputPath} = await encryptFile({
			input,
			provider: keyA,
			keyId: keyA.keyArn,
			format: 'json',
		});
		const [file] = (await scanEnvelopes([outputPath])).files;
		expect(file).toMatchObject({
			kind: 'kms-json',
			keys: [{keyArn: keyA.keyArn, provider: 'aws-kms'}],
		});
		expect(file?.bytes).toBeGreaterThan(400_000);
	});

	it('stops at maxFiles and says so', async () => {
		for (const name of ['1.kms', '2.kms', '3.kms']) await envelopeAt(name, [keyA.keyArn]);
		const scan = await scanEnvelopes([dir()], {maxFiles: 2});
		expect(scan.isTruncated).toBe(true);
		expect(scan.filesSeen).toBe(2);
		expect((await scanEnvelopes([dir()])).isTruncated).toBe(false);
	});

	it('lists an unreadable file and a FIFO as problems instead of hanging or failing', async () => {
		const locked = await envelopeAt('locked.kms', [keyA.keyArn]);
		await chmod(locked, 0o000);
		const fifo = path.join(dir(), 'pipe');
		execFileSync('mkfifo', [fifo]);
		const scan = await scanEnvelopes([dir(), fifo]);
		const reasons = Object.fromEntries(
			scan.problems.map((problem) => [problem.path, problem.reason]),
		);
		expect(reasons[fifo]).toBe('not a regular file (a pipe or device)');
		// root reads a 0000 file anyway; anyone else gets "permission denied".
		if (process.getuid?.() !== 0) expect(reasons[locked]).toBe('permission denied');
		else expect(scan.files.map((file) => file.path)).toContain(locked);
	});

	it('stops when aborted', async () => {
		await envelopeAt('x.kms', [keyA.keyArn]);
		const controller = new AbortController();
		controller.abort(new Error('stop'));
		await expect(scanEnvelopes([dir()], {signal: controller.signal})).rejects.toThrow('stop');
	});
});
