import {execFileSync} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, expect, test} from 'vitest';
import {sniffFileSync} from '../../source/batch/sniff.js';

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-sniff-'));
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

test('a FIFO (named on the command line) is "other" at once, without waiting for a writer', async () => {
	const fifo = path.join(dir, 'pipe');
	execFileSync('mkfifo', [fifo]);
	// Without a writer a plain open would block this thread for good (the test would time out).
	expect(sniffFileSync(fifo)).toBe('other');
});

test('a regular file is told by its first bytes', async () => {
	const envelope = path.join(dir, 'a.kms');
	await writeFile(envelope, '{"format":"kms-tui-envelope","version":2}\n');
	const plain = path.join(dir, 'a.txt');
	await writeFile(plain, 'hello');
	expect(sniffFileSync(envelope)).toBe('kms-tui-envelope');
	expect(sniffFileSync(plain)).toBe('other');
});
