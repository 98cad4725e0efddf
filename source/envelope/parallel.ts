/**
 * Runs a file-to-file frame job (frame-job.ts) on the main thread and, for large inputs, on
 * worker threads beside it.
 *
 * The main thread starts at once and works between event-loop turns (so a progress bar, a TUI
 * spinner and a cancel keep running); workers join as soon as they have booted (~35 ms) and claim
 * batches from the same counter. Whatever happens, every worker has stopped before this returns
 * or throws, so the caller may close and delete the files. When threads fail, the error of the
 * lowest batch wins: batches are claimed in order and finished once claimed, so that is the first
 * bad frame of the file, whichever thread found it.
 */
import {availableParallelism} from 'node:os';
import {setImmediate as nextTurn} from 'node:timers/promises';
import {Worker} from 'node:worker_threads';
import frameWorkerSource from 'virtual:kms-tui-frame-worker';
import {abortError, EnvelopeError, type EnvelopeErrorCode, toEnvelopeError} from './errors.js';
import {
	batchCount,
	batchRunner,
	bytesDone,
	createControl,
	type FrameJob,
	hasClaimed,
	MAX_THREADS,
	stopJob,
} from './frame-job.js';
import type {WorkerReport} from './frame-worker.js';

/** Below this many bytes a worker would boot after the main thread has finished alone. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** How long the main thread works before it lets the event loop run. */
const TURN_MS = 8;

/** Threads for a job of `bytes`: one per core (at most MAX_THREADS), one below PARALLEL_MIN_BYTES. */
export function threadsFor(bytes: number): number {
	if (bytes < PARALLEL_MIN_BYTES) return 1;
	return Math.max(1, Math.min(availableParallelism(), MAX_THREADS));
}

type Failure = {readonly batch: number; readonly error: EnvelopeError};

export type JobStats = {
	/** Batches each thread finished: [main thread, worker 1, …]. */
	readonly batchesByThread: number[];
};

export async function runFrameJob(
	spec: Omit<FrameJob, 'control'>,
	options: {
		/** Threads including the main one. @default threadsFor(the job's plaintext bytes) */
		readonly threads?: number | undefined;
		readonly signal: AbortSignal | undefined;
		readonly onBytes: (bytes: number) => void;
	},
): Promise<JobStats> {
	const job: FrameJob = {...spec, control: createControl()};
	const plaintext = (job.frames - 1) * job.frameSize + job.finalBytes;
	const threads = Math.min(options.threads ?? threadsFor(plaintext), MAX_THREADS, batchCount(job));
	const failures: Failure[] = [];
	const batchesByThread = Array.from({length: threads}, () => 0);
	const workers: Promise<void>[] = [];
	for (let thread = 1; thread < threads; thread++) {
		workers.push(startWorker(job, thread, failures, batchesByThread));
	}
	let reported = 0;
	const report = () => {
		const done = bytesDone(job.control);
		if (done > reported) options.onBytes(done - reported);
		reported = done;
	};
	const runner = batchRunner(job, 0);
	try {
		let turnStarted = performance.now();
		while (runner.step()) {
			report();
			if (performance.now() - turnStarted >= TURN_MS) {
				await nextTurn();
				turnStarted = performance.now();
			}
			if (options.signal?.aborted) {
				stopJob(job.control);
				break;
			}
		}
	} catch (error) {
		stopJob(job.control);
		failures.push({batch: runner.batch, error: toEnvelopeError(error, job.inLabel)});
	}
	await Promise.all(workers);
	report();
	batchesByThread[0] = runner.finished;
	const first = failures.sort((a, b) => a.batch - b.batch)[0];
	if (first) throw first.error;
	if (options.signal?.aborted) throw abortError(job.inLabel, options.signal);
	return {batchesByThread};
}

/** Starts worker `thread`; the promise settles (never rejects) once it has stopped for good. */
function startWorker(
	job: FrameJob,
	thread: number,
	failures: Failure[],
	batchesByThread: number[],
): Promise<void> {
	let worker: Worker;
	try {
		worker = new Worker(frameWorkerSource, {eval: true, workerData: {job, thread}});
	} catch {
		return Promise.resolve(); // No worker (resource limits…): the others take its batches.
	}
	return new Promise<void>((resolve) => {
		let reported = false;
		worker.on('message', (message: WorkerReport) => {
			reported = true;
			if (message.ok) batchesByThread[thread] = message.batches;
			else {
				const code = message.code as EnvelopeErrorCode;
				failures.push({batch: message.batch, error: new EnvelopeError(code, message.message)});
			}
		});
		// A worker that failed outside a batch (while booting, or out of memory) matters only if it
		// may have left a batch half written.
		worker.on('error', (error) => {
			if (reported || !hasClaimed(job.control, thread)) return;
			reported = true;
			stopJob(job.control);
			failures.push({batch: -1, error: toEnvelopeError(error, job.outLabel)});
		});
		worker.on('exit', () => {
			if (!reported && hasClaimed(job.control, thread)) {
				stopJob(job.control);
				failures.push({
					batch: -1,
					error: new EnvelopeError(
						'io',
						`${job.outLabel}: a worker thread stopped unexpectedly; nothing was written — try again.`,
					),
				});
			}
			resolve();
		});
	});
}
