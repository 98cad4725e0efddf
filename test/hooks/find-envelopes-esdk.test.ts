import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {encryptEsdk} from '../../source/esdk/encrypt.js';
import {findEnvelopes} from '../../source/hooks/find-envelopes.js';
import {createLocalDataKeys, tempDirPerTest} from '../helpers/local-data-keys.js';

const provider = createLocalDataKeys();
const other = createLocalDataKeys({
	keyArn: 'arn:aws:kms:eu-west-1:000000000000:key/99999999-2222-3333-4444-555555555555',
});
const dir = tempDirPerTest();

async function esdkAt(name: string, keys = provider) {
	const file = path.join(dir(), name);
	await writeFile(file, `contents of ${name}`);
	return encryptEsdk({input: file, provider: keys, keyIds: [keys.keyArn], suite: 'unsigned'});
}

describe('findEnvelopes with includeEsdk', () => {
	it('finds SDK messages by content, per key, and only when asked', async () => {
		await esdkAt('mine.txt');
		await esdkAt('theirs.txt', other);
		await writeFile(path.join(dir(), 'fake.encrypted'), Buffer.from([2, 4, 0, 1]));
		expect((await findEnvelopes(dir())).esdkMessages).toEqual([]);
		const all = await findEnvelopes(dir(), {includeEsdk: true});
		expect(all.esdkMessages.map((found) => found.relativePath)).toEqual([
			'mine.txt.encrypted',
			'theirs.txt.encrypted',
		]);
		expect(all.envelopes).toEqual([]);
		const mine = await findEnvelopes(dir(), {includeEsdk: true, keyArn: provider.keyArn});
		expect(mine.esdkMessages.map((found) => found.relativePath)).toEqual(['mine.txt.encrypted']);
		expect(mine.esdkMessages[0]?.esdk.suite.id).toBe('0x0478');
	});
});
