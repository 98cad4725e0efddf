/**
 * A whole key migration as a person does it: the built kms-tui in a real 80×24 pseudo-terminal
 * (tmux) on the sandbox, from Home's step 9 to the old key pending deletion, with two esc and
 * resume on the way. The stack, .env and envelopes are made first with the built CLI.
 */
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath, runCli} from '../helpers/cli.js';
import {hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';

/** Ink draws only the last frame under CI=…; a person's terminal has no such variables. */
function interactiveEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	return Object.fromEntries(
		Object.entries(env).filter(
			([name]) => name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_'),
		),
	);
}

/** The whole screen is on it: the target line at the top and the help bar at the bottom. */
const fits = (screen: string) =>
	screen.startsWith(' SANDBOX ') && /\? keys|esc cancel/.test(screen);

describe.runIf(hasTmux)('a key migration in a pseudo-terminal', () => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	let terminal: Terminal | undefined;
	const target = () => ['--sandbox', '--sandbox-dir', path.join(work, 'sandbox')];

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-e2e-migration-'));
		env = cleanEnv(work, {KMS_TUI_STATE_DIR: path.join(work, 'state')});
		const cli = async (...args: string[]) => {
			const result = await runCli([...args, ...target()], {env, cwd: work});
			if (result.code !== 0) throw new Error(`kms-tui ${args.join(' ')}: ${result.stderr}`);
			return result.stdout;
		};
		await cli('deploy', '--yes');
		await cli('outputs', '--write-env');
		await mkdir(path.join(work, 'docs'));
		for (const name of ['a.txt', path.join('docs', 'b.txt')]) {
			await writeFile(path.join(work, name), `secret ${name}\n`);
			await cli('encrypt', name);
			await rm(path.join(work, name));
		}
	});
	afterAll(async () => {
		await terminal?.close();
		await rm(work, {recursive: true, force: true});
	});

	it('moves the alias to a new stack’s key, re-wraps, verifies blast radius 0, then schedules the old key’s deletion', async () => {
		const oldKeyId = /^KMS_KEY_ID=(\S+)$/m.exec(
			await readFile(path.join(work, '.env'), 'utf8'),
		)?.[1];
		expect(oldKeyId).toMatch(/^[0-9a-f-]{36}$/);
		terminal = await openTerminal(`node ${cliPath} ${target().join(' ')}`, {
			cwd: work,
			env: interactiveEnv({...env, KMS_TUI_SANDBOX_STEP_MS: '50'}),
		});
		const tty = terminal;
		const openMigration = async () => {
			await tty.waitFor(/9 Migrate to a new key/);
			// Step 9 is the last: a burst of j from wherever the selection is lands there.
			await tty.burst(['jjjjjjjjj'], /›\s+\S+\s+9\s/);
			return tty.press('Enter', /alias\/kms-tui-demo → a new key · old key/);
		};
		await openMigration();
		let screen = await tty.waitFor('c create key');
		expect(fits(screen), screen).toBe(true);

		// 1. A second stack for the new key, after its change set.
		screen = await tty.press('c', 'Execute these changes?');
		expect(fits(screen), screen).toBe(true);
		screen = await tty.press('y', /✔ 1\s+New key/);
		screen = await tty.waitFor('enter do step');
		expect(fits(screen), screen).toBe(true);
		expect(screen).toContain("stack KmsKey-next's key");

		// 2. The alias; then esc leaves, and reopening resumes at the re-wrap.
		screen = await tty.press('Enter', /✔ 2\s+Point the alias/);
		await tty.press('Escape', 'The lifecycle of a KMS key');
		screen = await openMigration();
		screen = await tty.waitFor(/› 3\s+Re-wrap the envelopes\s+2 envelopes under the old key/);
		expect(fits(screen), screen).toBe(true);

		// 3. Re-wrap, 4. verify, 5. .env.
		screen = await tty.press('Enter', 'Re-wrapped 2 of 2');
		screen = await tty.press('Enter', 'Blast radius 0');
		expect(screen).toMatch(/✔ 4\s+Verify: nothing needs the old key\s+blast radius 0/);
		screen = await tty.press('Enter', /✔ 5\s+Point .env at the new key/);
		const envText = await readFile(path.join(work, '.env'), 'utf8');
		const newKeyId = /^KMS_KEY_ID=(\S+)$/m.exec(envText)?.[1];
		expect(newKeyId).not.toBe(oldKeyId);
		expect(envText).toContain('KMS_KEY_ALIAS=alias/kms-tui-demo-next');
		expect(envText).toContain('KMS_STACK_NAME=KmsKey-next');

		// .env's alias is now the new stack's: esc and reopen still find the migration under way.
		await tty.press('Escape', 'The lifecycle of a KMS key');
		await openMigration();

		// 6. Disable first, then the deletion, typing the old key's id.
		screen = await tty.waitFor('d disable old key');
		expect(screen).toMatch(/› 6\s+Schedule the old key's deletion/);
		expect(fits(screen), screen).toBe(true);
		await tty.press('d', /old key Disabled/);
		await tty.press('s', 'Waiting days');
		screen = await tty.press('Enter', `Type ${oldKeyId} to confirm`);
		expect(screen).toContain('In 30 days KMS deletes');
		expect(fits(screen), screen).toBe(true);
		await tty.paste(oldKeyId ?? '', oldKeyId ?? '');
		screen = await tty.press('Enter', 'Migration done.');
		expect(screen).toMatch(/✔ 6\s+Schedule the old key's deletion\s+old key pending deletion/);
		expect(fits(screen), screen).toBe(true);

		// The files open under the new key; the CLI agrees the old key is pending deletion.
		const key = await runCli(['key', '--key', oldKeyId ?? '', '--json', ...target()], {
			env,
			cwd: work,
		});
		expect(JSON.parse(key.stdout).key.state).toBe('PendingDeletion');
		const decrypted = await runCli(['decrypt', 'docs/b.txt.kms', ...target()], {env, cwd: work});
		expect(decrypted.code).toBe(0);
		expect(await readFile(path.join(work, 'docs', 'b.txt'), 'utf8')).toBe('secret docs/b.txt\n');
	}, 120_000);
});
