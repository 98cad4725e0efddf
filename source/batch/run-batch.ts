/**
 * Runs one piece of work per file with bounded concurrency, so that a thousand small files keep
 * ~8 KMS requests in flight instead of waiting for each in turn, while a failure in one file
 * never stops the others. Outcomes come back in input order whatever order the files finish in.
 *
 * Cancelling (the signal) stops files from starting; the ones in flight get the same signal and
 * their engines remove their temp files, so every file ends done or untouched. Files that never
 * started are reported as skipped ("not started"), so a summary can say what is left to do.
 */
import type {BatchItem} from './walk.js';

export type FileOutcome<R> =
	| {readonly item: BatchItem; readonly status: 'done'; readonly result: R}
	| {readonly item: BatchItem; readonly status: 'skipped'; readonly reason: string}
	| {
			readonly item: BatchItem;
			readonly status: 'failed';
			readonly reason: string;
			readonly code?: string;
	  };

/** `work` throws it to skip a file (its message is the reason: "already an envelope"). */
export class SkipFile extends Error {
	override name = 'SkipFile';
}

export type BatchIo = {readonly signal: AbortSignal; readonly onBytes: (n: number) => void};

export type BatchOptions<R> = {
	/** Files in flight at once. @default 8 (about the KMS requests worth overlapping) */
	readonly concurrency?: number;
	readonly signal?: AbortSignal;
	/** Hears each outcome as it happens (in completion order): the progress bar, a live list. */
	readonly onOutcome?: (outcome: FileOutcome<R>) => void;
	/** Bytes processed, as increments from every file in flight. */
	readonly onBytes?: (n: number) => void;
};

export const DEFAULT_CONCURRENCY = 8;

/** The reason shown for a file the run never reached because it was cancelled. */
export const NOT_STARTED = 'not started: the run was interrupted';

function failureOf<R>(item: BatchItem, error: unknown): FileOutcome<R> {
	if (error instanceof SkipFile) return {item, status: 'skipped', reason: error.message};
	const reason = error instanceof Error ? error.message : String(error);
	const code = (error as {code?: unknown} | undefined)?.code;
	return typeof code === 'string'
		? {item, status: 'failed', reason, code}
		: {item, status: 'failed', reason};
}

export async function runBatch<R>(
	items: readonly BatchItem[],
	work: (item: BatchItem, io: BatchIo) => Promise<R>,
	options: BatchOptions<R> = {},
): Promise<FileOutcome<R>[]> {
	const limit = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
	const signal = options.signal ?? new AbortController().signal;
	const onBytes = options.onBytes ?? (() => undefined);
	const io: BatchIo = {signal, onBytes};
	const outcomes: (FileOutcome<R> | undefined)[] = new Array(items.length);
	const settle = (index: number, outcome: FileOutcome<R>) => {
		outcomes[index] = outcome;
		options.onOutcome?.(outcome);
	};
	let next = 0;
	const lane = async () => {
		while (next < items.length && !signal.aborted) {
			const index = next++;
			const item = items[index] as BatchItem;
			try {
				settle(index, {item, status: 'done', result: await work(item, io)});
			} catch (error) {
				settle(index, failureOf(item, error));
			}
		}
	};
	await Promise.all(Array.from({length: Math.min(limit, items.length)}, lane));
	return items.map(
		(item, index) => outcomes[index] ?? {item, status: 'skipped', reason: NOT_STARTED},
	);
}
