/**
 * The built CLI loads the AWS SDK through a V8 code cache (source/sdk-code-cache.ts): made on the
 * first run, used after, rebuilt when it is damaged, never needed for a command to work.
 */
import {existsSync} from 'node:fs';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliNode, runCli, runProcess} from '../helpers/cli.js';

let work: string;
let cacheHome: string;
const cacheDir = () => path.join(cacheHome, 'kms-tui');

async function createKey(env: NodeJS.ProcessEnv) {
	const sandbox = ['--sandbox', '--sandbox-dir', path.join(work, 'sandbox')];
	return runCli([...sandbox, 'deploy', '--yes', '--json'], {env, cwd: work});
}

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-code-cache-'));
	cacheHome = path.join(work, 'cache');
});
afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

describe('SDK code cache', () => {
	it('is made by the first command, reused by the next, and rebuilt when damaged', async () => {
		const env = cleanEnv(work, {XDG_CACHE_HOME: cacheHome});
		const first = await createKey(env);
		expect(first.code, first.stderr).toBe(0);
		// The KMS client and, for the stack, the CloudFormation client.
		const made = (await readdir(cacheDir())).filter((name) => name.endsWith('.v8cache')).sort();
		expect(made).toHaveLength(2);
		expect(made[0]).toMatch(/^client-cloudformation-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+\.v8cache$/);
		expect(made[1]).toMatch(/^client-kms-[0-9a-f]{16}-/);
		const kmsCache = path.join(cacheDir(), made[1] as string);
		const before = await readFile(kmsCache);

		const again = await createKey(env);
		expect(again.code, again.stderr).toBe(0);
		expect(await readFile(kmsCache)).toEqual(before);

		await writeFile(kmsCache, 'not a V8 code cache');
		const damaged = await createKey(env);
		expect(damaged.code, damaged.stderr).toBe(0);
		expect((await readFile(kmsCache)).length).toBeGreaterThan(1000);
	});

	it('sits beside Node’s module compile cache where Node has one (22.1+), and only there', async () => {
		const home = path.join(work, 'compile');
		const created = await createKey(cleanEnv(work, {XDG_CACHE_HOME: home}));
		expect(created.code, created.stderr).toBe(0);
		const nodeHasIt =
			(
				await runProcess(cliNode, ['-p', 'typeof require("node:module").enableCompileCache'], {
					env: process.env,
					cwd: work,
				})
			).stdout.trim() === 'function';
		const compileCache = path.join(home, 'kms-tui', 'compile-cache');
		if (nodeHasIt) expect((await readdir(compileCache)).length).toBeGreaterThan(0);
		else expect(existsSync(compileCache)).toBe(false);
	});

	it('is neither read nor written with KMS_TUI_NO_CODE_CACHE=1, or where it cannot be', async () => {
		const off = path.join(work, 'off');
		const disabled = await createKey(
			cleanEnv(work, {XDG_CACHE_HOME: off, KMS_TUI_NO_CODE_CACHE: '1'}),
		);
		expect(disabled.code, disabled.stderr).toBe(0);
		await expect(readdir(off)).rejects.toThrow();
		// A cache "directory" that is a file: the command still works.
		const blocked = path.join(work, 'blocked');
		await writeFile(blocked, '');
		const unwritable = await createKey(cleanEnv(work, {XDG_CACHE_HOME: blocked}));
		expect(unwritable.code, unwritable.stderr).toBe(0);
	});
});
