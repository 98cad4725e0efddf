/**
 * kms-tui as a person meets it: the built CLI in a real 80×24 pseudo-terminal (tmux) on the
 * sandbox, driven only by key presses and what the screen says.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath} from '../helpers/cli.js';
import {hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';

/**
 * Ink renders only the final frame when it believes it runs in CI (CI=true, CI_* …), which is
 * how CI runs this suite; the terminal under test is a person's, so those variables go.
 */
function interactiveEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const result: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(env)) {
		if (name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_'))
			result[name] = value;
	}
	return result;
}

if (!hasTmux)
	console.warn('[e2e] skipped: tmux is not installed, so there is no pseudo-terminal to drive');

describe.runIf(hasTmux)('the TUI in a pseudo-terminal', () => {
	let work: string;
	let terminal: Terminal;

	const selectedStep = (screen: string) => Number(/›\s+\S+\s+(\d)\s/.exec(screen)?.[1]);

	/**
	 * Moves the Home selection to step `n` with one burst of j or k (all the moves in one write:
	 * each must count), checks the › marker landed there, and opens it.
	 */
	async function openStep(n: number): Promise<string> {
		const from = selectedStep(await terminal.waitFor((now) => selectedStep(now) > 0));
		if (from !== n) {
			const moves = (from < n ? 'j' : 'k').repeat(Math.abs(n - from));
			await terminal.burst([moves], (now) => selectedStep(now) === n);
		}
		return terminal.press('Enter', (now) => !now.includes('The lifecycle of a KMS key'));
	}

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-e2e-'));
		terminal = await openTerminal(
			`node ${cliPath} --sandbox --sandbox-dir ${path.join(work, 'sandbox')}`,
			{
				cwd: work,
				env: interactiveEnv(cleanEnv(work, {KMS_TUI_SANDBOX_STEP_MS: '100'})),
			},
		);
	});
	afterAll(async () => {
		await terminal.close();
		await rm(work, {recursive: true, force: true});
	});

	it('takes a newcomer through deploy → .env → rotation → alias → encrypt → decrypt → deletion → cancel → destroy', async () => {
		let screen = await terminal.waitFor('The lifecycle of a KMS key');
		expect(screen).toContain(' SANDBOX ');
		expect(screen).toMatch(/1 Deploy the stack\s+NEXT/);
		// kms-tui turns bracketed paste on: a paste is text, never keys. Pasted `jq` neither moves
		// nor quits; the j pressed after it moves one step.
		await terminal.paste('jq', () => true);
		screen = await terminal.press('j', (now) => selectedStep(now) === 2);
		await terminal.press('k', (now) => selectedStep(now) === 1);

		// Deploy: the form, the change-set preview, live events, outputs.
		await openStep(1);
		await terminal.waitFor('AliasName');
		await terminal.press('C-d', 'Execute these changes?');
		screen = await terminal.press('y', 'CREATE_COMPLETE');
		screen = await terminal.waitFor(/Stack KmsKey is CREATE_COMPLETE/);
		expect(screen).toContain('AliasName   alias/kms-tui-demo');

		// Outputs → .env.
		await terminal.press('Escape', 'The lifecycle of a KMS key');
		await openStep(2);
		await terminal.waitFor('w write .env');
		await terminal.press('w', 'Y/n');
		await terminal.press('y', /Wrote .*\.env/);
		expect(await readFile(path.join(work, '.env'), 'utf8')).toMatch(/^KMS_KEY_ID=[0-9a-f-]{36}$/m);

		// Rotation: rotate now.
		await terminal.press('Escape', /2 Write .env\s+done/);
		await openStep(3);
		await terminal.waitFor('n rotate now');
		await terminal.press('n', 'y/N');
		screen = await terminal.press('y', '24 of 25 rotations left');
		expect(screen).toContain('on demand');

		// Aliases: create alias/e2e-demo.
		await terminal.press('Escape', 'The lifecycle of a KMS key');
		await openStep(4);
		await terminal.waitFor('c create');
		await terminal.press('c', 'New alias');
		await terminal.paste('e2e-demo', 'alias/e2e-demo');
		screen = await terminal.press('Enter', /alias\/e2e-demo\s+→/);

		// Encrypt a file, then decrypt the envelope: identical bytes.
		await writeFile(path.join(work, 'data-file.txt'), 'attack at dawn\n'.repeat(100));
		await terminal.press('Escape', 'The lifecycle of a KMS key');
		await openStep(5);
		await terminal.waitFor('tab complete');
		await terminal.type('data-file.txt');
		screen = await terminal.press('C-e', 'Wrote data-file.txt.kms');
		expect(screen).toContain('(a kms-tui sandbox key)');
		await terminal.press('Escape', 'The lifecycle of a KMS key');
		await openStep(6);
		await terminal.waitFor('tab completes');
		await terminal.type('data-file.txt.kms');
		await terminal.press('Enter', 'nothing is verified until');
		screen = await terminal.press('Enter', 'every frame verified');
		const written = /Wrote (\S.*?\.txt)/.exec(screen)?.[1] ?? 'data-file (1).txt';
		expect(await readFile(path.join(work, written), 'utf8')).toBe('attack at dawn\n'.repeat(100));

		// Schedule the deletion, typing the alias to confirm; then cancel and re-enable.
		await terminal.press('Escape', 'The lifecycle of a KMS key');
		await openStep(7);
		await terminal.waitFor('s schedule deletion');
		await terminal.press('s', 'Waiting days');
		// The default window out, 7 in and Enter, in one burst: every key counts.
		screen = await terminal.burst(
			['BSpace', 'BSpace', '7', 'Enter'],
			/After 7 days KMS deletes[\s\S]*Type (alias\/\S+) to confirm/,
		);
		const alias = /Type (alias\/\S+) to confirm/.exec(screen)?.[1] ?? '';
		await terminal.type(alias);
		screen = await terminal.press('Enter', 'c cancel deletion');
		expect(screen).toContain('pending deletion');
		screen = await terminal.press('c', 'e enable key');
		expect(screen).toContain('Disabled');
		await terminal.press('e', 'is Enabled again');

		// Cleanup: destroy the stack, typing its name.
		await terminal.press('Escape', 'The lifecycle of a KMS key');
		await openStep(8);
		await terminal.waitFor('x delete stack');
		await terminal.press('x', /Type KmsKey/);
		await terminal.type('KmsKey');
		screen = await terminal.press('Enter', /pending deletion until|DELETE_COMPLETE/);
		screen = await terminal.waitFor(/pending deletion until/, 20_000);

		// q quits from Home.
		await terminal.press('Escape', 'The lifecycle of a KMS key');
		await terminal.press('q', (now) => !now.includes('The lifecycle of a KMS key'));
	}, 120_000);
});
