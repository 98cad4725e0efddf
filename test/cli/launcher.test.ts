/**
 * bin/kms-tui, the launcher npm links into node_modules/.bin: it must find dist/main.cjs through
 * symlinks and start it with the allocator settings (keeping a user's own GLIBC_TUNABLES) and
 * Node's --expose-gc.
 */
import {execFile} from 'node:child_process';
import {chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv} from '../helpers/cli.js';

const run = promisify(execFile);
const launcher = path.resolve('bin/kms-tui');
const ours =
	'glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=1073741824:glibc.malloc.top_pad=67108864';
let work: string;

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-launcher-'));
	// The layout npm makes: node_modules/.bin/kms-tui → ../kms-tui/bin/kms-tui (relative link).
	await mkdir(path.join(work, 'node_modules', '.bin'), {recursive: true});
	await symlink(path.resolve('.'), path.join(work, 'node_modules', 'kms-tui'));
	await symlink('../kms-tui/bin/kms-tui', path.join(work, 'node_modules', '.bin', 'kms-tui'));
	// A `node` that reports how it was called, to see what the launcher hands over.
	await mkdir(path.join(work, 'fake'));
	await writeFile(
		path.join(work, 'fake', 'node'),
		'#!/bin/sh\nprintf "%s\\n" "$GLIBC_TUNABLES" "$@"\n',
	);
	await chmod(path.join(work, 'fake', 'node'), 0o755);
});
afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

describe('bin/kms-tui', () => {
	it('runs the CLI when reached through the relative symlink npm makes', async () => {
		const version = JSON.parse(await readFile('package.json', 'utf8')).version as string;
		const {stdout} = await run(path.join(work, 'node_modules', '.bin', 'kms-tui'), ['--version'], {
			env: cleanEnv(work),
			cwd: work,
		});
		expect(stdout.trim()).toBe(version);
	});

	it('passes every argument through and sets the allocator settings before a user’s own', async () => {
		const env = cleanEnv(work, {
			PATH: `${path.join(work, 'fake')}:${process.env.PATH ?? ''}`,
			GLIBC_TUNABLES: 'glibc.malloc.arena_max=2',
		});
		const {stdout} = await run(launcher, ['encrypt', 'a file.txt', '--context', 'k=v w'], {env});
		const [tunables, nodeFlag, script, ...args] = stdout.trimEnd().split('\n');
		expect(tunables).toBe(`${ours}:glibc.malloc.arena_max=2`);
		// Node's own options come before the script: the collector the envelope loops use.
		expect(nodeFlag).toBe('--expose-gc');
		// The CommonJS entry (source/entry.ts), which dist/cli.js only imports.
		expect(path.resolve(script as string)).toBe(path.resolve('dist/main.cjs'));
		expect(args).toEqual(['encrypt', 'a file.txt', '--context', 'k=v w']);
	});

	it('hands --env-file over as --env-file-path, out of Node 20’s way', async () => {
		const env = cleanEnv(work, {PATH: `${path.join(work, 'fake')}:${process.env.PATH ?? ''}`});
		const {stdout} = await run(
			launcher,
			['outputs', '--env-file', 'a b/.env', '--env-file=c.env', '--stack-name', 'x'],
			{env},
		);
		const [, , , ...args] = stdout.trimEnd().split('\n');
		expect(args).toEqual([
			'outputs',
			'--env-file-path',
			'a b/.env',
			'--env-file-path=c.env',
			'--stack-name',
			'x',
		]);
	});

	it('sets only its own settings when the user has none', async () => {
		const env = cleanEnv(work, {PATH: `${path.join(work, 'fake')}:${process.env.PATH ?? ''}`});
		delete env.GLIBC_TUNABLES;
		const {stdout} = await run(launcher, [], {env});
		expect(stdout.split('\n')[0]).toBe(ours);
	});
});
