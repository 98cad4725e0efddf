/**
 * The batch runner: outcomes in input order whatever order files finish in, the concurrency
 * bound (measured as the most pieces of work seen in flight at once), skip and failure accounting,
 * and cancelling (nothing starts after the signal; work in flight sees it).
 */
import {describe, expect, it} from 'vitest';
import {createLimiter} from '../../source/batch/limiter.js';
import {NOT_STARTED, runBatch, SkipFile} from '../../source/batch/run-batch.js';
import {countOutcomes, summaryLine} from '../../source/batch/summary.js';
import type {BatchItem} from '../../source/batch/walk.js';

const items = (n: number): BatchItem[] =>
	Array.from({length: n}, (_, i) => ({path: `f${i}`, displayPath: `f${i}`, size: i}));

/** A promise and the function that settles it: work that ends when the test says so. */
function gate() {
	let open = () => {};
	const opened = new Promise<void>((resolve) => {
		open = resolve;
	});
	return {opened, open};
}

describe('runBatch', () => {
	it('returns outcomes in input order when files finish in reverse order', async () => {
		const list = items(5);
		const gates = list.map(() => gate());
		const finished: string[] = [];
		const run = runBatch(
			list,
			async (item) => {
				await gates[Number(item.path.slice(1))]?.opened;
				return item.path.toUpperCase();
			},
			{concurrency: 5, onOutcome: (outcome) => finished.push(outcome.item.path)},
		);
		for (const g of [...gates].reverse()) {
			g.open();
			await Promise.resolve();
		}
		const outcomes = await run;
		expect(outcomes.map((o) => (o.status === 'done' ? o.result : o.status))).toEqual([
			'F0',
			'F1',
			'F2',
			'F3',
			'F4',
		]);
		expect(finished).toEqual(['f4', 'f3', 'f2', 'f1', 'f0']);
	});

	it('never has more than `concurrency` files in flight, and does keep that many busy', async () => {
		let inFlight = 0;
		let most = 0;
		await runBatch(
			items(40),
			async () => {
				inFlight++;
				most = Math.max(most, inFlight);
				// A real asynchronous step (a timer turn), so the lanes overlap.
				await new Promise((resolve) => setImmediate(resolve));
				inFlight--;
			},
			{concurrency: 3},
		);
		expect(most).toBe(3);
	});

	it('counts skips and failures without stopping the other files', async () => {
		const bytes: number[] = [];
		const outcomes = await runBatch(
			items(6),
			async (item, io) => {
				if (item.path === 'f1') throw new SkipFile('already an envelope');
				if (item.path === 'f3') throw Object.assign(new Error('f3: it broke'), {code: 'io'});
				if (item.path === 'f4') throw new Error('no code');
				io.onBytes(item.size);
				return item.size;
			},
			{onBytes: (n) => bytes.push(n)},
		);
		expect(outcomes.map((o) => o.status)).toEqual([
			'done',
			'skipped',
			'done',
			'failed',
			'failed',
			'done',
		]);
		expect(outcomes[1]).toMatchObject({reason: 'already an envelope'});
		expect(outcomes[3]).toMatchObject({reason: 'f3: it broke', code: 'io'});
		expect(outcomes[4]).not.toHaveProperty('code');
		expect(bytes.sort()).toEqual([0, 2, 5]);
		const counts = countOutcomes(outcomes);
		expect(summaryLine(counts, 'encrypt')).toBe(
			'3 encrypted, 1 skipped (already an envelope), 2 failed',
		);
	});

	it('after the signal aborts, starts nothing more; work in flight sees the signal', async () => {
		const controller = new AbortController();
		const started: string[] = [];
		const outcomes = await runBatch(
			items(10),
			async (item, io) => {
				started.push(item.path);
				if (item.path === 'f2') controller.abort(new Error('SIGINT'));
				if (io.signal.aborted) throw Object.assign(new Error('cancelled'), {code: 'aborted'});
				await new Promise((resolve) => setImmediate(resolve));
				if (io.signal.aborted) throw Object.assign(new Error('cancelled'), {code: 'aborted'});
				return 'ok';
			},
			{concurrency: 2, signal: controller.signal},
		);
		expect(started).toEqual(['f0', 'f1', 'f2']);
		expect(outcomes.map((o) => o.status)).toEqual([
			'done',
			'failed',
			'failed',
			...Array(7).fill('skipped'),
		]);
		expect(outcomes[9]).toMatchObject({reason: NOT_STARTED});
		expect(summaryLine(countOutcomes(outcomes), 'decrypt')).toBe(
			'1 decrypted, 2 cancelled in flight (not written), 7 not started',
		);
	});

	it('an empty list is an empty result', async () => {
		expect(await runBatch([], async () => 1, {})).toEqual([]);
	});
});

describe('createLimiter', () => {
	it('lets one holder at a time through, in arrival order', async () => {
		const limiter = createLimiter(1);
		const events: string[] = [];
		const first = gate();
		const a = limiter.run(async () => {
			events.push('a start');
			await first.opened;
			events.push('a end');
		});
		const b = limiter.run(async () => {
			events.push('b start');
		});
		const c = limiter.run(async () => {
			events.push('c start');
			throw new Error('c failed');
		});
		const d = limiter.run(async () => {
			events.push('d start');
		});
		await Promise.resolve();
		expect(events).toEqual(['a start']);
		first.open();
		await Promise.all([a, b, c.catch(() => undefined), d]);
		expect(events).toEqual(['a start', 'a end', 'b start', 'c start', 'd start']);
	});
});
