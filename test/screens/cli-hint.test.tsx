/**
 * A "CLI:" hint is a command that reaches the TUI's own target: each test renders a screen on a
 * target that is not the default (a sandbox directory of its own; a `kms-tui sandbox serve`
 * endpoint in another region), reads the hint off the frame, runs it through a POSIX shell with
 * the built CLI (bin/kms-tui → dist/cli.js, `npm run build`), and finds what the screen showed.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {type CliResult, cleanEnv, runProcess} from '../helpers/cli.js';
import {
	deployStack,
	renderWithApp,
	sandboxServices,
	screenSandbox,
	testSettings,
} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {type ServedSandbox, serveSandbox} from '../helpers/serve.js';
import {press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;
screenSandbox((started) => ({sandbox, services} = started));

let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(tmpdir(), 'kms-tui-hint-home-'));
});
afterAll(() => rm(home, {recursive: true, force: true}));

/**
 * The command after "CLI: " on the frame. The shell is at most 100 columns wide, so a long hint
 * wraps (at spaces): its lines run until the blank line before the help bar.
 */
function hintOf(frame: string): string {
	const lines = frame.split('\n');
	const start = lines.findIndex((line) => line.startsWith('CLI: kms-tui '));
	if (start === -1) throw new Error(`no CLI hint on the frame:\n${frame}`);
	const end = lines.findIndex((line, index) => index > start && line.trim() === '');
	return lines
		.slice(start, end === -1 ? undefined : end)
		.map((line) => line.trim())
		.join(' ')
		.slice('CLI: '.length);
}

/** Runs a hint as a user pastes it: `sh -c`, with the package's bin/kms-tui first on PATH. */
function runHint(
	hint: string,
	cwd: string,
	extra: Record<string, string> = {},
): Promise<CliResult> {
	const env = cleanEnv(home, {PATH: `${path.resolve('bin')}:${process.env.PATH}`, ...extra});
	return runProcess('sh', ['-c', hint], {cwd, env});
}

describe('CLI hints run against the TUI target', () => {
	it('on a sandbox directory of its own, with a stack name and an awkward .env file name', async () => {
		const {keyId} = await deployStack(services, 'HintStack');
		const envFile = "my env $HOME's.env";
		const settings = await testSettings({
			target: {kind: 'sandbox', region: 'us-east-1', sandboxDir: sandbox.dir},
			stackName: 'HintStack',
			envFile,
		});
		await writeFile(path.join(settings.cwd, envFile), `KMS_KEY_ID=${keyId}\n`);
		const {lastFrame} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'key'},
		});
		const frame = await waitForFrame(lastFrame, 'CLI: kms-tui rotation status');
		expect(frame).toContain(`${keyId} (KMS_KEY_ID in ${envFile})`);
		expect(frame).toMatch(/Rotation\s+on, every 365 days/);
		const hint = hintOf(frame);
		expect(hint).toBe(
			`kms-tui rotation status --sandbox --sandbox-dir ${sandbox.dir} --stack-name HintStack --env-file 'my env $HOME'\\''s.env'`,
		);

		const result = await runHint(hint, settings.cwd);
		expect(result.stderr).toContain(`state in ${sandbox.dir}`);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(`Rotation for ${keyId}:`);
		expect(result.stdout).toMatch(/automatic rotation\s+on/);
		expect(result.stdout).toMatch(/period\s+365 days/);
	});

	it('on a `sandbox serve` endpoint in another region: the hint writes the .env Home asks for', async () => {
		const served: ServedSandbox = await serveSandbox(
			await mkdtemp(path.join(home, 'served-')),
			home,
		);
		onTestFinished(async () => {
			await served.stop();
		});
		const region = 'eu-west-1';
		const remote = sandboxServices({endpoint: served.endpoint, region});
		onTestFinished(() => remote.close());
		const {keyId} = await deployStack(remote, 'ServedStack');
		const settings = await testSettings({
			target: {
				kind: 'endpoint',
				region,
				endpoint: served.endpoint,
				endpointSource: '--endpoint-url',
			},
			endpointUrl: served.endpoint,
			stackName: 'ServedStack',
		});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services: remote,
			settings,
		});
		let frame = await waitForFrame(lastFrame, /Write \.env\s+NEXT/);
		expect(frame).toContain('to do: no KMS_KEY_ID in .env');
		const hint = hintOf(frame);
		expect(hint).toBe(
			`kms-tui outputs --write-env --endpoint-url ${served.endpoint} --region ${region} --stack-name ServedStack`,
		);

		const result = await runHint(hint, settings.cwd);
		expect(result.stderr).toContain(`endpoint ${served.endpoint} (${region})`);
		expect(result.code).toBe(0);
		expect(await readFile(path.join(settings.cwd, '.env'), 'utf8')).toContain(
			`KMS_KEY_ID=${keyId}`,
		);
		frame = await press(stdin, lastFrame, 'R', 'done: KMS_KEY_ID matches');
		expect(frame).toMatch(/Enable rotation\s+(NEXT\s+)?done: on, every 365 days/);
	});
});
