import {chmod, mkdir, rename, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {decryptFile, encryptFile} from '../../source/envelope/index.js';
import {findEnvelopes, isEnvelopeName} from '../../source/hooks/find-envelopes.js';
import {
	combineLocalDataKeys,
	createLocalDataKeys,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';

const provider = createLocalDataKeys();
const other = createLocalDataKeys({
	keyArn: 'arn:aws:kms:eu-west-1:000000000000:key/99999999-2222-3333-4444-555555555555',
});
const twoKeys = combineLocalDataKeys([provider, other]);
const dir = tempDirPerTest();

async function encryptAt(
	relative: string,
	options: {format?: 'binary' | 'json'; keys?: typeof provider} = {},
) {
	const file = path.join(dir(), relative);
	await mkdir(path.dirname(file), {recursive: true});
	await writeFile(file, `contents of ${relative}`);
	const keys = options.keys ?? provider;
	return encryptFile({input: file, provider: keys, keyId: keys.keyArn, format: options.format});
}

describe('findEnvelopes', () => {
	it('recognises envelope names', () => {
		expect(isEnvelopeName('a.kms')).toBe(true);
		expect(isEnvelopeName('a.kms.json')).toBe(true);
		expect(isEnvelopeName('a.json')).toBe(false);
	});

	it('finds binary and JSON envelopes of one key, skipping other keys and fakes', async () => {
		await encryptAt('top.txt');
		await encryptAt('a/b/nested.txt', {format: 'json'});
		await encryptAt('other.txt', {keys: other});
		await writeFile(path.join(dir(), 'fake.kms'), 'not an envelope');
		const all = await findEnvelopes(dir());
		expect(all.envelopes.map((found) => found.relativePath).sort()).toEqual([
			path.join('a', 'b', 'nested.txt.kms.json'),
			'other.txt.kms',
			'top.txt.kms',
		]);
		const mine = await findEnvelopes(dir(), {keyArn: provider.keyArn});
		expect(mine.envelopes.map((found) => found.relativePath).sort()).toEqual([
			path.join('a', 'b', 'nested.txt.kms.json'),
			'top.txt.kms',
		]);
		expect(mine.envelopes[0]?.summary.keyArn).toBe(provider.keyArn);
		expect(mine.isTruncated).toBe(false);
	});

	it('finds envelopes by content, whatever their name, and under any of their keys', async () => {
		const {outputPath} = await encryptAt('renamed.txt');
		await rename(outputPath, path.join(dir(), 'renamed.bin'));
		const file = path.join(dir(), 'both.txt');
		await writeFile(file, 'two keys');
		await encryptFile({input: file, provider: twoKeys, keyId: [other.keyArn, provider.keyArn]});
		const mine = await findEnvelopes(dir(), {keyArn: provider.keyArn});
		expect(mine.envelopes.map((found) => found.relativePath)).toEqual([
			'both.txt.kms',
			'renamed.bin',
		]);
	});

	it('goes as deep as `kms-tui scan`, skips node_modules and .git, and stops at the file limit', async () => {
		await encryptAt('1/2/3/deep.txt');
		await encryptAt('1/2/3/4/deeper.txt');
		await encryptAt('node_modules/pkg/dep.txt');
		await encryptAt('.git/objects/x.txt');
		const found = await findEnvelopes(dir());
		expect(found.envelopes.map((envelope) => path.basename(envelope.path))).toEqual([
			'deeper.txt.kms',
			'deep.txt.kms',
		]);
		const limited = await findEnvelopes(dir(), {maxFiles: 1});
		expect(limited.isTruncated).toBe(true);
	});

	it('notices a decrypted copy (private, newer than the envelope)', async () => {
		const {outputPath} = await encryptAt('plain.txt');
		let [found] = (await findEnvelopes(dir())).envelopes;
		expect(found?.decryptedPath).toBeUndefined();
		// The original is not a decrypted copy, even when made private.
		await chmod(path.join(dir(), 'plain.txt'), 0o600);
		const result = await decryptFile({input: outputPath, provider});
		expect(path.basename(result.outputPath)).toBe('plain (1).txt');
		[found] = (await findEnvelopes(dir())).envelopes;
		expect(found?.decryptedPath).toBe(result.outputPath);
	});
});
