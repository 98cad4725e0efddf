/**
 * The session context on its own: the one key order (with where the key came from), the flags a
 * CLI hint needs to reach the same target, shell quoting, and the stale-.env note.
 */
import {spawnSync} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Target} from '../source/config.js';
import {ServiceError} from '../source/service/index.js';
import {
	awsCliFlags,
	buildSessionContext,
	chooseKey,
	cliCommand,
	resolveKey,
	type SessionContext,
	type StackLookup,
	shellQuote,
	staleEnvKeyNote,
} from '../source/session-context.js';

const sandbox = {
	kind: 'sandbox',
	region: 'us-east-1',
	sandboxDir: '/data/kms-tui/sandbox',
} as const satisfies Target;

function context(overrides: Partial<SessionContext> = {}): SessionContext {
	return {
		target: sandbox,
		defaultSandboxDir: '/data/kms-tui/sandbox',
		stackName: 'KmsKey',
		envFile: '.env',
		cwd: '/work',
		readOnly: false,
		...overrides,
	};
}

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-session-'));
});
afterEach(() => rm(dir, {recursive: true, force: true}));

/** A stack service stand-in that counts its calls: the real one needs a session. */
function stacks(keyId: string | undefined) {
	const calls: string[] = [];
	const lookup: StackLookup = {
		findStack: async (name) => {
			calls.push(`findStack ${name}`);
			return keyId
				? ({
						name,
						id: `arn:aws:cloudformation:us-east-1:000000000000:stack/${name}/1`,
						status: 'CREATE_COMPLETE',
						outputs: {KeyId: keyId},
					} as never)
				: undefined;
		},
		keyOutputs: async (stack) => ({outputs: {...stack.outputs}}),
	};
	return {calls, open: async () => lookup};
}

describe('the key choice', () => {
	it('is --key, then KMS_KEY_ID in the environment, then the .env file, then the stack', async () => {
		await writeFile(path.join(dir, 'my.env'), 'KMS_KEY_ID=from-file\n');
		const base = {cwd: dir, envFile: 'my.env', stackName: 'S'};
		const stack = stacks('from-stack');
		const all = {...base, keyRef: 'from-flag', environmentKeyId: 'from-env'};
		expect(await resolveKey(all, stack.open)).toEqual({
			keyRef: 'from-flag',
			origin: 'flag',
			source: '--key',
		});
		expect(await resolveKey({...base, environmentKeyId: 'from-env'}, stack.open)).toEqual({
			keyRef: 'from-env',
			origin: 'environment',
			source: 'KMS_KEY_ID in the environment',
		});
		expect(await resolveKey(base, stack.open)).toEqual({
			keyRef: 'from-file',
			origin: 'env-file',
			source: 'KMS_KEY_ID in my.env',
		});
		// None of the above asked the stack (so the CLI opened no session for them).
		expect(stack.calls).toEqual([]);
		expect(await resolveKey({...base, envFile: 'missing.env'}, stack.open)).toEqual({
			keyRef: 'from-stack',
			origin: 'stack',
			source: 'stack S output KeyId',
		});
		expect(await resolveKey({...base, envFile: 'missing.env'}, stacks(undefined).open)).toBe(
			undefined,
		);
	});

	it('takes KMS_KEY_ID from the environment as its own source, never as --key', () => {
		const built = buildSessionContext({
			target: sandbox,
			env: {KMS_KEY_ID: 'env-key'},
			cwd: dir,
			defaultSandboxDir: sandbox.sandboxDir,
		});
		expect(built.keyRef).toBeUndefined();
		expect(chooseKey(built, {envFileKeyId: 'file-key'})?.source).toBe(
			'KMS_KEY_ID in the environment',
		);
		// …so a hint does not turn it into --key.
		expect(cliCommand(built, ['key'])).toBe('kms-tui key --sandbox');
		// Empty values say nothing.
		expect(
			buildSessionContext({target: sandbox, env: {KMS_KEY_ID: ''}, key: '', cwd: dir}),
		).toMatchObject({
			keyRef: undefined,
			environmentKeyId: undefined,
		});
	});
});

describe('CLI hints', () => {
	it('carry the flags of each target', () => {
		expect(cliCommand(context(), ['deploy'])).toBe('kms-tui deploy --sandbox');
		expect(cliCommand(context({target: {...sandbox, sandboxDir: '/tmp/sb'}}), ['key'])).toBe(
			'kms-tui key --sandbox --sandbox-dir /tmp/sb',
		);
		expect(cliCommand(context({target: {...sandbox, region: 'eu-west-1'}}), ['key'])).toBe(
			'kms-tui key --sandbox --region eu-west-1',
		);
		const endpoint: Target = {
			kind: 'endpoint',
			region: 'eu-west-1',
			profile: 'dev',
			endpoint: 'http://127.0.0.1:4599',
			endpointSource: '--endpoint-url',
		};
		expect(
			cliCommand(buildSessionContext({target: endpoint, env: {}, cwd: dir}), ['alias', 'list']),
		).toBe(
			'kms-tui alias list --endpoint-url http://127.0.0.1:4599 --profile dev --region eu-west-1',
		);
		// AWS_ENDPOINT_URL names one endpoint for both services: the hint spells it out.
		const fromEnv: Target = {
			kind: 'endpoint',
			region: 'us-east-1',
			endpointSource: 'AWS_ENDPOINT_URL',
		};
		expect(
			cliCommand(
				buildSessionContext({
					target: fromEnv,
					env: {AWS_ENDPOINT_URL: 'http://localhost:4566'},
					cwd: dir,
				}),
				['key'],
			),
		).toBe('kms-tui key --endpoint-url http://localhost:4566');
		expect(
			cliCommand(context({target: {kind: 'aws', region: 'eu-central-1', profile: 'prod'}}), [
				'key',
			]),
		).toBe('kms-tui key --profile prod --region eu-central-1');
		// A region from the profile: the same --profile finds it again.
		expect(cliCommand(context({target: {kind: 'aws', profile: 'sso'}}), ['key'])).toBe(
			'kms-tui key --profile sso',
		);
	});

	it('carry --stack-name, --env-file and --key only when they are not the defaults', () => {
		expect(
			cliCommand(context({stackName: 'Other', envFile: 'prod.env', keyRef: 'alias/app'}), [
				'rotation',
				'status',
			]),
		).toBe(
			'kms-tui rotation status --sandbox --stack-name Other --env-file prod.env --key alias/app',
		);
		// A command that names its own --key keeps it, once.
		expect(
			cliCommand(context({keyRef: 'alias/app'}), ['alias', 'update', 'alias/x', '--key', 'K2']),
		).toBe('kms-tui alias update alias/x --key K2 --sandbox');
	});

	it('quote what a POSIX shell would split or expand, and a shell gets the argument back', () => {
		const awkward = ["my file's $HOME.txt", 'a b', '"q"', '`x`', '*', '', 'ok-1.2/x=y'];
		expect(shellQuote('plain/path.txt')).toBe('plain/path.txt');
		expect(shellQuote('a b')).toBe("'a b'");
		expect(shellQuote("it's")).toBe("'it'\\''s'");
		const line = awkward.map(shellQuote).join(' ');
		const echoed = spawnSync('sh', ['-c', `printf '%s\\n' ${line}`], {encoding: 'utf8'});
		expect(echoed.stdout).toBe(`${awkward.join('\n')}\n`);
	});
});

describe('AWS CLI options', () => {
	it('reach an endpoint or an AWS profile and region, and nothing for the in-process sandbox', () => {
		expect(awsCliFlags(context())).toBe('');
		expect(
			awsCliFlags(
				context({
					target: {
						kind: 'endpoint',
						region: 'eu-west-1',
						endpoint: 'http://127.0.0.1:4599',
						endpointSource: '--endpoint-url',
					},
					endpointUrl: 'http://127.0.0.1:4599',
				}),
			),
		).toBe('--endpoint-url http://127.0.0.1:4599 --region eu-west-1');
		expect(
			awsCliFlags(context({target: {kind: 'aws', profile: 'my prod', region: 'us-west-2'}})),
		).toBe("--profile 'my prod' --region us-west-2");
	});
});

describe('the stale .env note', () => {
	const fromFile = {keyRef: 'k', origin: 'env-file', source: 'KMS_KEY_ID in .env'} as const;

	it('explains a key from .env that is gone, pending deletion or disabled', () => {
		const pending = new ServiceError('pending-deletion', 'is scheduled for deletion', 'cancel it');
		expect(staleEnvKeyNote(fromFile, pending)).toBe(
			"KMS_KEY_ID in .env points at a key that is pending deletion; run `kms-tui outputs --write-env` to write the stack's current key there, or pass --key.",
		);
		// The envelope engine wraps the service error: the note looks through `cause`.
		const wrapped = new Error('encrypting: could not get a data key', {
			cause: new ServiceError('not-found', 'not found', ''),
		});
		expect(staleEnvKeyNote(fromFile, wrapped)).toContain('a key that no longer exists');
		expect(staleEnvKeyNote(fromFile, new ServiceError('disabled', 'disabled', ''))).toContain(
			'is disabled',
		);
	});

	it('says nothing for other failures or a key that did not come from .env', () => {
		expect(staleEnvKeyNote(fromFile, new ServiceError('access-denied', 'no', ''))).toBeUndefined();
		const flag = {keyRef: 'k', origin: 'flag', source: '--key'} as const;
		expect(staleEnvKeyNote(flag, new ServiceError('not-found', 'gone', ''))).toBeUndefined();
	});
});
