/**
 * `--env-file` pointing at a file that is not a .env file: dotenv parses any text (it skips
 * lines it cannot read), so without a check kms-tui appended its block to a passwd-style file.
 * Such a file is refused whole, naming the first foreign line; real .env files still merge.
 */
import {lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {foreignLine} from '../../source/env-file/dotenv-syntax.js';
import {EnvFileError, mergeEnvText, planEnvMerge} from '../../source/env-file/index.js';

const passwd = [
	'root:x:0:0:root:/root:/bin/bash',
	'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
	'',
].join('\n');

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-not-dotenv-'));
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

function refusal(existing: string): EnvFileError {
	try {
		mergeEnvText(existing, {KMS_KEY_ID: 'k'});
	} catch (error) {
		expect(error).toBeInstanceOf(EnvFileError);
		return error as EnvFileError;
	}
	throw new Error('the merge was not refused');
}

describe('a file that is not a .env file is refused', () => {
	it('names the first foreign line by number, with an excerpt', () => {
		const error = refusal(passwd);
		expect(error.code).toBe('not-dotenv');
		expect(error.message).toContain('not a .env file: line 1 ');
		expect(error.message).toContain('"root:x:0:0:root:/root:/bin/bash"');
		expect(error.message).toContain('nothing was written');
		expect(error.message).toContain('--env-file');
	});

	it('counts lines as dotenv does, past comments, blanks and multi-line values', () => {
		const text = [
			'# settings',
			'',
			'A=1',
			'CERT="-----BEGIN',
			'not: an assignment',
			'-----END"',
			'oops',
			'',
		];
		expect(foreignLine(text.join('\r\n'))).toEqual({number: 7, excerpt: 'oops'});
		expect(foreignLine(text.join('\n'))).toEqual({number: 7, excerpt: 'oops'});
	});

	it('escapes the excerpt and cuts it short', () => {
		const error = refusal(`A=1\n\u001b]0;x\u0007\u001b[2J\u202e${'y'.repeat(100)}\n`);
		expect(error.message).toContain('line 2 ');
		expect(error.message).not.toContain('\u001b');
		expect(error.message).not.toContain('\u202e');
		expect(error.message).toContain('\\e]0;x\\u{0007}\\e[2J\\u{202e}');
		expect(error.message).toContain('…');
		expect(error.message).not.toContain('y'.repeat(61));
	});

	it('refuses YAML (dotenv’s `NAME: value` form) and shell code', () => {
		expect(refusal('services:\n  web:\n    image: x\n').code).toBe('not-dotenv');
		expect(refusal('name: value\n').code).toBe('not-dotenv');
		expect(refusal('A=1\nif true; then echo; fi\n').message).toContain('line 2 ');
	});

	it('accepts what .env files hold', () => {
		const text = [
			'\ufeff# a BOM, then a comment',
			'   ',
			'export A=1',
			'  B = "two words" # inline comment',
			"C='single'",
			'D=`back`',
			'E=',
			'F="multi',
			'line: value',
			'end"',
			'\tG=tab-indented',
			'H.I-J=dotted',
		].join('\n');
		expect(foreignLine(text)).toBeUndefined();
		expect(mergeEnvText(text, {KMS_KEY_ID: 'k'}).text).toContain('KMS_KEY_ID=k');
	});

	it('any foreign line added to a valid file is found at its own line number', () => {
		const valid = fc.constantFrom('A=1', 'export B="x y"', '# c', '', "C='q'", 'D=', ' E = 2 # n');
		const foreign = fc.constantFrom(
			'root:x:0:0',
			'just words',
			'[section]',
			'A',
			'- item',
			'{"a":1}',
		);
		fc.assert(
			fc.property(fc.array(valid, {maxLength: 8}), foreign, fc.nat(), (lines, bad, at) => {
				const position = lines.length === 0 ? 0 : at % (lines.length + 1);
				const text = [...lines.slice(0, position), bad, ...lines.slice(position)].join('\n');
				expect(foreignLine(text)).toEqual({number: position + 1, excerpt: bad});
			}),
			{numRuns: 300},
		);
	});
});

describe('planEnvMerge', () => {
	it('refuses a symlink to a passwd-style file and changes nothing', async () => {
		const target = path.join(dir, 'passwd');
		await writeFile(target, passwd);
		const link = path.join(dir, 'x');
		await symlink(target, link);
		const before = await stat(target);
		const error = await planEnvMerge(link, {KMS_KEY_ID: 'k'}).then(
			() => undefined,
			(caught: unknown) => caught,
		);
		expect(error).toBeInstanceOf(EnvFileError);
		expect((error as EnvFileError).message).toContain(`${link}: not a .env file: line 1 `);
		expect(await readFile(target, 'utf8')).toBe(passwd);
		expect((await stat(target)).mtimeMs).toBe(before.mtimeMs);
		expect((await lstat(link)).isSymbolicLink()).toBe(true);
		expect((await readdir(dir)).sort()).toEqual(['passwd', 'x']);
	});
});
