/**
 * Group commit in the sandbox store (store-batch.ts): transactions queued while another commit is
 * under way share one journal write and one fdatasync. Batching is observed through the store's
 * `beforeJournalSync` hook (the records of each journal write), never by timing. The child
 * processes import the built store (dist/sandbox/store.js: `npm run build` first).
 */
import {type ChildProcess, spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readlinkSync, rmSync} from 'node:fs';
import {mkdtemp, readdir, readFile, rm, stat, truncate, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterAll, afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {SandboxState} from '../../source/sandbox/context.js';
import {SandboxStore} from '../../source/sandbox/store.js';
import {maxBatchTransactions} from '../../source/sandbox/store-batch.js';
import {eventsHeaderBytes} from '../../source/sandbox/store-event-file.js';
import {journalHeaderBytes} from '../../source/sandbox/store-journal.js';

const builtStore = pathToFileURL(path.resolve('dist/sandbox/store.js')).href;

/** Top-level members the tests write: each is an entity of its own in the journal. */
type Marked = SandboxState & Record<string, unknown>;

/**
 * A child process that runs `waves` waves of `perWave` concurrent transactions on `dir`, each
 * adding 1 to the clock offset and setting its own member `m<wave>_<n>`, and recording an event
 * of `detailBytes`. It prints each transaction's name once answered, and at the end the records
 * of each of its journal writes as JSON.
 */
function spawnWriter(dir: string, waves: number, perWave: number, detailBytes = 0): ChildProcess {
	const script = `
		const {SandboxStore} = await import(${JSON.stringify(builtStore)});
		const [dir, waves, perWave, detailBytes] = process.argv.slice(1);
		const syncs = [];
		const store = new SandboxStore(dir, {beforeJournalSync: ({records}) => { syncs.push(records); }});
		const detail = Number(detailBytes) > 0 ? {blob: 'x'.repeat(Number(detailBytes))} : undefined;
		for (let wave = 0; wave < Number(waves); wave++) {
			await Promise.all(Array.from({length: Number(perWave)}, async (_, n) => {
				const name = 'm' + process.pid + '_' + wave + '_' + n;
				await store.transact((state, tx) => {
					state.clockOffsetMs += 1;
					state[name] = wave;
					tx.appendEvent({eventId: name, eventTime: Date.now(), eventName: 'Decrypt', region: 'us-east-1', keyIds: [name], ...(detail ? {detail} : {})});
				});
				process.stdout.write(name + '\\n');
			}));
		}
		process.stdout.write('syncs ' + JSON.stringify(syncs) + '\\n');
	`;
	return spawn(
		process.execPath,
		['--input-type=module', '-e', script, dir, String(waves), String(perWave), String(detailBytes)],
		{stdio: ['ignore', 'pipe', 'inherit']},
	);
}

/** The lines a child printed, and its exit. */
function linesOf(child: ChildProcess, onLine?: (line: string) => void): Promise<string[]> {
	const lines: string[] = [];
	let partial = '';
	child.stdout?.on('data', (chunk: Buffer) => {
		partial += chunk.toString();
		for (let newline = partial.indexOf('\n'); newline >= 0; newline = partial.indexOf('\n')) {
			const line = partial.slice(0, newline);
			partial = partial.slice(newline + 1);
			lines.push(line);
			onLine?.(line);
		}
	});
	return new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', () => resolve(lines));
	});
}

function increment(store: SandboxStore, name?: string): Promise<void> {
	return store.transact((state) => {
		state.clockOffsetMs += 1;
		if (name) (state as Marked)[name] = true;
	});
}

describe('group commit', () => {
	let dir: string;
	beforeEach(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-batch-'));
	});
	afterEach(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	it('commits transactions queued together with one fdatasync per batch of at most 64, losing none', async () => {
		const syncs: number[] = [];
		const store = new SandboxStore(dir, {
			beforeJournalSync: ({records}) => void syncs.push(records),
		});
		await Promise.all(Array.from({length: 200}, async (_, n) => increment(store, `m${n}`)));
		// All 200 were queued before the first commit took the lock: 4 journal writes, not 200.
		expect(syncs).toEqual([maxBatchTransactions, maxBatchTransactions, maxBatchTransactions, 8]);
		const reread = (await new SandboxStore(dir).read()) as Marked;
		expect(reread.clockOffsetMs).toBe(200);
		for (let n = 0; n < 200; n++) expect(reread[`m${n}`]).toBe(true);
	});

	it('batches the transactions that arrive while a commit is under way', async () => {
		const syncs: number[] = [];
		let second: Promise<unknown> | undefined;
		const store = new SandboxStore(dir, {
			beforeJournalSync: ({records}) => {
				syncs.push(records);
				// Queued while the first commit is writing: they wait for it, then share one commit.
				second ??= Promise.all(Array.from({length: 10}, async () => increment(store)));
			},
		});
		await increment(store);
		await second;
		expect(syncs).toEqual([1, 10]);
		expect((await store.read()).clockOffsetMs).toBe(11);
	});

	it('keeps a reset in its place: a transaction queued after it never joins the batch before it', async () => {
		const store = new SandboxStore(dir);
		const before = increment(store, 'before');
		const reset = store.reset();
		const after = increment(store, 'after');
		await Promise.all([before, reset, after]);
		const state = (await new SandboxStore(dir).read()) as Marked;
		expect([state.clockOffsetMs, state.before, state.after]).toEqual([1, undefined, true]);
	});

	it('loses no update when two processes run concurrent transactions, each batching its own', async () => {
		const children = [spawnWriter(dir, 10, 30), spawnWriter(dir, 10, 30)];
		const outputs = await Promise.all(children.map(async (child) => linesOf(child)));
		const reread = (await new SandboxStore(dir).read()) as Marked;
		expect(reread.clockOffsetMs).toBe(600);
		for (const [index, lines] of outputs.entries()) {
			const names = lines.filter((line) => line.startsWith('m'));
			expect(names).toHaveLength(300);
			for (const name of names) expect(reread[name], name).toBeTypeOf('number');
			const syncs = JSON.parse(
				(lines.find((line) => line.startsWith('syncs ')) ?? 'syncs []').slice(6),
			) as number[];
			expect(
				syncs.reduce((sum, records) => sum + records, 0),
				`process ${index}`,
			).toBe(300);
			expect(syncs.length, `process ${index}`).toBeLessThan(300);
		}
		// Every event of both, once each, in a sequence without gaps.
		const store = new SandboxStore(dir);
		const seqs: number[] = [];
		let nextToken: string | undefined;
		do {
			const page = await store.lookupEvents({region: 'us-east-1', maxResults: 50, nextToken});
			seqs.push(...page.events.map((event) => event.seq));
			nextToken = page.nextToken;
		} while (nextToken);
		expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({length: 600}, (_, n) => n + 1));
	}, 60_000);

	it('follows other processes that replace the journal and the events file (compactions) while it keeps both open from round to round', async () => {
		// Each transaction is queued while the one before it is being committed (from the fdatasync
		// hook), so this store always has a batch waiting and keeps its two files open across its
		// rounds, while the children's compactions replace both files between those rounds.
		const total = 300;
		let issued = 0;
		const answered: Array<Promise<void>> = [];
		const next = (): Promise<void> => {
			const name = `mine${issued++}`;
			return store.transact((state, tx) => {
				state.clockOffsetMs += 1;
				(state as Marked)[name] = true;
				tx.appendEvent({
					eventId: name,
					eventTime: Date.now(),
					eventName: 'Decrypt',
					region: 'us-east-1',
					keyIds: [name],
				});
			});
		};
		const store: SandboxStore = new SandboxStore(dir, {
			compactBytes: 2048,
			eventsCompactBytes: 4096,
			beforeJournalSync: () => {
				if (issued < total) answered.push(next());
			},
		});
		const children = [
			spawn(
				process.execPath,
				[path.resolve('test/fixtures/mutate-store.mjs'), dir, '200', '2048'],
				{
					stdio: 'ignore',
				},
			),
			spawn(
				process.execPath,
				[path.resolve('test/fixtures/append-events.mjs'), dir, 'child', '200', '4096'],
				{stdio: 'ignore'},
			),
		];
		const exits = children.map(
			(child) => new Promise((resolve) => child.once('exit', (code) => resolve(code))),
		);
		answered.push(next());
		for (;;) {
			const before = issued;
			await Promise.all(answered);
			if (issued >= total) break;
			// A round without the hook's call (none expected) would end the chain: go on by hand.
			if (issued === before) answered.push(next());
		}
		await Promise.all(answered);
		expect(await Promise.all(exits)).toEqual([0, 0]);
		const reread = (await new SandboxStore(dir).read()) as Marked;
		expect(reread.clockOffsetMs).toBe(total + 200);
		for (let n = 0; n < total; n++) expect(reread[`mine${n}`], `mine${n}`).toBe(true);
		const ids: string[] = [];
		const seqs: number[] = [];
		let nextToken: string | undefined;
		do {
			const page = await new SandboxStore(dir).lookupEvents({
				region: 'us-east-1',
				maxResults: 50,
				nextToken,
			});
			ids.push(...page.events.map((event) => event.eventId));
			seqs.push(...page.events.map((event) => event.seq));
			nextToken = page.nextToken;
		} while (nextToken);
		expect(ids.sort()).toEqual(
			[
				...Array.from({length: total}, (_, n) => `mine${n}`),
				...Array.from({length: 200}, (_, n) => `child-${n}`),
			].sort(),
		);
		expect(new Set(seqs).size).toBe(total + 200);
	}, 60_000);

	it.runIf(process.platform === 'linux')(
		'holds no descriptor of its files and leaves no private lock file once no transaction waits, before any caller hears back',
		async () => {
			const store = new SandboxStore(dir);
			const open = () =>
				readdirSync('/proc/self/fd').filter((fd) => {
					try {
						return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
					} catch {
						return false; // closed meanwhile (the directory listing's own descriptor)
					}
				});
			const seen = await Promise.all(
				Array.from({length: 20}, async (_, n) => {
					await store.transact((state, tx) => {
						state.clockOffsetMs += 1;
						tx.appendEvent({
							eventId: `e${n}`,
							eventTime: Date.now(),
							eventName: 'Decrypt',
							region: 'us-east-1',
							keyIds: ['k'],
						});
					});
					// Nor its private lock file (state-lock.ts), which it keeps only while busy.
					const lockFiles = readdirSync(dir).filter((name) => name.startsWith('state.lock'));
					return [open().length, lockFiles.length];
				}),
			);
			expect(seen).toEqual(Array.from({length: 20}, () => [0, 0]));
		},
	);

	it('rejects only the caller of a change that fails in the middle of a batch, and undoes only its changes', async () => {
		const syncs: number[] = [];
		const store = new SandboxStore(dir, {
			beforeJournalSync: ({records}) => void syncs.push(records),
		});
		const event = (name: string) => ({
			eventId: name,
			eventTime: Date.now(),
			eventName: 'Decrypt',
			region: 'us-east-1',
			keyIds: ['k'],
		});
		const results = await Promise.allSettled(
			Array.from({length: 5}, async (_, n) =>
				store.transact((state, tx) => {
					state.clockOffsetMs += 1;
					(state as Marked)[`m${n}`] = n;
					tx.appendEvent(event(`e${n}`));
					if (n === 2) throw new Error('change 2 failed');
					return n;
				}),
			),
		);
		expect(results.map((result) => result.status)).toEqual([
			'fulfilled',
			'fulfilled',
			'rejected',
			'fulfilled',
			'fulfilled',
		]);
		expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error('change 2 failed'));
		expect(
			results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
		).toEqual([0, 1, 3, 4]);
		expect(syncs).toEqual([4]);
		for (const state of [await store.read(), await new SandboxStore(dir).read()] as Marked[]) {
			expect(state.clockOffsetMs).toBe(4);
			expect(Object.hasOwn(state, 'm2')).toBe(false);
			expect([state.m0, state.m1, state.m3, state.m4]).toEqual([0, 1, 3, 4]);
		}
		const page = await new SandboxStore(dir).lookupEvents({region: 'us-east-1', keyId: 'k'});
		// Newest first, numbered without the failed one's event.
		expect(page.events.map((stored) => [stored.eventId, stored.seq])).toEqual([
			['e4', 4],
			['e3', 3],
			['e1', 2],
			['e0', 1],
		]);
	});

	it('fails every caller of a batch whose fdatasync fails, and the next transaction sees the state on disk', async () => {
		let failNext = false;
		const syncs: number[] = [];
		const store = new SandboxStore(dir, {
			beforeJournalSync: ({records}) => {
				syncs.push(records);
				if (failNext) {
					failNext = false;
					throw Object.assign(new Error('EIO: i/o error, fdatasync'), {code: 'EIO'});
				}
			},
		});
		await Promise.all(Array.from({length: 3}, async (_, n) => increment(store, `before${n}`)));
		const journal = path.join(dir, 'state.journal');
		const journalBefore = await readFile(journal);
		failNext = true;
		const failed = await Promise.allSettled(
			Array.from({length: 5}, async (_, n) =>
				store.transact((state, tx) => {
					state.clockOffsetMs += 100;
					(state as Marked)[`lost${n}`] = n;
					tx.appendEvent({
						eventId: `lost${n}`,
						eventTime: Date.now(),
						eventName: 'Decrypt',
						region: 'us-east-1',
						keyIds: ['k'],
					});
				}),
			),
		);
		expect(syncs).toEqual([3, 5]);
		for (const result of failed) {
			expect(result.status).toBe('rejected');
			// The error of the fdatasync itself, as a single transaction's was.
			expect((result as PromiseRejectedResult).reason).toMatchObject({code: 'EIO'});
		}
		// The journal ends where it did; nothing half-applied stays in this process's memory.
		expect((await readFile(journal)).equals(journalBefore)).toBe(true);
		const seen = await store.transact((state) => {
			const marked = state as Marked;
			return {
				clock: state.clockOffsetMs,
				lost: Object.keys(marked).filter((name) => name.startsWith('lost')),
				before: Object.keys(marked).filter((name) => name.startsWith('before')).length,
			};
		});
		expect(seen).toEqual({clock: 3, lost: [], before: 3});
		expect((await store.lookupEvents({region: 'us-east-1', keyId: 'k'})).events).toEqual([]);
		// And the store goes on committing.
		await increment(store);
		expect((await new SandboxStore(dir).read()).clockOffsetMs).toBe(4);
	});

	it('rejects a whole batch and the transactions still queued when the lock cannot be taken, then goes on', async () => {
		const store = new SandboxStore(dir, {timeoutMs: 100, notice: () => undefined});
		await increment(store);
		// A directory in the lock's place: the lock can be neither created nor taken over.
		const lock = path.join(dir, 'state.lock');
		const {mkdir, rmdir} = await import('node:fs/promises');
		await mkdir(lock);
		await mkdir(path.join(lock, 'busy'));
		const failed = await Promise.allSettled(Array.from({length: 4}, async () => increment(store)));
		expect(failed.map((result) => result.status)).toEqual(Array(4).fill('rejected'));
		await rmdir(path.join(lock, 'busy'));
		await rmdir(lock);
		await increment(store);
		expect((await store.read()).clockOffsetMs).toBe(2);
	});

	/** Four transactions in one batch, each setting its member and recording an event of 4 KiB. */
	async function commitFour(store: SandboxStore): Promise<void> {
		await Promise.all(
			Array.from({length: 4}, async (_, n) =>
				store.transact((state, tx) => {
					(state as Marked)[`m${n}`] = n;
					tx.appendEvent({
						eventId: `e${n}`,
						eventTime: Date.now(),
						eventName: 'Decrypt',
						region: 'us-east-1',
						keyIds: ['k'],
						detail: {blob: 'x'.repeat(4096)},
					});
				}),
			),
		);
	}

	/** Where each record of a journal or events file ends, from `offset`. */
	function recordEnds(bytes: Buffer, offset: number): number[] {
		const ends: number[] = [];
		for (let at = offset; at + 8 <= bytes.length; at += 8 + bytes.readUInt32LE(at)) {
			ends.push(at + 8 + bytes.readUInt32LE(at));
		}
		return ends;
	}

	async function eventIds(store: SandboxStore): Promise<Array<[string, number]>> {
		const page = await store.lookupEvents({region: 'us-east-1', keyId: 'k'});
		return page.events.map((event) => [event.eventId, event.seq]);
	}

	it("cuts the events of a batch whose state records are on disk but whose events append was cut, as one transaction's", async () => {
		await commitFour(new SandboxStore(dir));
		// What a kill in the middle of the events write leaves: the first record whole, the second cut.
		const eventsFile = path.join(dir, 'events.journal');
		const ends = recordEnds(await readFile(eventsFile), eventsHeaderBytes);
		expect(ends).toHaveLength(4);
		await truncate(eventsFile, (ends[0] as number) + 100);
		const store = new SandboxStore(dir);
		await store.transact((state, tx) => {
			(state as Marked).after = true;
			tx.appendEvent({
				eventId: 'after',
				eventTime: Date.now(),
				eventName: 'Decrypt',
				region: 'us-east-1',
				keyIds: ['k'],
			});
		});
		const state = (await new SandboxStore(dir).read()) as Marked;
		expect([state.m0, state.m1, state.m2, state.m3, state.after]).toEqual([0, 1, 2, 3, true]);
		// The cut batch's events go as a whole (none of its callers was answered); the file reads.
		expect(await eventIds(new SandboxStore(dir))).toEqual([['after', 5]]);
	});

	it("keeps the events of the transactions whose records are whole when a batch's journal write was cut", async () => {
		await commitFour(new SandboxStore(dir));
		// What a kill in the middle of the journal write leaves: two records whole, the third cut.
		const journal = path.join(dir, 'state.journal');
		const ends = recordEnds(await readFile(journal), journalHeaderBytes);
		expect(ends).toHaveLength(4);
		await truncate(journal, (ends[1] as number) + 10);
		const store = new SandboxStore(dir);
		await store.transact((_state, tx) => {
			tx.appendEvent({
				eventId: 'after',
				eventTime: Date.now(),
				eventName: 'Decrypt',
				region: 'us-east-1',
				keyIds: ['k'],
			});
		});
		const state = (await new SandboxStore(dir).read()) as Marked;
		expect([state.m0, state.m1, state.m2, state.m3]).toEqual([0, 1, undefined, undefined]);
		// The events of the two whole records stay; those of the cut ones are cut with them.
		expect(await eventIds(new SandboxStore(dir))).toEqual([
			['after', 3],
			['e1', 2],
			['e0', 1],
		]);
	});

	it('leaves a store that loads, with every answered change and event, when a writer is killed with SIGKILL mid-batch', async () => {
		const answered = new Set<string>();
		for (let round = 0; round < 5; round++) {
			// Events of 32 KiB make each batch's writes take long enough to be cut inside.
			const child = spawnWriter(dir, 1000, 16, 32 * 1024);
			const target = answered.size + 100 + round * 37;
			const lines = linesOf(child, (line) => {
				if (!line.startsWith('m')) return;
				answered.add(line);
				if (answered.size === target) child.kill('SIGKILL');
			});
			await lines;
			expect(child.signalCode).toBe('SIGKILL');
		}
		const store = new SandboxStore(dir);
		const state = (await store.read()) as Marked;
		for (const name of answered) expect(state[name], name).toBeTypeOf('number');
		// Every answered change is there; at most the unanswered transactions of the cut batches too.
		expect(state.clockOffsetMs).toBeGreaterThanOrEqual(answered.size);
		const events = new Set<string>();
		let nextToken: string | undefined;
		do {
			const page = await store.lookupEvents({region: 'us-east-1', maxResults: 50, nextToken});
			for (const event of page.events) events.add(event.eventId);
			nextToken = page.nextToken;
		} while (nextToken);
		for (const name of answered) expect(events.has(name), name).toBe(true);
		// It takes new transactions on top.
		await increment(store);
		expect((await new SandboxStore(dir).read()).clockOffsetMs).toBe(state.clockOffsetMs + 1);
		expect((await stat(path.join(dir, 'events.journal'))).size).toBeGreaterThan(0);
	}, 120_000);
});

// A small tmpfs makes the disk really fill up; it needs root (CI runs as root).
const mountPoint = mkdtempSync(path.join(tmpdir(), 'kms-tui-batch-full-'));
const mounted =
	process.getuid?.() === 0 &&
	spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]).status === 0;
if (!mounted) {
	console.warn('[store-batch] full-disk test skipped: mounting a tmpfs needs root');
	rmSync(mountPoint, {recursive: true, force: true});
}

describe.runIf(mounted)('a group commit on a full disk', () => {
	afterAll(() => {
		spawnSync('umount', [mountPoint]);
		rmSync(mountPoint, {recursive: true, force: true});
	});

	/** Fills the tmpfs, leaving free only `spare` bytes. */
	async function fill(spare: number): Promise<void> {
		const reserve = path.join(mountPoint, 'reserve');
		if (spare > 0) await writeFile(reserve, Buffer.alloc(spare));
		await writeFile(path.join(mountPoint, 'filler'), Buffer.alloc(512 * 1024)).catch(
			(error: NodeJS.ErrnoException) => {
				if (error.code !== 'ENOSPC') throw error;
			},
		);
		if (spare > 0) await rm(reserve);
	}

	it.each([
		['its journal write', 4096, 5],
		['taking the lock', 0, 0],
	])(
		'fails every caller of a batch when %s fails, leaves the journal as it was and no file behind, and the next transaction sees the state on disk',
		async (_what, spare) => {
			const dir = path.join(mountPoint, `state-${spare}`);
			const syncs: number[] = [];
			const store = new SandboxStore(dir, {
				beforeJournalSync: ({records}) => void syncs.push(records),
			});
			await Promise.all(Array.from({length: 4}, async (_, n) => increment(store, `before${n}`)));
			const journal = path.join(dir, 'state.journal');
			const journalBefore = await readFile(journal);
			// With a page spare, the lock file takes it and the batch's records (40 KiB) do not fit.
			await fill(spare);
			const failed = await Promise.allSettled(
				Array.from({length: 5}, async (_, n) =>
					store.transact((state) => {
						state.clockOffsetMs += 100;
						(state as Marked)[`lost${n}`] = 'x'.repeat(8192);
					}),
				),
			);
			for (const result of failed) {
				expect(result.status).toBe('rejected');
				expect(String((result as PromiseRejectedResult).reason)).toContain('is full');
			}
			// No fdatasync of that batch happened.
			expect(syncs).toEqual([4]);
			expect((await readFile(journal)).equals(journalBefore)).toBe(true);
			expect((await readdir(dir)).sort()).toEqual(['state.journal', 'state.snapshot']);
			await rm(path.join(mountPoint, 'filler'));
			const seen = await store.transact((state) => ({
				clock: state.clockOffsetMs,
				lost: Object.keys(state).filter((name) => name.startsWith('lost')),
			}));
			expect(seen).toEqual({clock: 4, lost: []});
			await rm(dir, {recursive: true, force: true});
		},
	);
});
