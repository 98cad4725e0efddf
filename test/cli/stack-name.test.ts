/**
 * Which stack a command works on: --stack-name, else KMS_STACK_NAME in the environment, else in
 * the .env file (which `outputs --write-env` writes), else KmsKey — so a directory whose .env
 * names a second stack (after a key migration) keeps using it. Built CLI on the sandbox.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {resolveStackName} from '../../source/session-context.js';
import {cleanEnv, runCli} from '../helpers/cli.js';

let work: string;
let env: NodeJS.ProcessEnv;
const kms = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
	runCli(['--sandbox', '--sandbox-dir', path.join(work, 'sandbox'), ...args], {
		env: {...env, ...extraEnv},
		cwd: work,
	});

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-stack-name-'));
	env = cleanEnv(work);
	for (const [stack, alias] of [
		['First', 'alias/first'],
		['Second', 'alias/second'],
	] as const) {
		const deployed = await kms([
			'deploy',
			'--yes',
			'--stack-name',
			stack,
			'--param',
			`AliasName=${alias}`,
		]);
		expect(deployed.code, deployed.stderr).toBe(0);
	}
}, 60_000);
afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

const aliasOf = async (args: string[], extraEnv?: NodeJS.ProcessEnv) => {
	const result = await kms(['outputs', '--json', ...args], extraEnv);
	expect(result.code, result.stderr).toBe(0);
	return (JSON.parse(result.stdout) as {outputs: Record<string, string>}).outputs.AliasName;
};

describe('the stack a command works on', () => {
	it('is KmsKey without a flag, a variable or a .env entry', async () => {
		const result = await kms(['outputs']);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('KmsKey');
	});

	it('is the .env file’s KMS_STACK_NAME, which outputs --write-env writes', async () => {
		const written = await kms(['outputs', '--write-env', '--stack-name', 'Second']);
		expect(written.code, written.stderr).toBe(0);
		expect(await aliasOf([])).toBe('alias/second');
		// The key follows: `key` without --key reads KMS_KEY_ID of the same file.
		const key = await kms(['key', '--json']);
		expect(JSON.parse(key.stdout).aliases.map((a: {name: string}) => a.name)).toContain(
			'alias/second',
		);
	});

	it('is KMS_STACK_NAME of the environment before the file, and --stack-name before both', async () => {
		await writeFile(path.join(work, '.env'), 'KMS_STACK_NAME=Second\n');
		expect(await aliasOf([], {KMS_STACK_NAME: 'First'})).toBe('alias/first');
		expect(await aliasOf(['--stack-name', 'Second'], {KMS_STACK_NAME: 'First'})).toBe(
			'alias/second',
		);
	});

	it('ignores a .env file that cannot be read (reading the key reports it)', async () => {
		expect(await resolveStackName(undefined, {}, path.join(work, 'no-such-dir', '.env'))).toBe(
			'KmsKey',
		);
		expect(await resolveStackName(undefined, {}, '/dev/null')).toBe('KmsKey');
		expect(await resolveStackName('Flag', {KMS_STACK_NAME: 'Env'}, '/dev/null')).toBe('Flag');
	});
});
