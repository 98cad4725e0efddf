import {chmod, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {parse} from 'dotenv';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
	cleanEnvText,
	type KeyNames,
	planEnvCleanup,
	writeEnvCleanup,
} from '../../source/env-file/key-cleanup.js';

const key: KeyNames = {
	keyId: '11111111-2222-3333-4444-555555555555',
	arn: 'arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555',
	aliases: ['alias/app', 'arn:aws:kms:us-east-1:000000000000:alias/app'],
};
const note = '# kms-tui destroy: the key named below was deleted with its stack';

describe('cleanEnvText', () => {
	const text = [
		'# my app',
		'DATABASE_URL=postgres://localhost/app',
		`export KMS_KEY_ID=${key.keyId}`,
		'',
		`KMS_KEY_ARN="${key.arn}" # the key`,
		'KMS_KEY_ALIAS=alias/someone-else',
		`KMS_KEY_ALIAS=arn:aws:kms:us-east-1:000000000000:alias/app`,
		'KMS_KEY_IDS=not-a-variable-kms-tui-writes',
		`KMS_KEY_ID=${key.keyId}`,
	].join('\r\n');

	it('comments out exactly the assignments naming the key; every other byte stays', () => {
		const {text: after, lines} = cleanEnvText(text, key, 'comment');
		expect(lines.map((line) => [line.name, line.line])).toEqual([
			['KMS_KEY_ID', 3],
			['KMS_KEY_ARN', 5],
			['KMS_KEY_ALIAS', 7],
			['KMS_KEY_ID', 9],
		]);
		expect(after).toBe(
			[
				'# my app',
				'DATABASE_URL=postgres://localhost/app',
				note,
				`# export KMS_KEY_ID=${key.keyId}`,
				'',
				`# KMS_KEY_ARN="${key.arn}" # the key`,
				'KMS_KEY_ALIAS=alias/someone-else',
				'# KMS_KEY_ALIAS=arn:aws:kms:us-east-1:000000000000:alias/app',
				'KMS_KEY_IDS=not-a-variable-kms-tui-writes',
				`# KMS_KEY_ID=${key.keyId}`,
			].join('\r\n'),
		);
		expect(parse(after)).toEqual({
			DATABASE_URL: 'postgres://localhost/app',
			KMS_KEY_ALIAS: 'alias/someone-else',
			KMS_KEY_IDS: 'not-a-variable-kms-tui-writes',
		});
	});

	it('removes them with their line breaks', () => {
		const {text: after} = cleanEnvText(text, key, 'remove');
		expect(after).toBe(
			[
				'# my app',
				'DATABASE_URL=postgres://localhost/app',
				'',
				'KMS_KEY_ALIAS=alias/someone-else',
				'KMS_KEY_IDS=not-a-variable-kms-tui-writes',
				'',
			].join('\r\n'),
		);
	});

	it('leaves a file that names another key (or nothing) alone', () => {
		const other = 'KMS_KEY_ID=99999999-2222-3333-4444-555555555555\nKMS_KEY_ARN=\n';
		expect(cleanEnvText(other, key, 'comment')).toEqual({text: other, lines: []});
	});
});

describe('planEnvCleanup / writeEnvCleanup', () => {
	let dir: string;
	beforeEach(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-key-cleanup-'));
	});
	afterEach(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	it('writes atomically, keeps the mode and FILE.bak; a missing file is nothing to do', async () => {
		const file = path.join(dir, '.env');
		expect(await planEnvCleanup(file, key, 'comment')).toBeUndefined();
		const before = `A=1\nKMS_KEY_ID=${key.keyId}\n`;
		await writeFile(file, before);
		await chmod(file, 0o640);
		const plan = await planEnvCleanup(file, key, 'comment');
		expect(plan?.lines).toEqual([{name: 'KMS_KEY_ID', value: key.keyId, line: 2}]);
		if (!plan) throw new Error('no plan');
		const {backupPath} = await writeEnvCleanup(plan);
		expect(await readFile(file, 'utf8')).toBe(`A=1\n${note}\n# KMS_KEY_ID=${key.keyId}\n`);
		expect(backupPath).toBe(`${file}.bak`);
		expect(await readFile(`${file}.bak`, 'utf8')).toBe(before);
		expect((await stat(file)).mode & 0o777).toBe(0o640);
	});

	it('refuses when the file changed after the plan, leaving it as it is', async () => {
		const file = path.join(dir, '.env');
		await writeFile(file, `KMS_KEY_ID=${key.keyId}\n`);
		const plan = await planEnvCleanup(file, key, 'remove');
		if (!plan) throw new Error('no plan');
		await writeFile(file, `KMS_KEY_ID=${key.keyId}\nNEW=1\n`);
		await expect(writeEnvCleanup(plan)).rejects.toThrow(/changed on disk/);
		expect(await readFile(file, 'utf8')).toBe(`KMS_KEY_ID=${key.keyId}\nNEW=1\n`);
	});
});
