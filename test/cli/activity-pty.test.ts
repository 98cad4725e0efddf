/**
 * The Activity screen in a real 80×24 pseudo-terminal (tmux) after `kms-tui encrypt` and
 * `kms-tui decrypt` ran on the same sandbox: Home → a → the events and the estimate; enter opens
 * the selected event, esc closes it. The capture is printed so a run shows what a person sees.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliPath, runCli} from '../helpers/cli.js';
import {startTestSandbox} from '../helpers/sandbox.js';
import {hasTmux, openTerminal, type Terminal} from '../helpers/tmux.js';

/** Ink draws only the last frame when it thinks it is in CI; this terminal is a person's. */
function interactiveEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	const result: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(env)) {
		if (name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_'))
			result[name] = value;
	}
	return result;
}

if (!hasTmux) console.warn('[activity pty] skipped: tmux is not installed');

describe.runIf(hasTmux)('the Activity screen in a pseudo-terminal', () => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	let terminal: Terminal | undefined;
	let keyId: string;

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-activity-pty-'));
		const sandbox = await startTestSandbox({dir: path.join(work, 'sandbox')});
		try {
			const created = await sandbox.kms().send(new CreateKeyCommand({Description: 'pty'}));
			keyId = created.KeyMetadata?.KeyId as string;
		} finally {
			await sandbox.close();
		}
		env = cleanEnv(work, {KMS_KEY_ID: keyId, XDG_CACHE_HOME: path.join(work, 'cache')});
	});
	afterAll(async () => {
		await terminal?.close();
		await rm(work, {recursive: true, force: true});
	});

	it('shows the decrypt and the encrypt at 80×24, and one event’s details', async () => {
		const cli = (...args: string[]) =>
			runCli(['--sandbox', '--sandbox-dir', path.join(work, 'sandbox'), ...args], {env, cwd: work});
		await writeFile(path.join(work, 'notes.txt'), 'pty activity');
		for (const args of [
			['encrypt', 'notes.txt'],
			['decrypt', 'notes.txt.kms', '-o', 'notes.out'],
		]) {
			const result = await cli(...args);
			expect(result.code, result.stderr).toBe(0);
		}

		terminal = await openTerminal(
			`node ${cliPath} --sandbox --sandbox-dir ${path.join(work, 'sandbox')}`,
			{cwd: work, env: interactiveEnv(env), width: 80, height: 24},
		);
		await terminal.waitFor('The lifecycle of a KMS key');
		// The help bar follows the frame that drew the list: wait for both.
		const screen = await terminal.press(
			'a',
			(now) => /Page 1 of \d+/.test(now) && now.includes('enter details'),
		);
		console.log(`[activity pty] 80×24 capture:\n${screen}`);
		expect(screen).toContain('Home › Activity & cost');
		expect(screen).toContain(`The last 24h of key ${keyId} (KMS_KEY_ID in the`);
		const lines = screen.split('\n');
		const row = (name: string) =>
			lines.findIndex((line) =>
				new RegExp(`^[› ] \\d\\d-\\d\\d [\\d:]{8}  ${name} +root +ok`).test(line),
			);
		expect(row('Decrypt')).toBeGreaterThan(0);
		expect(row('GenerateDataKey')).toBeGreaterThan(row('Decrypt'));
		expect(screen).toMatch(/Estimated cost \$1\.00\/month/);
		expect(screen).toContain('Estimate: AWS KMS pricing, us-east-1, as of 2026');
		expect(screen).toContain('CLI: kms-tui activity --sandbox');
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);

		const details = await terminal.press('Enter', 'Request');
		expect(details).toMatch(/User agent +aws-sdk-js/);
		const back = await terminal.press('Escape', /Page 1 of \d+/);
		expect(back).toContain('TIME');
	});
});
