/**
 * The composition root hands the TUI the session context the CLI uses: started through the built
 * CLI in a pseudo-terminal on a sandbox directory of its own, with KMS_KEY_ID in the environment,
 * Home names the key's source as the CLI does and its hint carries the target's flags.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath} from '../helpers/cli.js';
import {hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';

describe.runIf(hasTmux)('the TUI started by the CLI', () => {
	let work: string;
	let terminal: Terminal;
	let sandboxDir: string;

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-e2e-session-'));
		sandboxDir = path.join(work, 'sandbox');
		// Ink draws only the last frame under CI (CI, CI_*…): the terminal under test is a person's.
		const env = Object.fromEntries(
			Object.entries(cleanEnv(work, {KMS_KEY_ID: 'alias/from-the-environment'})).filter(
				([name]) => name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_'),
			),
		);
		terminal = await openTerminal(
			`node ${cliPath} --sandbox --sandbox-dir ${sandboxDir} --stack-name Wired`,
			{cwd: work, env, width: 100, height: 30},
		);
	});
	afterAll(async () => {
		await terminal?.close();
		await rm(work, {recursive: true, force: true});
	});

	it('labels KMS_KEY_ID from the environment as such, and its hint reaches the same sandbox', async () => {
		const screen = (await terminal.waitFor('The lifecycle of a KMS key')).replace(/\s+/g, ' ');
		expect(screen).toContain('key alias/from-the-environment (from KMS_KEY_ID in the environment)');
		expect(screen).toContain(
			`CLI: kms-tui deploy --sandbox --sandbox-dir ${sandboxDir} --stack-name Wired`,
		);
		expect(screen).not.toContain('--key');
	});
});
