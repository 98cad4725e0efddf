/**
 * The whole lifecycle through the built CLI as separate processes, as a user scripts it:
 * deploy → outputs --write-env → key → rotation → alias → delete-key → cancel → destroy.
 * Runs on the embedded sandbox, and on moto's server through --endpoint-url when it starts.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';

type Flavour = {name: 'sandbox' | 'moto'; targetArgs: () => string[]};

const moto = await startMoto();
if ('skipped' in moto) console.warn(`[cli lifecycle] moto skipped: ${moto.skipped}`);
const motoServer: MotoServer | undefined = 'server' in moto ? moto.server : undefined;

const flavours: Flavour[] = [
	{name: 'sandbox', targetArgs: () => ['--sandbox']},
	...(motoServer
		? [{name: 'moto' as const, targetArgs: () => ['--endpoint-url', motoServer.endpoint]}]
		: []),
];

afterAll(async () => {
	await motoServer?.close();
});

describe.each(flavours)('lifecycle on $name', ({name, targetArgs}) => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	const stack = `Lifecycle${name === 'moto' ? 'Moto' : ''}${Date.now()}`;
	const kms = (...args: string[]) =>
		// --sandbox-dir is ignored by the endpoint target, so both flavours can pass it.
		runCli(
			[
				...targetArgs(),
				'--sandbox-dir',
				path.join(work, 'sandbox'),
				'--stack-name',
				stack,
				...args,
			],
			{env, cwd: work},
		);

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-cli-'));
		env = cleanEnv(work);
		await writeFile(
			path.join(work, '.env'),
			'# my app\nDATABASE_URL=postgres://localhost/app\n\nKMS_KEY_ID=stale\n',
		);
	});
	afterAll(async () => {
		await rm(work, {recursive: true, force: true});
	});

	it('deploys, writes .env, rotates, aliases, schedules and cancels deletion, destroys', async () => {
		const deploy = await kms(
			'deploy',
			'--yes',
			'--param',
			`AliasName=alias/${stack.toLowerCase()}`,
		);
		expect(deploy.code, deploy.stderr).toBe(0);
		expect(deploy.stderr.split('\n')[0]).toMatch(
			name === 'sandbox' ? /^target: SANDBOX/ : /^target: endpoint/,
		);
		expect(deploy.stdout).toMatch(/CREATE_COMPLETE/);

		const again = await kms('deploy', '--yes', '--param', `AliasName=alias/${stack.toLowerCase()}`);
		expect(again.code, again.stderr).toBe(0);
		expect(again.stdout).toContain('No changes to deploy');

		const outputs = await kms('outputs', '--write-env');
		expect(outputs.code, outputs.stderr).toBe(0);
		const envText = await readFile(path.join(work, '.env'), 'utf8');
		expect(envText.startsWith('# my app\nDATABASE_URL=postgres://localhost/app\n\n')).toBe(true);
		const keyId = /^KMS_KEY_ID=(.+)$/m.exec(envText)?.[1];
		expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
		expect(await readFile(path.join(work, '.env.bak'), 'utf8')).toContain('KMS_KEY_ID=stale');

		const key = await kms('key', '--json');
		expect(key.code, key.stderr).toBe(0);
		expect(JSON.parse(key.stdout).key.keyId).toBe(keyId);

		const enable = await kms('rotation', 'enable', '--period', '180');
		expect(enable.code, enable.stderr).toBe(0);
		expect(enable.stdout).toContain('automatic rotation  on');
		// moto's GetKeyRotationStatus reports neither the period nor the next date.
		if (name === 'sandbox') expect(enable.stdout).toContain('180 days');

		if (name === 'sandbox') {
			const rotate = await kms('rotation', 'rotate-now', '--yes');
			expect(rotate.code, rotate.stderr).toBe(0);
			expect(rotate.stdout).toContain('24 of 25');
			const history = await kms('rotation', 'history', '--json');
			expect(JSON.parse(history.stdout).rotations).toHaveLength(1);
		}

		expect((await kms('alias', 'create', 'alias/demo-lifecycle')).code).toBe(0);
		const list = await kms('alias', 'list', '--json');
		expect(JSON.parse(list.stdout).aliases.map((alias: {name: string}) => alias.name)).toContain(
			'alias/demo-lifecycle',
		);
		expect(
			(await kms('alias', 'update', 'alias/demo-lifecycle', '--key', keyId as string)).code,
		).toBe(0);
		expect((await kms('alias', 'delete', 'alias/demo-lifecycle')).code).toBe(0);

		const schedule = await kms('delete-key', '--days', '7', '--yes', '--json');
		expect(schedule.code, schedule.stderr).toBe(0);
		expect(JSON.parse(schedule.stdout).pendingWindowInDays).toBe(7);

		const cancel = await kms('delete-key', '--cancel');
		expect(cancel.code, cancel.stderr).toBe(0);
		expect(cancel.stdout).toContain('Disabled');

		const destroy = await kms('destroy', '--yes');
		expect(destroy.code, destroy.stderr).toBe(0);
		expect(destroy.stdout).toContain(`Stack ${stack} deleted`);
	}, 180_000);
});
