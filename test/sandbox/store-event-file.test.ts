/**
 * The events' own file (events.journal): opening the store and appending never read the events
 * already there, a torn tail is ignored and cut, compaction keeps the newest within the cap (and
 * a NextToken across it), several processes append, a process that looked events up catches up
 * from where it read, and events inside a snapshot or journal of the previous format move there.
 */
import {type ChildProcess, execFile, spawn} from 'node:child_process';
import {mkdtemp, open, readdir, readFile, rm, stat, truncate, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {type SandboxEvent, SandboxStore} from '../../source/sandbox/store.js';
import {eventsHeaderBytes} from '../../source/sandbox/store-event-file.js';
import {encodeRecord, journalHeader} from '../../source/sandbox/store-journal.js';

const run = promisify(execFile);
const appender = path.resolve('test/fixtures/append-events.mjs');

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-events-'));
});
afterEach(async () => {
	await rm(dir, {recursive: true, force: true});
});

function event(id: string, keyIds: string[] = []): SandboxEvent {
	return {eventId: id, eventTime: Date.now(), eventName: 'Decrypt', region: 'us-east-1', keyIds};
}

async function record(store: SandboxStore, ...ids: string[]): Promise<void> {
	await store.transact((_state, tx) => {
		for (const id of ids) tx.appendEvent(event(id));
	});
}

/** Every event id of the Region, newest first, page by page. */
async function allIds(store: SandboxStore, keyId?: string): Promise<string[]> {
	const ids: string[] = [];
	let nextToken: string | undefined;
	do {
		const page = await store.lookupEvents({
			region: 'us-east-1',
			...(keyId ? {keyId} : {}),
			...(nextToken ? {nextToken} : {}),
		});
		ids.push(...page.events.map((entry) => entry.eventId));
		nextToken = page.nextToken;
	} while (nextToken);
	return ids;
}

/** Spoils a byte inside the first record's payload: its length stays, its checksum fails. */
async function damageFirstRecord(file: string): Promise<void> {
	const handle = await open(file, 'r+');
	try {
		const at = eventsHeaderBytes + 8 + 5;
		const byte = Buffer.alloc(1);
		await handle.read(byte, 0, 1, at);
		byte[0] = (byte[0] as number) ^ 0xff;
		await handle.write(byte, 0, 1, at);
	} finally {
		await handle.close();
	}
}

describe('the events file', () => {
	it('is not read when the store opens, changes state or appends events; only a lookup reads it', async () => {
		const writer = new SandboxStore(dir);
		for (let index = 0; index < 200; index++) await record(writer, `e${index}`);
		expect((await readdir(dir)).sort()).toEqual([
			'events.journal',
			'state.journal',
			'state.snapshot',
		]);
		// Damage that any read of the old events would meet (a lookup below proves it does).
		await damageFirstRecord(writer.eventsFile);
		const fresh = new SandboxStore(dir);
		expect((await fresh.read()).clockOffsetMs).toBe(0);
		await fresh.transact((state) => {
			state.clockOffsetMs = 7;
		});
		await record(fresh, 'after');
		expect((await new SandboxStore(dir).read()).clockOffsetMs).toBe(7);
		await expect(fresh.lookupEvents({region: 'us-east-1'})).rejects.toThrow(
			/event file .*events\.journal is damaged at byte \d+.*keys and stacks are not affected/s,
		);
		// The state journal holds no event: it only says where the events went.
		expect((await readFile(writer.journalFile, 'utf8')).includes('e199')).toBe(false);
		expect((await stat(writer.eventsFile)).mode & 0o777).toBe(0o600);
	});

	it('is moved aside whole by a reset when damaged, and the state is backed up as always', async () => {
		const store = new SandboxStore(dir);
		await store.transact((state, tx) => {
			state.clockOffsetMs = 9;
			tx.appendEvent(event('a'));
		});
		await record(store, 'b');
		const damagedBytes = await readFile(store.eventsFile);
		await damageFirstRecord(store.eventsFile);
		await store.reset();
		expect((await readdir(dir)).sort()).toEqual(['events.journal.bak', 'state.json.bak']);
		const backup = JSON.parse(await readFile(path.join(dir, 'state.json.bak'), 'utf8'));
		expect(backup.clockOffsetMs).toBe(9);
		expect((await readFile(path.join(dir, 'events.journal.bak'))).length).toBe(damagedBytes.length);
	});

	it('ignores a torn last record and cuts it at the next append', async () => {
		const store = new SandboxStore(dir);
		await record(store, 'a', 'b');
		const committed = (await stat(store.eventsFile)).size;
		await record(store, 'c');
		// A process killed between its state record and the whole event record.
		const full = (await stat(store.eventsFile)).size;
		await truncate(store.eventsFile, committed + Math.floor((full - committed) / 2));
		expect(await allIds(new SandboxStore(dir))).toEqual(['b', 'a']);
		await record(new SandboxStore(dir), 'd');
		expect(await allIds(new SandboxStore(dir))).toEqual(['d', 'b', 'a']);
		// Zeros where the last record should be (a power cut): also cut, not read as damage.
		const before = (await stat(store.eventsFile)).size;
		await record(store, 'e');
		const after = (await stat(store.eventsFile)).size;
		await truncate(store.eventsFile, before);
		await writeFile(store.eventsFile, Buffer.alloc(after - before), {flag: 'a'});
		expect(await allIds(new SandboxStore(dir))).toEqual(['d', 'b', 'a']);
		await record(new SandboxStore(dir), 'f');
		expect(await allIds(new SandboxStore(dir))).toEqual(['f', 'd', 'b', 'a']);
	});

	it('keeps every acknowledged event when a writer is killed with SIGKILL while appending one', async () => {
		// 8 MiB events: the kill is sent once the events file grows past the last acknowledged
		// event, i.e. while the next one is being written (its state record is already there).
		// No compaction here, so that the file only ever grows by appends.
		const never = String(2 ** 40);
		let torn = 0;
		for (let round = 0; round < 3; round++) {
			const roundDir = path.join(dir, `round-${round}`);
			const child: ChildProcess = spawn(
				process.execPath,
				[appender, roundDir, 'k', '1000', never, String(2 ** 23)],
				{stdio: ['ignore', 'pipe', 'inherit']},
			);
			let acknowledged = -1;
			await new Promise<void>((resolve, reject) => {
				child.stdout?.on('data', (chunk: Buffer) => {
					acknowledged = Number(chunk.toString().trim().split('\n').at(-1));
					if (acknowledged >= 1) resolve();
				});
				child.once('exit', (code) => reject(new Error(`appender exited with ${code}`)));
			});
			const file = path.join(roundDir, 'events.journal');
			const committed = (await stat(file)).size;
			while ((await stat(file)).size <= committed) await new Promise(setImmediate);
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
			const killedAt = (await stat(file)).size;
			const store = new SandboxStore(roundDir, {eventsCompactBytes: 2 ** 40});
			const ids = await allIds(store);
			// Acknowledged events are kept; the one in flight is there whole or not at all.
			expect(ids.length).toBeGreaterThanOrEqual(acknowledged + 1);
			expect(ids.length).toBeLessThanOrEqual(acknowledged + 2);
			expect(ids).toEqual(
				Array.from({length: ids.length}, (_, index) => `k-${ids.length - 1 - index}`),
			);
			await record(store, 'after');
			// A torn record (megabytes) was cut before the small one went in.
			if ((await stat(file)).size < killedAt) torn++;
			expect(await allIds(new SandboxStore(roundDir))).toEqual(['after', ...ids]);
		}
		// The kill did land inside a write (a torn record, cut off by the next append).
		expect(torn).toBeGreaterThan(0);
	}, 60_000);

	it('is appended to after a compaction whose declaration was lost (the file scanned once)', async () => {
		const store = new SandboxStore(dir);
		await record(store, 'a');
		await record(store, 'b');
		// What a writer killed after renaming a compacted file leaves: a file of a generation the
		// state does not name, here with a torn record at its end too.
		const bytes = await readFile(store.eventsFile);
		const header = bytes.subarray(0, eventsHeaderBytes).toString('latin1');
		const other = Buffer.from(header.replace(/[0-9a-f]{32}\n$/, `${'cd'.repeat(16)}\n`), 'latin1');
		await writeFile(
			store.eventsFile,
			Buffer.concat([other, bytes.subarray(eventsHeaderBytes), Buffer.from([9, 0, 0, 0, 1])]),
		);
		await record(new SandboxStore(dir), 'c');
		expect(await allIds(new SandboxStore(dir))).toEqual(['c', 'b', 'a']);
		const seqs = (await new SandboxStore(dir).lookupEvents({region: 'us-east-1'})).events.map(
			(entry) => entry.seq,
		);
		expect(new Set(seqs).size).toBe(3);
	});

	it('is compacted to the newest events at the cap, and a NextToken outlives the compaction', async () => {
		const options = {maxEventsPerRegion: 40, eventsCompactBytes: 4096};
		const writer = new SandboxStore(dir, options);
		const reader = new SandboxStore(dir, options);
		const sizes: number[] = [];
		let firstPage: {ids: string[]; nextToken?: string} | undefined;
		for (let index = 0; index < 600; index++) {
			await record(writer, `e${index}`);
			sizes.push((await stat(writer.eventsFile)).size);
			if (index === 569) {
				const page = await reader.lookupEvents({region: 'us-east-1', maxResults: 5});
				firstPage = {ids: page.events.map((entry) => entry.eventId), nextToken: page.nextToken};
			}
		}
		// It shrank (was rewritten) and never grew past its threshold by more than one record.
		expect(sizes.some((size, index) => index > 0 && size < (sizes[index - 1] as number))).toBe(
			true,
		);
		const peak = Math.max(...sizes);
		expect(peak).toBeLessThan(40 * 400 + 4096 + 1024);
		const expected = Array.from({length: 40}, (_, index) => `e${599 - index}`);
		expect(await allIds(new SandboxStore(dir, options))).toEqual(expected);
		// The reader looked up before the compactions: it reloads the new file and follows.
		expect(await allIds(reader)).toEqual(expected);
		expect(firstPage?.ids).toEqual(['e569', 'e568', 'e567', 'e566', 'e565']);
		// The file was rewritten since that page (a drop in size after it)...
		expect(sizes.slice(570).some((size, index) => size < (sizes[569 + index] as number))).toBe(
			true,
		);
		// ...and its token names a sequence number, not a place in the file: the next page follows.
		for (const lookup of [reader, new SandboxStore(dir, options)]) {
			const next = await lookup.lookupEvents({
				region: 'us-east-1',
				maxResults: 5,
				nextToken: firstPage?.nextToken,
			});
			expect(next.events.map((entry) => entry.eventId)).toEqual([
				'e564',
				'e563',
				'e562',
				'e561',
				'e560',
			]);
			expect(next.nextToken).toBeUndefined();
		}
		const files = await readdir(dir);
		expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
	});

	it('takes the appends of several processes, compacting among them, without loss or damage', async () => {
		await Promise.all(
			['p0', 'p1', 'p2', 'p3'].map((name) => run('node', [appender, dir, name, '60', '8192'])),
		);
		const store = new SandboxStore(dir, {maxEventsPerRegion: 1000});
		const ids = await allIds(store);
		expect(ids).toHaveLength(240);
		expect(new Set(ids).size).toBe(240);
		for (const name of ['p0', 'p1', 'p2', 'p3']) {
			// Each process's own events, newest first, by its key.
			expect(await allIds(store, name)).toEqual(
				Array.from({length: 60}, (_, index) => `${name}-${59 - index}`),
			);
		}
	}, 60_000);

	it('is caught up from where a process read it, after another process appended', async () => {
		const reader = new SandboxStore(dir);
		const writer = new SandboxStore(dir);
		await record(writer, 'a');
		await record(writer, 'b');
		expect(await allIds(reader)).toEqual(['b', 'a']);
		// Damage in what the reader has read already: a reader that read the file again would fail.
		await damageFirstRecord(reader.eventsFile);
		await run('node', [appender, dir, 'other', '3']);
		expect(await allIds(reader)).toEqual(['other-2', 'other-1', 'other-0', 'b', 'a']);
		await expect(new SandboxStore(dir).lookupEvents({region: 'us-east-1'})).rejects.toThrow(
			/damaged/,
		);
	}, 30_000);

	it('takes over events that a snapshot or journal of the previous format held', async () => {
		const generation = 'ab'.repeat(16);
		const stored = (seq: number, id: string) => ({
			seq,
			eventId: id,
			eventTime: Date.now(),
			eventName: 'CreateKey',
			region: 'us-east-1',
			keyIds: ['k1'],
		});
		await writeFile(
			path.join(dir, 'state.snapshot'),
			JSON.stringify({
				format: 'kms-tui-sandbox-snapshot',
				version: 2,
				generation,
				previousGeneration: null,
				state: {format: 'kms-tui-sandbox', version: 1, clockOffsetMs: 3, regions: {}},
				events: [stored(1, 'old1'), stored(2, 'old2')],
			}),
		);
		await writeFile(
			path.join(dir, 'state.journal'),
			Buffer.concat([
				journalHeader(generation),
				encodeRecord(JSON.stringify({e: [stored(3, 'old3')]})),
			]),
		);
		const store = new SandboxStore(dir);
		expect(await allIds(store)).toEqual(['old3', 'old2', 'old1']);
		await record(store, 'new');
		expect(await allIds(new SandboxStore(dir))).toEqual(['new', 'old3', 'old2', 'old1']);
		const snapshot = JSON.parse(await readFile(store.snapshotFile, 'utf8'));
		expect(snapshot.events).toBeUndefined();
		expect(snapshot.state.clockOffsetMs).toBe(3);
		expect((await store.describe()).events).toBe(4);
	});
});
