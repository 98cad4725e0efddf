/**
 * The built CLI loads the AWS SDK and its own command bundle (dist/commands.cjs) through a V8 code
 * cache (source/code-cache.ts): made by the first run, used after, rebuilt when it is damaged or
 * made for other code, never needed for a command to work.
 */
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {copyFile, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
// @ts-expect-error: a build script, plain JavaScript without types.
import {importedSdkNames} from '../../scripts/sdk-names.mjs';
import {cleanEnv, cliNode, cliPath, runCli, runProcess} from '../helpers/cli.js';

let work: string;
let cacheHome: string;
const cacheDir = () => path.join(cacheHome, 'kms-tui');

async function createKey(env: NodeJS.ProcessEnv) {
	const sandbox = ['--sandbox', '--sandbox-dir', path.join(work, 'sandbox')];
	return runCli([...sandbox, 'deploy', '--yes', '--json'], {env, cwd: work});
}

async function cacheFiles(directory = cacheDir()) {
	return (await readdir(directory)).filter((name) => name.endsWith('.v8cache')).sort();
}

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-code-cache-'));
	cacheHome = path.join(work, 'cache');
});
afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

describe('V8 code cache', () => {
	it('is made by the first command, reused by the next, and rebuilt when damaged', async () => {
		const env = cleanEnv(work, {XDG_CACHE_HOME: cacheHome});
		const first = await createKey(env);
		expect(first.code, first.stderr).toBe(0);
		// The KMS client, for the stack the CloudFormation client, and the command bundle.
		const made = await cacheFiles();
		expect(made).toHaveLength(3);
		expect(made[0]).toMatch(/^client-cloudformation-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+\.v8cache$/);
		expect(made[1]).toMatch(/^client-kms-[0-9a-f]{16}-/);
		expect(made[2]).toMatch(/^commands-[0-9a-f]{16}-/);
		const kmsCache = path.join(cacheDir(), made[1] as string);
		const commandsCache = path.join(cacheDir(), made[2] as string);
		const before = await Promise.all([readFile(kmsCache), readFile(commandsCache)]);

		// V8 accepted both: a rejected cache is made again, with other bytes.
		const again = await createKey(env);
		expect(again.code, again.stderr).toBe(0);
		expect(await Promise.all([readFile(kmsCache), readFile(commandsCache)])).toEqual(before);

		await writeFile(kmsCache, 'not a V8 code cache');
		await writeFile(commandsCache, '');
		const damaged = await createKey(env);
		expect(damaged.code, damaged.stderr).toBe(0);
		expect((await readFile(kmsCache)).length).toBeGreaterThan(1000);
		expect((await readFile(commandsCache)).length).toBeGreaterThan(1000);
	});

	it('is made only by a run that ran a command, not by help or a usage error', async () => {
		const home = path.join(work, 'no-command');
		const env = cleanEnv(work, {XDG_CACHE_HOME: home});
		// Both run from the command bundle and compile next to none of it.
		expect((await runCli(['encrypt', '--help'], {env, cwd: work})).code).toBe(0);
		expect((await runCli(['encrypt', '--jsn'], {env, cwd: work})).code).toBe(2);
		// (Node 22 makes its own compile cache there, so the directory may exist.)
		const directory = path.join(home, 'kms-tui');
		expect(existsSync(directory) ? (await cacheFiles(directory)).join() : '').not.toMatch(
			/commands-/,
		);
		expect((await createKey(env)).code).toBe(0);
		expect((await cacheFiles(path.join(home, 'kms-tui'))).join()).toMatch(/commands-/);
	});

	it('ignores (and replaces) cached data made for other code', async () => {
		const home = path.join(work, 'other-code');
		const env = cleanEnv(work, {XDG_CACHE_HOME: home});
		expect((await createKey(env)).code).toBe(0);
		const [, kms, commands] = (await cacheFiles(path.join(home, 'kms-tui'))).map((name) =>
			path.join(home, 'kms-tui', name),
		);
		// Valid V8 data, but for the SDK's source, where the command bundle's should be.
		await copyFile(kms as string, commands as string);
		const stale = await createKey(env);
		expect(stale.code, stale.stderr).toBe(0);
		expect(await readFile(commands as string)).not.toEqual(await readFile(kms as string));
	});

	it('removes the caches of old builds when it makes one, keeping recent ones', async () => {
		const home = path.join(work, 'old-builds');
		const directory = path.join(home, 'kms-tui');
		await mkdir(directory, {recursive: true});
		const old = path.join(directory, 'commands-0123456789abcdef-v20.0.0-x64.v8cache');
		const recent = path.join(directory, 'commands-fedcba9876543210-v20.0.0-x64.v8cache');
		const otherName = path.join(directory, 'client-kms-0123456789abcdef-v20.0.0-x64.v8cache');
		for (const file of [old, recent, otherName]) await writeFile(file, 'x');
		const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
		await utimes(old, longAgo, longAgo);
		await utimes(otherName, longAgo, longAgo);
		// `sandbox status` runs from the command bundle without loading the SDK.
		const status = await runCli(
			['--sandbox', '--sandbox-dir', path.join(work, 'sandbox'), 'sandbox', 'status'],
			{env: cleanEnv(work, {XDG_CACHE_HOME: home}), cwd: work},
		);
		expect(status.code, status.stderr).toBe(0);
		expect(existsSync(old)).toBe(false);
		expect(existsSync(recent)).toBe(true);
		// Another bundle's caches go only when that bundle makes a new one.
		expect(existsSync(otherName)).toBe(true);
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

/** Starts the built CLI in an 80×24 pseudo-terminal (util-linux `script`); resolves with all it drew. */
const hasScript = spawnSync('script', ['--version']).status === 0;
async function tuiUntil(args: string[], marker: string, env: NodeJS.ProcessEnv): Promise<string> {
	const quoted = [cliNode, cliPath, ...args]
		.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`)
		.join(' ');
	return new Promise((resolve, reject) => {
		const child = spawn('script', ['-qfec', `stty cols 80 rows 24; exec ${quoted}`, '/dev/null'], {
			env: {...env, TERM: 'xterm-256color', CI: 'false'},
			cwd: work,
		});
		let seen = '';
		let isHungUp = false;
		child.stdout.on('data', (chunk: Buffer) => {
			seen += chunk.toString();
			if (isHungUp || !seen.includes(marker)) return;
			isHungUp = true;
			// Drawn: hang up on the TUI (SIGHUP, as closing a window does) and let `script` end when
			// it has exited — after its exit handlers wrote the code caches into this test's
			// directory, which afterAll removes (killing `script` instead left the TUI writing
			// there while the directory was being removed: ENOTEMPTY).
			const tui = tuiProcess(child.pid);
			if (tui) process.kill(tui, 'SIGHUP');
			else child.kill('SIGKILL');
		});
		child.once('error', reject);
		child.once('close', () => resolve(seen));
	});
}

/** The process `script` runs (its shell execs the CLI), from /proc; undefined where there is none. */
function tuiProcess(scriptPid: number | undefined): number | undefined {
	if (scriptPid === undefined) return undefined;
	try {
		const children = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8');
		const first = Number(children.trim().split(/\s+/)[0]);
		return Number.isInteger(first) && first > 0 ? first : undefined;
	} catch {
		return undefined;
	}
}

describe('the two builds behind dist/cli.js', () => {
	it('hands a TUI start with a flag value over from the command bundle to the ESM build', async () => {
		// `us-east-1` is a word that is not a flag, so the command bundle starts, finds no command
		// and hands over: the ESM build answers exactly as it does for `kms-tui` alone.
		const env = cleanEnv(work, {XDG_CACHE_HOME: path.join(work, 'tui')});
		const viaCommands = await runCli(['--region', 'us-east-1'], {env, cwd: work});
		const direct = await runCli([], {env, cwd: work});
		expect(viaCommands.code).toBe(2);
		expect(viaCommands.stderr).toContain('the terminal app needs a terminal');
		expect(viaCommands).toEqual(direct);
		// The command bundle kept no cache from a run that used none of its commands.
		const directory = path.join(work, 'tui', 'kms-tui');
		const made = existsSync(directory) ? await cacheFiles(directory) : [];
		expect(made.join()).not.toMatch(/commands-/);
	});

	it.skipIf(!hasScript)(
		'starts the TUI on a terminal when the only word is a flag’s value',
		async () => {
			// The command bundle has no TUI (Ink is ESM only): without the hand-over this is an
			// "unexpected failure" instead of the first frame.
			const env = cleanEnv(work, {XDG_CACHE_HOME: path.join(work, 'tui')});
			const sandbox = ['--sandbox', '--sandbox-dir', path.join(work, 'tui-sandbox')];
			const drawn = await tuiUntil([...sandbox, '--region', 'us-east-1'], 'SANDBOX', env);
			expect(drawn).toContain('SANDBOX');
			expect(drawn).not.toContain('unexpected failure');
		},
	);
});

describe('the SDK bundles (dist/sdk)', () => {
	it('hold every name the sources import from each client package, and little else', async () => {
		const requireBuilt = createRequire(import.meta.url);
		for (const name of ['client-kms', 'client-cloudformation']) {
			const imported: string[] = await importedSdkNames(`@aws-sdk/${name}`);
			expect(imported.length).toBeGreaterThan(5);
			const bundle = requireBuilt(path.resolve('dist', 'sdk', `${name}.cjs`));
			for (const exported of imported) expect(typeof bundle[exported], exported).toBe('function');
			// Built from the names, not from the whole package (KMS alone has ~55 commands).
			expect(Object.keys(bundle).sort()).toEqual(imported);
		}
	});
});
