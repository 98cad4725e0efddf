/**
 * A Learn lesson as a person meets it: the built kms-tui in a real 80×24 pseudo-terminal (tmux) on
 * the sandbox, from Home's `l` through the lesson list to KMS's own 4097-byte refusal, and the
 * progress still there when kms-tui is started again.
 */
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath, runCli} from '../helpers/cli.js';
import {hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';

/** Ink draws only the final frame when it believes it runs in CI: a person's terminal is not CI. */
function interactiveEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const result: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(env)) {
		if (name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_'))
			result[name] = value;
	}
	return result;
}

const flat = (screen: string) => screen.replace(/\s+/g, ' ');

if (!hasTmux)
	console.warn('[e2e] skipped: tmux is not installed, so there is no pseudo-terminal to drive');

describe.runIf(hasTmux)('a Learn lesson in a pseudo-terminal', () => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	let terminal: Terminal | undefined;
	const command = () => `node ${cliPath} --sandbox --sandbox-dir ${path.join(work, 'sandbox')}`;

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-e2e-learn-'));
		env = interactiveEnv(cleanEnv(work, {KMS_TUI_STATE_DIR: path.join(work, 'state')}));
		// The key the lesson uses: the stack's, as a newcomer's would be.
		const deployed = await runCli(
			['deploy', '--yes', '--sandbox', '--sandbox-dir', path.join(work, 'sandbox')],
			{env: cleanEnv(work), cwd: work},
		);
		expect(deployed.code, deployed.stderr).toBe(0);
	});
	afterAll(async () => {
		await terminal?.close();
		await rm(work, {recursive: true, force: true});
	});

	it('runs "Why envelopes" at 80×24 and finds it done after a restart', async () => {
		terminal = await openTerminal(command(), {cwd: work, env, width: 80, height: 24});
		await terminal.waitFor('l learn');
		await terminal.press('l', (screen) => screen.includes('› 1 Envelope encryption'));
		let screen = await terminal.press('j', (now) => /› 2 Why envelopes\s+0\/3/.test(now));
		await terminal.press('Enter', 'enter runs step 1: Encrypt 4096 bytes directly');

		screen = await terminal.press('Enter', (now) => now.includes('KMS answered'));
		expect(flat(screen)).toMatch(/KMS answered ✓ a \d+-byte CiphertextBlob/);
		screen = await terminal.press(
			'Enter',
			(now) => now.includes('Step 2 of 3') && now.includes('KMS refused'),
		);
		expect(flat(screen)).toContain('KMS refused ✘ ValidationException');
		expect(flat(screen)).toContain('Member must have length less than or equal to 4096');
		expect(screen.split('\n').every((line) => line.length <= 80)).toBe(true);
		screen = await terminal.press(
			'Enter',
			(now) => now.includes('Step 3 of 3') && now.includes('enter starts again'),
		);
		expect(flat(screen)).toContain('KMS calls 1 GenerateDataKey');

		screen = await terminal.press('Escape', (now) => /› 2 Why envelopes\s+✔ 3\/3/.test(now));
		expect(screen).toMatch(/Envelope encryption\s+0\/6/);
		await terminal.press('q', (now) => now.trim() === '');
		await terminal.close();

		const saved = JSON.parse(await readFile(path.join(work, 'state', 'learn.json'), 'utf8'));
		expect(saved.lessons['why-envelopes'].done).toBe(3);

		// A new kms-tui reads the same progress.
		terminal = await openTerminal(command(), {cwd: work, env, width: 80, height: 24});
		await terminal.waitFor('l learn');
		screen = await terminal.press('l', (now) => /› 1 Envelope encryption\s+0\/6/.test(now));
		expect(screen).toMatch(/Why envelopes\s+✔ 3\/3/);
	});
});
