/**
 * The journal store: torn and damaged tails, a writer killed with SIGKILL mid-append, migration
 * of a state.json written by the previous release, compaction, file modes, reset's backup, files
 * that are not sandbox state, and the events API.
 */
import {type ChildProcess, execFile, spawn} from 'node:child_process';
import {
	appendFile,
	copyFile,
	mkdtemp,
	readdir,
	readFile,
	rm,
	stat,
	truncate,
	writeFile,
} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {DescribeStackEventsCommand, DescribeStacksCommand} from '@aws-sdk/client-cloudformation';
import {
	CreateAliasCommand,
	CreateKeyCommand,
	DecryptCommand,
	DescribeKeyCommand,
	EncryptCommand,
	ListAliasesCommand,
	ListKeyRotationsCommand,
} from '@aws-sdk/client-kms';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RequestContext, SandboxState} from '../../source/sandbox/context.js';
import {handleKms, tickKms} from '../../source/sandbox/kms/index.js';
import {
	regionState,
	SandboxStateError,
	SandboxStore,
	sandboxNow,
} from '../../source/sandbox/store.js';
import {eventRetentionMs} from '../../source/sandbox/store-events.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {startTestSandbox} from '../helpers/sandbox.js';

const run = promisify(execFile);
const mutator = path.resolve('test/fixtures/mutate-store.mjs');
const appender = path.resolve('test/fixtures/append-forever.mjs');
const v1State = path.resolve('test/fixtures/sandbox-state-v1.json');
const day = 86_400_000;

type Loose = SandboxState & {blob?: string; n?: number};

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-journal-'));
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

async function setClock(store: SandboxStore, value: number): Promise<void> {
	await store.transact((state) => {
		state.clockOffsetMs = value;
	});
}

describe('the journal', () => {
	it('appends one record per changing transaction and none for a read-only one', async () => {
		const store = new SandboxStore(dir);
		await setClock(store, 1);
		const size = (await stat(store.journalFile)).size;
		await store.transact((state) => state.clockOffsetMs);
		expect((await stat(store.journalFile)).size).toBe(size);
		await setClock(store, 2);
		expect((await stat(store.journalFile)).size).toBeGreaterThan(size);
		expect((await new SandboxStore(dir).read()).clockOffsetMs).toBe(2);
	});

	it('ignores a torn last record (a writer killed mid-append) and cuts it off before appending', async () => {
		const store = new SandboxStore(dir);
		await setClock(store, 1);
		const committed = (await stat(store.journalFile)).size;
		await setClock(store, 2);
		const full = (await stat(store.journalFile)).size;
		// What a kill in the middle of the write leaves: the first bytes of the record.
		await truncate(store.journalFile, committed + Math.floor((full - committed) / 2));
		const other = new SandboxStore(dir);
		expect((await other.read()).clockOffsetMs).toBe(1);
		await other.transact((state) => {
			(state as Loose).n = 7;
		});
		const after = await new SandboxStore(dir).read();
		expect(after.clockOffsetMs).toBe(1);
		expect((after as Loose).n).toBe(7);
	});

	it('ignores a last record whose checksum fails, and zeros a power cut left', async () => {
		const store = new SandboxStore(dir);
		await setClock(store, 1);
		await setClock(store, 2);
		const bytes = await readFile(store.journalFile);
		bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 0x01, bytes.length - 2);
		await writeFile(store.journalFile, bytes);
		await appendFile(store.journalFile, Buffer.alloc(4096));
		expect((await new SandboxStore(dir).read()).clockOffsetMs).toBe(1);
		await setClock(new SandboxStore(dir), 3);
		expect((await new SandboxStore(dir).read()).clockOffsetMs).toBe(3);
	});

	it('refuses a journal damaged before its end, and changes nothing', async () => {
		const store = new SandboxStore(dir);
		await setClock(store, 1);
		const first = (await stat(store.journalFile)).size;
		await setClock(store, 2);
		await setClock(store, 3);
		const bytes = await readFile(store.journalFile);
		// Inside the first record, which others follow.
		bytes.writeUInt8(bytes.readUInt8(first - 2) ^ 0x01, first - 2);
		await writeFile(store.journalFile, bytes);
		const other = new SandboxStore(dir);
		await expect(other.read()).rejects.toThrow(/is damaged at byte \d+.*sandbox reset/s);
		await expect(other.transact(() => undefined)).rejects.toBeInstanceOf(SandboxStateError);
		expect((await readFile(store.journalFile)).equals(bytes)).toBe(true);
	});

	it('leaves the old or the new state when a writer is killed with SIGKILL while appending', async () => {
		// 16 MiB records: the kill is sent as soon as the journal starts growing past the last
		// acknowledged transaction, i.e. while the next record is being written.
		const size = 2 ** 24;
		let torn = 0;
		for (let round = 0; round < 4; round++) {
			const roundDir = path.join(dir, `round-${round}`);
			const child: ChildProcess = spawn(process.execPath, [appender, roundDir, String(size)], {
				stdio: ['ignore', 'pipe', 'inherit'],
			});
			let acknowledged = 0;
			await new Promise<void>((resolve, reject) => {
				child.stdout?.on('data', (chunk: Buffer) => {
					acknowledged = Number(chunk.toString().trim().split('\n').at(-1));
					if (acknowledged >= 2) resolve();
				});
				child.once('exit', (code) => reject(new Error(`appender exited with ${code}`)));
			});
			const journal = path.join(roundDir, 'state.journal');
			const committed = (await stat(journal)).size;
			while ((await stat(journal)).size <= committed) await new Promise(setImmediate);
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
			const killedAt = (await stat(journal)).size;
			const store = new SandboxStore(roundDir, {notice: () => undefined});
			const state = (await store.read()) as Loose;
			// Acknowledged transactions are kept; the one in flight is there whole or not at all.
			expect(state.clockOffsetMs).toBeGreaterThanOrEqual(acknowledged);
			expect(state.clockOffsetMs).toBeLessThanOrEqual(acknowledged + 1);
			expect(state.blob?.endsWith(`x${state.clockOffsetMs}`)).toBe(true);
			expect(state.blob?.length).toBe(size + String(state.clockOffsetMs).length);
			await store.transact((next) => {
				next.clockOffsetMs += 1000;
			});
			if ((await stat(journal)).size < killedAt) torn++;
			expect((await new SandboxStore(roundDir).read()).clockOffsetMs).toBe(
				state.clockOffsetMs + 1000,
			);
			expect((await readdir(roundDir)).sort()).toEqual(['state.journal', 'state.snapshot']);
			await rm(roundDir, {recursive: true, force: true});
		}
		// The kill did land inside a write (a torn record, cut off by the next transaction).
		expect(torn).toBeGreaterThan(0);
	}, 120_000);

	it('loses no update when four processes make 100 mutations each, across compactions', async () => {
		await Promise.all(Array.from({length: 4}, () => run('node', [mutator, dir, '100', '2048'])));
		const store = new SandboxStore(dir);
		expect((await store.read()).clockOffsetMs).toBe(400);
	}, 60_000);
});

describe('compaction', () => {
	it('folds the journal into a new snapshot once it outgrows it, and every process follows', async () => {
		const writer = new SandboxStore(dir, {compactBytes: 4096});
		const follower = new SandboxStore(dir, {compactBytes: 4096});
		await follower.transact(() => undefined);
		const firstSnapshot = await readFile(writer.snapshotFile, 'utf8');
		for (let index = 1; index <= 60; index++) {
			await writer.transact((state) => {
				(state as Loose).n = index;
				state.regions[`r${index % 7}`] = {
					kms: {nextSeq: index, keys: {}, aliases: {}},
					cfn: {stacks: {}, changeSets: {}},
				};
			});
		}
		const snapshot = JSON.parse(await readFile(writer.snapshotFile, 'utf8'));
		expect(snapshot.generation).not.toBe(JSON.parse(firstSnapshot).generation);
		expect((await stat(writer.journalFile)).size).toBeLessThan(4096 + 1024);
		const seen = await follower.transact((state) => ({
			n: (state as Loose).n,
			r3: state.regions.r3,
		}));
		expect(seen.n).toBe(60);
		expect(seen.r3?.kms.nextSeq).toBe(59);
		expect(await new SandboxStore(dir).read()).toEqual(await writer.read());
	});

	it('a compaction cut short (new snapshot, old journal) is recognised and repaired', async () => {
		const store = new SandboxStore(dir, {compactBytes: 1024});
		const generation = async () =>
			JSON.parse(await readFile(store.snapshotFile, 'utf8')).generation;
		await setClock(store, 1);
		const first = await generation();
		let journalBefore = await readFile(store.journalFile);
		let value = 1;
		while ((await generation()) === first) {
			journalBefore = await readFile(store.journalFile);
			await setClock(store, ++value);
		}
		// A crash after the snapshot's rename, before the new journal's: the old journal stays.
		await writeFile(store.journalFile, journalBefore);
		expect((await new SandboxStore(dir).read()).clockOffsetMs).toBe(value);
		await setClock(store, 999);
		expect((await new SandboxStore(dir).read()).clockOffsetMs).toBe(999);
		const header = (await readFile(store.journalFile)).subarray(0, 58).toString();
		expect(header).toBe(`kms-tui-sandbox-journal 2 ${await generation()}`);
	});
});

describe('migration of a release state.json', () => {
	it('converts it on first use without loss: keys, rotations, pending deletion, aliases, stacks, events', async () => {
		const original = JSON.parse(await readFile(v1State, 'utf8')) as SandboxState;
		await copyFile(v1State, path.join(dir, 'state.json'));
		const sandbox = await startTestSandbox({dir});
		try {
			const kms = sandbox.kms();
			const cfn = sandbox.cfn();
			const keys = original.regions['us-east-1']?.kms.keys ?? {};
			const rotated = Object.values(keys).find((key) => key.description === 'rotated');
			const doomed = Object.values(keys).find((key) => key.keyState === 'PendingDeletion');
			expect(rotated && doomed).toBeTruthy();
			const rotations = await kms.send(new ListKeyRotationsCommand({KeyId: rotated?.keyId}));
			expect(rotations.Rotations?.map((entry) => entry.RotationType)).toEqual([
				'ON_DEMAND',
				'AUTOMATIC',
			]);
			const pending = await kms.send(new DescribeKeyCommand({KeyId: doomed?.keyId}));
			expect(pending.KeyMetadata?.KeyState).toBe('PendingDeletion');
			expect(pending.KeyMetadata?.DeletionDate?.getTime()).toBe(doomed?.deletionDate);
			const aliases = await kms.send(new ListAliasesCommand({}));
			expect(aliases.Aliases?.map((alias) => alias.AliasName)).toEqual([
				'alias/doomed',
				'alias/rotated',
				'alias/stack-key',
			]);
			const stack = (await cfn.send(new DescribeStacksCommand({StackName: 'KmsKey'}))).Stacks?.[0];
			expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
			const events = await cfn.send(new DescribeStackEventsCommand({StackName: 'KmsKey'}));
			expect(events.StackEvents).toHaveLength(8);
			// The key material survived: a new blob round-trips under the migrated key.
			const blob = await kms.send(
				new EncryptCommand({KeyId: 'alias/rotated', Plaintext: Buffer.from('hi')}),
			);
			const plain = await kms.send(new DecryptCommand({CiphertextBlob: blob.CiphertextBlob}));
			expect(Buffer.from(plain.Plaintext ?? []).toString()).toBe('hi');
			expect((await readdir(dir)).sort()).toEqual([
				'events.journal',
				'state.journal',
				'state.json.migrated',
				'state.snapshot',
			]);
			expect(await readFile(path.join(dir, 'state.json.migrated'), 'utf8')).toBe(
				await readFile(v1State, 'utf8'),
			);
			// Everything else is the same document (regionState adds nothing for us-east-1).
			const migrated = await sandbox.running.store.read();
			expect(migrated.clockOffsetMs).toBe(original.clockOffsetMs);
			expect(migrated.regions['us-east-1']?.cfn).toEqual(original.regions['us-east-1']?.cfn);
			expect(Object.keys(migrated.regions['us-east-1']?.kms.keys ?? {})).toEqual(Object.keys(keys));
			expect(migrated.regions['us-east-1']?.kms.keys[rotated?.keyId as string]).toEqual(rotated);
		} finally {
			await sandbox.close();
		}
	});
});

describe('files', () => {
	it('are owner-only (0600) and leave nothing temporary behind', async () => {
		const store = new SandboxStore(dir, {compactBytes: 512});
		for (let index = 0; index < 20; index++) await setClock(store, index);
		await store.reset();
		await setClock(store, 1);
		for (const name of await readdir(dir)) {
			expect(name.endsWith('.tmp')).toBe(false);
			expect((await stat(path.join(dir, name))).mode & 0o777, name).toBe(0o600);
		}
	});

	it('reset keeps the whole state and its events as state.json.bak, which migrates back', async () => {
		const store = new SandboxStore(dir);
		await store.transact((state, tx) => {
			state.clockOffsetMs = 5;
			tx.appendEvent({
				eventId: 'e1',
				eventTime: Date.now() + 5,
				eventName: 'CreateKey',
				region: 'us-east-1',
				keyIds: ['k1'],
			});
		});
		await store.reset();
		expect((await store.read()).clockOffsetMs).toBe(0);
		expect((await readdir(dir)).sort()).toEqual(['state.json.bak']);
		const restored = path.join(dir, 'restored');
		await (await import('node:fs/promises')).mkdir(restored);
		await copyFile(path.join(dir, 'state.json.bak'), path.join(restored, 'state.json'));
		const back = new SandboxStore(restored);
		expect((await back.read()).clockOffsetMs).toBe(5);
		const page = await back.lookupEvents({region: 'us-east-1'});
		expect(page.events.map((event) => event.eventId)).toEqual(['e1']);
	});

	it('refuses a snapshot that is not kms-tui state, and changes nothing', async () => {
		await writeFile(path.join(dir, 'state.snapshot'), '{"format": "something else"}');
		const store = new SandboxStore(dir);
		await expect(store.transact(() => undefined)).rejects.toThrow(
			/not a kms-tui sandbox snapshot.*sandbox reset/s,
		);
		expect((await readdir(dir)).sort()).toEqual(['state.snapshot']);
	});

	it('refuses a journal that belongs to another snapshot', async () => {
		const one = path.join(dir, 'one');
		const two = path.join(dir, 'two');
		await setClock(new SandboxStore(one), 1);
		await setClock(new SandboxStore(two), 2);
		await copyFile(path.join(two, 'state.journal'), path.join(one, 'state.journal'));
		await expect(new SandboxStore(one).read()).rejects.toThrow(/does not continue the snapshot/);
	});
});

describe('events', () => {
	const event = (index: number, time: number, keyIds: string[] = []) => ({
		eventId: `e${index}`,
		eventTime: time,
		eventName: index % 2 === 0 ? 'Decrypt' : 'GenerateDataKey',
		region: 'us-east-1',
		keyIds,
	});

	it('are recorded with their transaction, paged newest first, by time and by key', async () => {
		const store = new SandboxStore(dir);
		const base = Date.now();
		for (let index = 0; index < 120; index++) {
			await store.transact((_state, tx) => {
				tx.appendEvent(event(index, base + index * 1000, [index % 3 === 0 ? 'k0' : 'k1']));
			});
		}
		// A failed transaction records nothing.
		await expect(
			store.transact((_state, tx) => {
				tx.appendEvent(event(999, base + 999_000));
				throw new Error('boom');
			}),
		).rejects.toThrow('boom');
		const ids: string[] = [];
		let token: string | undefined;
		do {
			const page = await store.lookupEvents({
				region: 'us-east-1',
				maxResults: 50,
				nextToken: token,
			});
			ids.push(...page.events.map((entry) => entry.eventId));
			token = page.nextToken;
		} while (token);
		expect(ids).toEqual(Array.from({length: 120}, (_, index) => `e${119 - index}`));
		const byKey = await new SandboxStore(dir).lookupEvents({
			region: 'us-east-1',
			keyId: 'k0',
			maxResults: 5,
		});
		expect(byKey.events.map((entry) => entry.eventId)).toEqual([
			'e117',
			'e114',
			'e111',
			'e108',
			'e105',
		]);
		const window = await store.lookupEvents({
			region: 'us-east-1',
			startTime: base + 10_000,
			endTime: base + 12_000,
		});
		expect(window.events.map((entry) => entry.eventId)).toEqual(['e12', 'e11', 'e10']);
		expect(window.nextToken).toBeUndefined();
		await expect(store.lookupEvents({region: 'us-east-1', nextToken: 'nope'})).rejects.toThrow(
			/NextToken/,
		);
	});

	it('are bounded: 90 days of sandbox clock and a count cap per Region', async () => {
		const store = new SandboxStore(dir, {maxEventsPerRegion: 10});
		const base = Date.now();
		await store.transact((_state, tx) => {
			for (let index = 0; index < 25; index++) tx.appendEvent(event(index, base + index));
		});
		const capped = await store.lookupEvents({region: 'us-east-1'});
		expect(capped.events.map((entry) => entry.eventId)).toEqual(
			Array.from({length: 10}, (_, index) => `e${24 - index}`),
		);
		// 91 days later on the sandbox clock, the old events are gone.
		await store.transact((state, tx) => {
			state.clockOffsetMs = 91 * day;
			tx.appendEvent(event(100, base + 91 * day));
		});
		const later = await new SandboxStore(dir).lookupEvents({region: 'us-east-1'});
		expect(later.events.map((entry) => entry.eventId)).toEqual(['e100']);
		expect(eventRetentionMs).toBe(90 * day);
	});
});

describe('indexes', () => {
	it('ListAliases pages in name order and keeps the 50-alias limit, as without the store', async () => {
		const sandbox = await startTestSandbox({dir});
		try {
			const kms = sandbox.kms();
			const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
			const names = Array.from({length: 50}, (_, index) => `alias/a-${(index * 37) % 50}`);
			for (const name of names)
				await kms.send(new CreateAliasCommand({AliasName: name, TargetKeyId: keyId}));
			await expect(
				kms.send(new CreateAliasCommand({AliasName: 'alias/one-too-many', TargetKeyId: keyId})),
			).rejects.toMatchObject({name: 'LimitExceededException'});
			const listed: string[] = [];
			let marker: string | undefined;
			do {
				const page = await kms.send(new ListAliasesCommand({Limit: 7, Marker: marker}));
				listed.push(...(page.Aliases ?? []).map((alias) => alias.AliasName as string));
				marker = page.NextMarker;
			} while (marker);
			expect(listed).toEqual([...names].sort());
		} finally {
			await sandbox.close();
		}
	});
});

describe('indexes agree with a scan', () => {
	it('ListAliases, ListKeys and due deletions match the engine on a plain copy, across two processes', async () => {
		// Two stores on one directory: each replays the other's records into its own indexes.
		const stores = [new SandboxStore(dir), new SandboxStore(dir)];
		const region = 'us-east-1';
		const context = (state: SandboxState): RequestContext => ({
			region,
			accountId: '000000000000',
			now: sandboxNow(state),
			requestId: 'test',
			stackStepMs: 0,
		});
		const call = (index: number, operation: string, input: Record<string, unknown>) =>
			(stores[index % 2] as SandboxStore).transact((state) => {
				const kms = regionState(state, region).kms;
				tickKms(kms, context(state));
				return handleKms(kms, context(state), operation, input);
			});
		const keys: string[] = [];
		const failures: string[] = [];
		let seed = 7;
		// mulberry32: small, and good enough to mix the operations.
		const random = (below: number) => {
			seed = (seed + 0x6d2b79f5) | 0;
			let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
			t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
			return ((t ^ (t >>> 14)) >>> 0) % below;
		};
		for (let step = 0; step < 240; step++) {
			const choice = keys.length < 3 ? 0 : random(6);
			const key = keys[random(keys.length)] as string;
			const alias = `alias/a${random(40)}`;
			try {
				if (choice === 0) {
					const created = (await call(step, 'CreateKey', {})) as {KeyMetadata: {KeyId: string}};
					keys.push(created.KeyMetadata.KeyId);
				} else if (choice === 1)
					await call(step, 'CreateAlias', {AliasName: alias, TargetKeyId: key});
				else if (choice === 2)
					await call(step, 'UpdateAlias', {AliasName: alias, TargetKeyId: key});
				else if (choice === 3) await call(step, 'DeleteAlias', {AliasName: alias});
				else if (choice === 4) {
					await call(step, 'ScheduleKeyDeletion', {KeyId: key, PendingWindowInDays: 7 + random(3)});
				} else {
					await (stores[step % 2] as SandboxStore).transact((state) => {
						state.clockOffsetMs += day;
					});
				}
			} catch (error) {
				if (!(error instanceof Error) || !/Exception$/.test(error.name)) throw error;
				failures.push(error.name);
			}
			if (step % 20 !== 19) continue;
			// Every page of every listing, and the aliases of every key (deleted ones included).
			const queries: Array<[string, Record<string, unknown>]> = [
				['ListAliases', {Limit: 7}],
				['ListKeys', {Limit: 5}],
				...keys.map((keyId): [string, Record<string, unknown>] => ['ListAliases', {KeyId: keyId}]),
			];
			for (const [operation, input] of queries) {
				// The engine on a plain copy scans, as it always did; the store's view uses the indexes.
				const plain = await new SandboxStore(dir).read();
				const plainKms = regionState(plain, region).kms;
				tickKms(plainKms, context(plain));
				const pages = async (run: (marker?: string) => Promise<unknown>) => {
					const all: unknown[] = [];
					let marker: string | undefined;
					do {
						const page = (await run(marker).catch((error: Error) => ({error: error.name}))) as {
							NextMarker?: string;
						};
						all.push(page);
						marker = page.NextMarker;
					} while (marker);
					return all;
				};
				const expected = await pages(async (marker) =>
					handleKms(plainKms, context(plain), operation, {...input, Marker: marker}),
				);
				const actual = await pages((marker) =>
					call(step + 1, operation, {...input, Marker: marker}),
				);
				expect(actual, `${operation} ${JSON.stringify(input)} at step ${step}`).toEqual(expected);
			}
		}
		// The sequence did exercise what it checks.
		expect(failures.length).toBeLessThan(200);
		const final = await new SandboxStore(dir).read();
		expect(Object.keys(final.regions[region]?.kms.aliases ?? {}).length).toBeGreaterThan(0);
		expect(Object.keys(final.regions[region]?.kms.keys ?? {}).length).toBeLessThan(keys.length);
	});
});

describe('sandbox status', () => {
	it('shows keys, aliases, stacks, events and the size on disk', async () => {
		const store = new SandboxStore(dir);
		await store.transact((state, tx) => {
			regionState(state, 'eu-west-1');
			tx.appendEvent({
				eventId: 'e1',
				eventTime: Date.now(),
				eventName: 'CreateKey',
				region: 'eu-west-1',
				keyIds: [],
			});
		});
		await copyFile(v1State, path.join(dir, 'ignored-state.json'));
		const env = cleanEnv(dir);
		const text = await runCli(['sandbox', 'status', '--sandbox-dir', dir], {env, cwd: dir});
		expect(text.code, text.stderr).toBe(0);
		expect(text.stdout).toMatch(/store +\d+\.\d KiB on disk, 1 event\(s\)/);
		expect(text.stdout).toContain('eu-west-1    0 key(s), 0 alias(es), 0 stack(s), 1 event(s)');
		const migrated = path.join(dir, 'old');
		await (await import('node:fs/promises')).mkdir(migrated);
		await copyFile(v1State, path.join(migrated, 'state.json'));
		const json = await runCli(['sandbox', 'status', '--json', '--sandbox-dir', migrated], {
			env,
			cwd: dir,
		});
		const parsed = JSON.parse(json.stdout);
		expect(parsed.bytesOnDisk).toBe((await stat(v1State)).size);
		expect(parsed.regions).toEqual([
			{region: 'us-east-1', keys: 3, pendingDeletion: 1, aliases: 3, stacks: 1, events: 0},
		]);
	});
});
