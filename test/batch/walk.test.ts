/**
 * The one directory walker, on real files in a temp directory: order, recursion, what it leaves
 * out (symlinked directories, .git, node_modules, FIFOs), and what it reports as a problem.
 */
import {execFileSync} from 'node:child_process';
import {mkdir, mkdtemp, rm, symlink, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {expandPaths} from '../../source/batch/walk.js';

let work: string;
beforeEach(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-walk-'));
});
afterEach(async () => {
	await rm(work, {recursive: true, force: true});
});

const at = (...parts: string[]) => path.join(work, ...parts);

async function tree(files: Record<string, string>): Promise<void> {
	for (const [name, content] of Object.entries(files)) {
		await mkdir(path.dirname(at(name)), {recursive: true});
		await writeFile(at(name), content);
	}
}

describe('expandPaths', () => {
	it('lists the files under a directory sorted, depth first, with sizes and paths below it', async () => {
		await tree({
			'd/b.txt': 'bb',
			'd/a.txt': 'a',
			'd/sub/z.txt': 'zzz',
			'd/B.txt': '',
			'd/sub/a': '',
		});
		const {items, problems} = await expandPaths([at('d')], {recursive: true});
		expect(problems).toEqual([]);
		expect(items.map((item) => item.relativePath)).toEqual([
			'B.txt',
			'a.txt',
			'b.txt',
			path.join('sub', 'a'),
			path.join('sub', 'z.txt'),
		]);
		expect(items[2]).toEqual({
			path: at('d', 'b.txt'),
			displayPath: at('d', 'b.txt'),
			size: 2,
			relativePath: 'b.txt',
		});
	});

	it('keeps the order of the paths given, and names a file only once', async () => {
		await tree({'x.txt': 'x', 'd/a.txt': 'a', 'd/b.txt': 'b'});
		const {items} = await expandPaths([at('x.txt'), at('d'), at('d', 'a.txt'), at('x.txt')], {
			recursive: true,
		});
		expect(items.map((item) => path.relative(work, item.path))).toEqual([
			'x.txt',
			path.join('d', 'a.txt'),
			path.join('d', 'b.txt'),
		]);
		// A file named on the command line has no path below a directory.
		expect(items[0]?.relativePath).toBeUndefined();
	});

	it('reports a directory without recursive, and a missing path, as problems', async () => {
		await tree({'d/a.txt': 'a', 'f.txt': 'f'});
		const {items, problems} = await expandPaths([at('d'), at('missing'), at('f.txt')], {
			recursive: false,
		});
		expect(items.map((item) => item.path)).toEqual([at('f.txt')]);
		expect(problems).toEqual([
			{path: at('d'), reason: 'is a directory: add --recursive (-r) to enter it'},
			{path: at('missing'), reason: 'no such file or directory'},
		]);
	});

	it('never enters .git, node_modules or a symlinked directory; takes links to files; leaves FIFOs out', async () => {
		await tree({
			'd/keep.txt': 'k',
			'd/.git/config': 'c',
			'd/node_modules/m/index.js': 'm',
			'outside/secret.txt': 's',
			'target.txt': 't',
		});
		await symlink(at('outside'), at('d', 'linked-dir'));
		await symlink(at('d'), at('d', 'loop'));
		await symlink(at('target.txt'), at('d', 'link.txt'));
		await symlink(at('nowhere'), at('d', 'dangling'));
		execFileSync('mkfifo', [at('d', 'fifo')]);
		const {items, problems} = await expandPaths([at('d')], {recursive: true});
		expect(problems).toEqual([]);
		expect(items.map((item) => item.relativePath)).toEqual(['keep.txt', 'link.txt']);
		expect(items[1]?.size).toBe(1);
	});

	it('follows a symlink named on the command line', async () => {
		await tree({'real/a.txt': 'a'});
		await symlink(at('real'), at('named'));
		const {items} = await expandPaths([at('named')], {recursive: true});
		expect(items.map((item) => item.path)).toEqual([at('named', 'a.txt')]);
	});

	// Root reads every directory whatever its mode: nothing to see there.
	it.skipIf(process.getuid?.() === 0)(
		'reports an unreadable directory and goes on with the rest',
		async () => {
			await tree({'d/locked/a.txt': 'a', 'd/open/b.txt': 'b'});
			execFileSync('chmod', ['000', at('d', 'locked')]);
			try {
				const {items, problems} = await expandPaths([at('d')], {recursive: true});
				expect(items.map((item) => item.relativePath)).toEqual([path.join('open', 'b.txt')]);
				expect(problems).toEqual([{path: at('d', 'locked'), reason: 'permission denied'}]);
			} finally {
				execFileSync('chmod', ['700', at('d', 'locked')]);
			}
		},
	);

	it('stops when its signal is aborted', async () => {
		await tree({'d/a.txt': 'a'});
		const controller = new AbortController();
		controller.abort(new Error('stop'));
		await expect(
			expandPaths([at('d')], {recursive: true, signal: controller.signal}),
		).rejects.toThrow('stop');
	});
});
