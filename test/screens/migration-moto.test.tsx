/**
 * The migration screen on moto's server (where it can start): from the re-wrap step of a plan an
 * earlier session left to the old key's deletion. The plan holds the old key's ARN, and the
 * retire step disables it and schedules its deletion by that ARN — which moto once answered with
 * HTTP 500 (DisableKey and ScheduleKeyDeletion take only an id there).
 */
import {mkdir, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {CreateAliasCommand, CreateKeyCommand, KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Target} from '../../source/config.js';
import {encryptFile} from '../../source/envelope/index.js';
import {planPath, readPlan} from '../../source/migration/plan-file.js';
import {createServices, type Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';
import {renderWithApp, testSettings} from '../helpers/render.js';
import {stateDirPerTest} from '../helpers/state-dir.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

const started = await startMoto();
const moto: MotoServer | undefined = 'server' in started ? started.server : undefined;
if (!moto) console.warn(`[migration-moto] skipped: ${'skipped' in started ? started.skipped : ''}`);

describe.runIf(moto)('Migrate to a new key on moto', () => {
	let services: Services;
	let kms: KMSClient;
	const endpoint = moto?.endpoint ?? '';
	const credentials = {accessKeyId: 'moto', secretAccessKey: 'moto'};
	const target: Target = {
		kind: 'endpoint',
		region: 'us-east-1',
		endpoint,
		endpointSource: '--endpoint-url',
	};

	beforeAll(() => {
		services = createServices({
			region: 'us-east-1',
			endpoint,
			staticCredentials: credentials,
			isLocal: true,
			pollMs: 50,
		});
		kms = new KMSClient({region: 'us-east-1', endpoint, credentials});
	});
	afterAll(async () => {
		services?.close();
		kms?.destroy();
		await moto?.close();
	});
	stateDirPerTest('migration-moto');

	const newKey = async (description: string) => {
		const {KeyMetadata} = await kms.send(new CreateKeyCommand({Description: description}));
		return {keyId: KeyMetadata?.KeyId as string, arn: KeyMetadata?.Arn as string};
	};

	it('re-wraps, verifies, writes .env, then disables the old key and schedules its deletion by its ARN', async () => {
		const oldKey = await newKey('migration old');
		const next = await newKey('migration new');
		const alias = `alias/mig-moto-${Date.now()}`;
		await kms.send(new CreateAliasCommand({AliasName: alias, TargetKeyId: oldKey.keyId}));
		const settings = await testSettings({target, stackName: 'MigMoto'});
		for (const name of ['a.txt', 'b.txt']) {
			const input = path.join(settings.cwd, name);
			await writeFile(input, `secret ${name}\n`);
			await encryptFile({input, provider: services.keys, keyId: oldKey.arn});
			await rm(input);
		}
		await services.keys.updateAlias(alias, next.keyId);
		const file = planPath(target);
		await mkdir(path.dirname(file), {recursive: true});
		await writeFile(
			file,
			JSON.stringify({
				version: 1,
				alias,
				oldKeyArn: oldKey.arn,
				newKeyArn: next.arn,
				stackName: 'MigMoto',
				rootDir: settings.cwd,
				done: ['new-key', 'alias'],
			}),
		);
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'migration'},
			rows: 40,
		});
		await waitForFrame(lastFrame, '2 envelopes under the old key');
		await press(stdin, lastFrame, keys.enter, 'Re-wrapped 2 of 2 under the new key.');
		await press(stdin, lastFrame, keys.enter, 'Blast radius 0');
		await press(stdin, lastFrame, keys.enter, /✔ 5\s+Point .env at the new key/);

		// 6. The old key, by the plan's ARN: disabled, then its deletion scheduled.
		let frame = flat(await waitForFrame(lastFrame, 'd disable old key'));
		frame = flat(await press(stdin, lastFrame, 'd', /old key Disabled|Error|Could not/));
		expect(frame).toMatch(/old key Disabled/);
		expect((await services.keys.describeKey(oldKey.keyId)).state).toBe('Disabled');
		await press(stdin, lastFrame, 's', 'Waiting days');
		await press(stdin, lastFrame, keys.backspace);
		await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, '7');
		await press(stdin, lastFrame, keys.enter, `Type ${oldKey.keyId} to confirm`);
		await type(stdin, lastFrame, oldKey.keyId);
		frame = flat(await press(stdin, lastFrame, keys.enter, /Migration done\.|Error|Could not/));
		expect(frame).toContain('Migration done.');
		expect((await services.keys.describeKey(oldKey.keyId)).state).toBe('PendingDeletion');
		expect(await readPlan(file)).toBeUndefined();
	});
});
