import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	completePath,
	type DirEntry,
	longestCommonPrefix,
	readCompletion,
	splitPath,
} from '../../source/hooks/path-completion.js';
import {makeTempDir} from '../helpers/local-data-keys.js';

const entries: DirEntry[] = [
	{name: 'report-2024.txt', isDirectory: false},
	{name: 'report-2025.txt', isDirectory: false},
	{name: 'reports', isDirectory: true},
	{name: 'notes.md', isDirectory: false},
	{name: '.env', isDirectory: false},
	{name: '.git', isDirectory: true},
];

describe('completePath', () => {
	it('splits the typed path into the listed directory and the completed name', () => {
		expect(splitPath('a/b/c.t')).toEqual({dir: 'a/b/', base: 'c.t'});
		expect(splitPath('file')).toEqual({dir: '', base: 'file'});
		expect(splitPath('dir/')).toEqual({dir: 'dir/', base: ''});
	});

	it('finds the longest common prefix', () => {
		expect(longestCommonPrefix(['report-2024', 'report-2025', 'reports/'])).toBe('report');
		expect(longestCommonPrefix(['abc'])).toBe('abc');
		expect(longestCommonPrefix([])).toBe('');
	});

	it('completes a unique match fully, with / for a directory', () => {
		expect(completePath('no', entries)).toEqual({value: 'notes.md', candidates: []});
		expect(completePath('sub/no', entries)).toEqual({value: 'sub/notes.md', candidates: []});
		expect(completePath('reports', entries).value).toBe('reports/');
	});

	it('extends to the common prefix and lists the candidates when ambiguous', () => {
		expect(completePath('re', entries)).toEqual({
			value: 'report',
			candidates: ['report-2024.txt', 'report-2025.txt', 'reports/'],
		});
		expect(completePath('report-', entries)).toEqual({
			value: 'report-202',
			candidates: ['report-2024.txt', 'report-2025.txt'],
		});
	});

	it('offers hidden entries only after a dot, and leaves a non-match alone', () => {
		expect(completePath('', entries).candidates).not.toContain('.env');
		expect(completePath('.', entries).candidates).toEqual(['.env', '.git/']);
		expect(completePath('zzz', entries)).toEqual({value: 'zzz', candidates: []});
	});
});

describe('readCompletion', () => {
	it('lists the directory relative to cwd', async () => {
		const {dir, remove} = await makeTempDir();
		try {
			await mkdir(path.join(dir, 'data'));
			await writeFile(path.join(dir, 'data', 'secret.txt'), 'x');
			await writeFile(path.join(dir, 'data', 'second.txt'), 'x');
			expect(await readCompletion(dir, 'da')).toEqual({value: 'data/', candidates: []});
			expect(await readCompletion(dir, 'data/s')).toEqual({
				value: 'data/sec',
				candidates: ['second.txt', 'secret.txt'],
			});
			expect(await readCompletion(dir, 'data/sec')).toEqual({
				value: 'data/sec',
				candidates: ['second.txt', 'secret.txt'],
			});
			expect(await readCompletion(dir, 'data/secr')).toEqual({
				value: 'data/secret.txt',
				candidates: [],
			});
			expect(await readCompletion(dir, 'missing/x')).toEqual({value: 'missing/x', candidates: []});
		} finally {
			await remove();
		}
	});
});
