/**
 * The key-state calls with a key ARN, through the real KeyService over HTTP, on the sandbox and
 * on moto's server. KMS takes a key id or a key ARN for DisableKey, EnableKey,
 * ScheduleKeyDeletion and CancelKeyDeletion; moto 5 answers HTTP 500 for an ARN there (it looks
 * the ARN up as an id), which once failed `delete-key --disable --key ARN` and the migration's
 * retire step (it holds the old key's ARN). Also through the built CLI on moto, and what an AWS
 * target sends: the ARN as given, with no extra call (the sandbox's CloudTrail shows the requests).
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateAliasCommand, CreateKeyCommand, type KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createServices, type Services} from '../../source/service/index.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {type ConformanceTarget, conformanceTargets} from '../helpers/targets.js';

const targets = await conformanceTargets();
afterAll(async () => {
	for (const target of targets) await target.close();
});

const credentials = {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'};

function servicesFor(target: ConformanceTarget, isLocal = true): Services {
	return createServices({
		region: target.region,
		endpoint: target.endpoint,
		staticCredentials: credentials,
		isLocal,
		// One attempt: a 500 is seen at once rather than after the SDK's retries.
		maxAttempts: 1,
	});
}

async function newKey(kms: KMSClient): Promise<{keyId: string; arn: string}> {
	const {KeyMetadata} = await kms.send(new CreateKeyCommand({Description: 'key-state ARN test'}));
	return {keyId: KeyMetadata?.KeyId as string, arn: KeyMetadata?.Arn as string};
}

describe.each(targets)('key-state calls with a key ARN on $name', (target) => {
	let services: Services;
	let kms: KMSClient;
	beforeAll(() => {
		services = servicesFor(target);
		kms = target.kms();
	});
	afterAll(() => services.close());

	it('disables, enables, schedules and cancels the deletion of the key its ARN names', async () => {
		const {keyId, arn} = await newKey(kms);
		const {keys} = services;
		expect((await keys.disableKey(arn)).state).toBe('Disabled');
		expect((await keys.describeKey(keyId)).state).toBe('Disabled');
		expect((await keys.enableKey(arn)).state).toBe('Enabled');
		const schedule = await keys.scheduleDeletion(arn, 7);
		expect(schedule.keyId).toBe(arn);
		expect(schedule.pendingWindowInDays).toBe(7);
		expect((await keys.describeKey(keyId)).state).toBe('PendingDeletion');
		// KMS leaves a cancelled key Disabled (moto too, for this call).
		expect((await keys.cancelDeletion(arn)).state).toBe('Disabled');
		expect((await keys.enableKey(arn)).state).toBe('Enabled');
	});

	it('the same by alias, and the other ARN calls kms-tui makes (rotation, policy) work as they did', async () => {
		const {keyId, arn} = await newKey(kms);
		const alias = `alias/key-state-${target.name}-${Date.now()}`;
		await kms.send(new CreateAliasCommand({AliasName: alias, TargetKeyId: keyId}));
		const {keys} = services;
		expect((await keys.disableKey(alias)).state).toBe('Disabled');
		expect((await keys.enableKey(alias)).state).toBe('Enabled');
		expect((await keys.enableRotation(arn, 180)).enabled).toBe(true);
		expect((await keys.rotationStatus(arn)).enabled).toBe(true);
		expect((await keys.disableRotation(arn)).enabled).toBe(false);
		expect(await keys.rotationHistory(arn)).toEqual([]);
		const policy = await keys.keyPolicy(arn);
		await keys.putKeyPolicy(arn, policy);
		expect(JSON.parse(await keys.keyPolicy(keyId))).toEqual(JSON.parse(policy));
	});

	it('a key ARN that names no key is still "not found", worded for the operation', async () => {
		const {arn} = await newKey(kms);
		const missing = arn.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000');
		await expect(services.keys.disableKey(missing)).rejects.toMatchObject({
			kind: 'not-found',
			message: expect.stringContaining('disable the key'),
		});
	});

	it('delete-key --key ARN: --disable, --enable, --days, --cancel through the built CLI', async () => {
		const {keyId, arn} = await newKey(kms);
		const home = await mkdtemp(path.join(tmpdir(), 'kms-tui-key-state-'));
		try {
			const env = cleanEnv(home, {
				AWS_ACCESS_KEY_ID: credentials.accessKeyId,
				AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
			});
			const cli = (...args: string[]) =>
				runCli(
					['--endpoint-url', target.endpoint, '--region', target.region, 'delete-key', ...args],
					{env, cwd: home},
				);
			const disabled = await cli('--key', arn, '--disable', '--json');
			expect(disabled.code, disabled.stderr).toBe(0);
			expect(JSON.parse(disabled.stdout)).toMatchObject({keyId, state: 'Disabled'});
			const enabled = await cli('--key', arn, '--enable', '--json');
			expect(enabled.code, enabled.stderr).toBe(0);
			expect(JSON.parse(enabled.stdout)).toMatchObject({keyId, state: 'Enabled'});
			const scheduled = await cli('--key', arn, '--days', '7', '--yes', '--json');
			expect(scheduled.code, scheduled.stderr).toBe(0);
			expect(JSON.parse(scheduled.stdout)).toMatchObject({pendingWindowInDays: 7});
			const cancelled = await cli('--key', arn, '--cancel', '--json');
			expect(cancelled.code, cancelled.stderr).toBe(0);
			expect(JSON.parse(cancelled.stdout)).toMatchObject({keyId, state: 'Disabled'});
		} finally {
			await rm(home, {recursive: true, force: true});
		}
	});
});

describe.runIf(targets.some((target) => target.name === 'sandbox'))(
	'what goes on the wire (the sandbox’s CloudTrail)',
	() => {
		const sandbox = targets.find((target) => target.name === 'sandbox') as ConformanceTarget;

		/** The KMS requests that named the key, oldest first: operation and the KeyId sent. */
		async function requests(services: Services, arn: string, since: Date) {
			const page = await services.trail.keyEvents(arn, {since});
			return page.events
				.filter((event) => event.source === 'kms.amazonaws.com' && event.name !== 'CreateKey')
				.map((event) => [event.name, event.requestParameters?.keyId])
				.reverse();
		}

		it('an AWS target sends the ARN as given, and no DescribeKey first', async () => {
			const kms = sandbox.kms();
			const {arn} = await newKey(kms);
			// The code path of an AWS target (isLocal false), against the sandbox's wire protocol.
			const aws = servicesFor(sandbox, false);
			try {
				const since = new Date(Date.now() - 60_000);
				await aws.keys.disableKey(arn);
				await aws.keys.enableKey(arn);
				expect(await requests(aws, arn, since)).toEqual([
					['DisableKey', arn],
					['DescribeKey', arn],
					['EnableKey', arn],
					['DescribeKey', arn],
				]);
			} finally {
				aws.close();
			}
		});

		it('a local target sends the key id DescribeKey gave for the ARN', async () => {
			const kms = sandbox.kms();
			const {keyId, arn} = await newKey(kms);
			const local = servicesFor(sandbox);
			try {
				const since = new Date(Date.now() - 60_000);
				await local.keys.disableKey(arn);
				expect(await requests(local, arn, since)).toEqual([
					['DescribeKey', arn],
					['DisableKey', keyId],
					['DescribeKey', arn],
				]);
			} finally {
				local.close();
			}
		});
	},
);
