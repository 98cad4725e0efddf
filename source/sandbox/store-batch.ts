/**
 * Group commit for the sandbox store: transactions that arrive while another batch is being
 * committed (the lock, the catch-up, the fdatasyncs) wait in one open batch, and that batch is
 * committed as a whole: one lock, one journal write and fdatasync, one events append. With 8
 * requests in flight the server used to sit idle ~88 % of the time on that chain, once per
 * request. This module only orders the work: what a commit does is the store's (store.ts).
 */

/** At most this many transactions per journal write (a batch beyond it goes on in another). */
export const maxBatchTransactions = 64;
/** A commit stops taking transactions once its records reach this size. */
export const maxBatchBytes = 1024 * 1024;

function nextTurn(): Promise<void> {
	return new Promise((resolve) => {
		setImmediate(resolve);
	});
}

/** The transactions of one batch, in arrival order, taken one by one by its commits. */
export class Batch<T> {
	private readonly items: T[] = [];
	private next = 0;
	private accepting = true;

	constructor(first: T) {
		this.items.push(first);
	}

	/** Adds a transaction while the batch is still open. */
	add(item: T): boolean {
		if (!this.accepting || this.items.length - this.next >= maxBatchTransactions) return false;
		this.items.push(item);
		return true;
	}

	/** The next transaction, in arrival order, or undefined when none waits. */
	take(): T | undefined {
		if (this.next >= this.items.length) return undefined;
		return this.items[this.next++];
	}

	/** No more transactions join: the ones after it go to the next batch, committed after this one. */
	close(): void {
		this.accepting = false;
	}

	get waiting(): number {
		return this.items.length - this.next;
	}
}

/**
 * One serial queue of batches and of exclusive work (a reset): each runs after everything queued
 * before it, so that a transaction queued after a reset never joins a batch committed before it.
 */
export class BatchQueue<T> {
	private tail: Promise<unknown> = Promise.resolve();
	private open: Batch<T> | undefined;
	/** Batches and exclusive work queued and not yet started. */
	private queued = 0;
	private readonly commit: (batch: Batch<T>) => Promise<void>;

	constructor(commit: (batch: Batch<T>) => Promise<void>) {
		this.commit = commit;
	}

	/** Joins the open batch, or opens a new one queued after everything before. */
	add(item: T): void {
		if (this.open?.add(item)) return;
		const batch = new Batch(item);
		this.open = batch;
		this.queued++;
		// The commit answers each transaction itself; the queue must survive a failed one.
		this.tail = this.tail
			.then(async () => {
				// A batch starts after this event-loop turn's I/O callbacks, so that the requests that
				// arrived together join it. A round's lock, catch-up and writes are synchronous calls
				// (store-open-file.ts), so without this turn the first request's round took in only
				// itself before the others were even parsed: twice the rounds at 8 in flight.
				await nextTurn();
				this.queued--;
				return this.commit(batch);
			})
			.catch(() => undefined);
	}

	/** Whether nothing is queued after the work running now (the store may let go of its files). */
	get idle(): boolean {
		return this.queued === 0;
	}

	/** Closes the open batch (its commit is taking no more) so the next transaction opens another. */
	closeBatch(batch: Batch<T>): void {
		batch.close();
		if (this.open === batch) this.open = undefined;
	}

	/** Runs `work` alone, after everything queued so far. */
	exclusive<R>(work: () => Promise<R>): Promise<R> {
		if (this.open) this.closeBatch(this.open);
		this.queued++;
		const run = this.tail.then(async () => {
			this.queued--;
			return work();
		});
		this.tail = run.catch(() => undefined);
		return run;
	}
}
