/**
 * Runs the built CLI (dist/cli.js) as a real process, with an environment stripped of any AWS
 * configuration and a private HOME, so the target is exactly what the test's flags say.
 */
import {spawn} from 'node:child_process';
import path from 'node:path';

export const cliPath = path.resolve('dist/cli.js');

/**
 * The Node that runs the built CLI: the one running the tests, or Node 22 when
 * scripts/test-node22.mjs runs the process tests again (engines says >=20; both ends are tested).
 */
export const cliNode = process.env.KMS_TUI_TEST_NODE ?? process.execPath;

export type CliResult = {
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
};

export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (!name.startsWith('AWS_') && !name.startsWith('KMS_')) env[name] = value;
	}
	return {...env, HOME: home, NO_COLOR: '1', KMS_TUI_SANDBOX_STEP_MS: '0', ...extra};
}

export async function runCli(
	args: readonly string[],
	options: {env: NodeJS.ProcessEnv; cwd: string; input?: string; timeoutMs?: number},
): Promise<CliResult> {
	return runProcess(cliNode, [cliPath, ...args], options);
}

/** Runs any command to its end, collecting its output; killed after `timeoutMs` (60 s). */
export async function runProcess(
	command: string,
	args: readonly string[],
	options: {env: NodeJS.ProcessEnv; cwd: string; input?: string; timeoutMs?: number},
): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {cwd: options.cwd, env: options.env});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
		});
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
		child.once('error', reject);
		child.once('close', (code) => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
		child.stdin.end(options.input ?? '');
	});
}

/**
 * Resolves once the wall clock is in a later second than `since`. The AWS CLI names its change
 * sets `awscli-cloudformation-package-deploy-<epoch seconds>`, so two deploys within one second
 * would collide on the name — on the sandbox as on AWS.
 */
export async function nextEpochSecond(since: number): Promise<void> {
	const second = Math.floor(since / 1000);
	while (Math.floor(Date.now() / 1000) === second) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
