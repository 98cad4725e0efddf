/**
 * Runs a file-to-file frame job (frame-job.ts) on the main thread and, for large inputs, on
 * worker threads beside it.
 *
 * Workers are started before KMS is asked for the key (frameThreads), so they boot (~35 ms) on
 * the other cores while the main thread loads the SDK and waits for KMS; the job is posted to them
 * once the key exists. The main thread works too, between event-loop turns (so a progress bar, a
 * TUI spinner and a cancel keep running). Whatever happens, every worker has stopped before run()
 * returns or throws, so the caller may close and delete the files. When threads fail, the error of
 * the lowest batch wins: batches are claimed in order and finished once claimed, so that is the
 * first bad frame of the file, whichever thread found it.
 */
import type {KeyObject} from 'node:crypto';
import {fdatasync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {setImmediate as nextTurn} from 'node:timers/promises';
import {Worker} from 'node:worker_threads';
import frameWorkerSource from 'virtual:kms-tui-frame-worker';
import {abortError, EnvelopeError, type EnvelopeErrorCode, toEnvelopeError} from './errors.js';
import {
	batchRunner,
	bytesDone,
	createControl,
	type FrameJob,
	hasClaimed,
	MAX_THREADS,
	stopJob,
} from './frame-job.js';
import type {WorkerReport, WorkerRequest} from './frame-worker.js';
import {framesPerBatch} from './pump.js';

/** Below this many bytes the main thread alone is done about when a worker would have booted. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** How long the main thread works before it lets the event loop run. */
const TURN_MS = 8;

/** Threads for a job of `bytes`: one per core (at most MAX_THREADS), one below PARALLEL_MIN_BYTES. */
export function threadsFor(bytes: number): number {
	if (bytes < PARALLEL_MIN_BYTES) return 1;
	return Math.max(1, Math.min(availableParallelism(), MAX_THREADS));
}

export type JobStats = {
	/** Batches each thread finished: [main thread, worker 1, …]. */
	readonly batchesByThread: number[];
};

export type JobOptions = {
	readonly signal: AbortSignal | undefined;
	readonly onBytes: (bytes: number) => void;
};

/** The threads of one job: started early, given the job once, disposed of in every case. */
export type FrameThreads = {
	/** Runs the job on the main thread and every worker; call at most once. */
	run(spec: Omit<FrameJob, 'control'>, options: JobOptions): Promise<JobStats>;
	/** Stops workers that never got a job (an error before run). Safe to call at any time. */
	dispose(): void;
	/** Resolves once every worker has exited, those run() did not wait for included. */
	readonly settled: Promise<void>;
};

/** What encrypt and decrypt hand over when a regular file runs as a frame job. */
export type FileJob = {
	readonly inFd: number;
	readonly outFd: number;
	readonly threads: FrameThreads;
	readonly keys: {readonly key: KeyObject; readonly nonceBase: Buffer};
	readonly digest: Buffer;
	/** The input as the user named it, and the output's final path (for messages). */
	readonly label: string;
	readonly outLabel: string;
	readonly signal: AbortSignal | undefined;
	readonly onBytes: (bytes: number) => void;
};

/** Runs `file` on its threads, the body laid out as `layout` says, in 1 MiB batches. */
export function runFileJob(
	file: FileJob,
	layout: Pick<FrameJob, 'mode' | 'inStart' | 'outStart' | 'frameSize' | 'plaintextSize'>,
): Promise<JobStats> {
	const spec = {
		...layout,
		inFd: file.inFd,
		outFd: file.outFd,
		inLabel: file.label,
		outLabel: file.outLabel,
		framesPerBatch: framesPerBatch(layout.frameSize),
		key: file.keys.key,
		nonceBase: file.keys.nonceBase,
		digest: file.digest,
	};
	return file.threads.run(spec, {signal: file.signal, onBytes: file.onBytes});
}

type Failure = {readonly batch: number; readonly error: EnvelopeError};

/** Output bytes after which the page cache's writeback of what the job wrote is started. */
const WRITEBACK_STEP_BYTES = 64 * 1024 * 1024;

/**
 * Starts writing the job's output to the disk while the job runs. The caller fsyncs the file
 * before it is moved into place, and Linux only begins writeback once 10% of memory is dirty
 * (2.4 GB on a 24 GiB machine): a 1 GiB encrypt then waited for the whole GiB to reach the disk
 * at the very end (0.06–0.3 s). A background fdatasync every WRITEBACK_STEP_BYTES (one at a
 * time, on libuv's thread pool) overlaps that with the job: 1 GiB through the CLI, medians of 7
 * interleaved runs, encrypt 1.56 → 1.22 s and decrypt 1.16 → 0.90 s (age: 1.71 and 1.39 s).
 * Its failure is the job's: fsync reports a writeback error once per open file, so the final
 * fsync on this descriptor would miss it.
 * (Writing decrypt's output with O_DIRECT instead was measured too: 2–2.4× faster when the
 * machine was loaded and page-cache pages cold, but 10–30% slower on a quiet one, where fresh
 * pages are cheap and a direct write waits for the disk; choosing per batch lost to buffered.)
 */
export function earlyWriteback(fd: number) {
	let next = WRITEBACK_STEP_BYTES;
	let inFlight: Promise<void> | undefined;
	let failure: unknown;
	return {
		progress(bytes: number) {
			if (bytes < next || inFlight) return;
			next = bytes + WRITEBACK_STEP_BYTES;
			inFlight = new Promise((resolve) => {
				fdatasync(fd, (error) => {
					failure ??= error ?? undefined;
					inFlight = undefined;
					resolve();
				});
			});
		},
		/** Resolves once none is in flight (before the caller may close `fd`); the first failure, if any. */
		async settled(): Promise<unknown> {
			next = Number.POSITIVE_INFINITY; // None after this: the caller closes `fd` next.
			await inFlight;
			return failure;
		},
	};
}

/** A worker and what it said; listeners are attached at once, so a failed boot is never unhandled. */
type WorkerThread = {
	readonly worker: Worker;
	readonly exited: Promise<void>;
	report?: WorkerReport;
	error?: unknown;
	/** Set by run(): the job's control block, so a crash can stop the other threads at once. */
	control?: SharedArrayBuffer;
};

function spawn(thread: number): WorkerThread {
	const worker = new Worker(frameWorkerSource, {eval: true});
	const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
	const state: WorkerThread = {worker, exited};
	worker.on('message', (report: WorkerReport) => {
		state.report = report;
	});
	worker.on('error', (error) => {
		state.error = error;
		if (state.control && hasClaimed(state.control, thread)) stopJob(state.control);
	});
	return state;
}

/**
 * Starts the workers for a job of `bytes` plaintext bytes (`threads` overrides the count, main
 * thread included). A worker that cannot be started is left out; the others take its batches.
 */
export function frameThreads(bytes: number, threads = threadsFor(bytes)): FrameThreads {
	const workers: WorkerThread[] = [];
	for (let thread = 1; thread < Math.min(threads, MAX_THREADS); thread++) {
		try {
			workers.push(spawn(thread));
		} catch {
			break; // Resource limits: fewer threads.
		}
	}
	let started = false;
	return {
		settled: Promise.all(workers.map((state) => state.exited)).then(() => undefined),
		dispose() {
			if (!started) for (const {worker} of workers) void worker.terminate();
		},
		run(spec, options) {
			started = true;
			return runJob({...spec, control: createControl()}, workers, options);
		},
	};
}

async function runJob(
	job: FrameJob,
	workers: WorkerThread[],
	options: JobOptions,
): Promise<JobStats> {
	workers.forEach((state, index) => {
		state.control = job.control;
		const request: WorkerRequest = {job, thread: index + 1};
		state.worker.postMessage(request);
	});
	let reported = 0;
	const writeback = earlyWriteback(job.outFd);
	const report = () => {
		const done = bytesDone(job.control);
		if (done > reported) options.onBytes(done - reported);
		reported = done;
		writeback.progress(done);
	};
	const failures: Failure[] = [];
	const runner = batchRunner(job, 0);
	try {
		let turnStarted = performance.now();
		while (runner.step()) {
			report();
			if (performance.now() - turnStarted >= TURN_MS) {
				await nextTurn();
				turnStarted = performance.now();
			}
			if (options.signal?.aborted) break;
		}
	} catch (error) {
		failures.push({batch: runner.batch, error: toEnvelopeError(error, job.inLabel)});
	}
	// Done, cancelled or failed, the job stops here. Workers still booting when the main thread
	// ran out of batches (tens of MiB, a fast KMS) are not waited for: stopped first, they will
	// never claim one (frame-job.ts).
	stopJob(job.control);
	const active = workers.filter((_, index) => hasClaimed(job.control, index + 1));
	for (const state of workers) if (!active.includes(state)) void state.worker.terminate();
	await Promise.all(active.map((state) => state.exited));
	const writebackFailure = await writeback.settled();
	// After any bad frame: that says more about the file than a failed disk does.
	if (writebackFailure) {
		const error = toEnvelopeError(writebackFailure, job.outLabel);
		failures.push({batch: Number.MAX_SAFE_INTEGER, error});
	}
	report();
	const batchesByThread = [runner.finished];
	for (const state of workers) {
		const {report: said} = state;
		batchesByThread.push(said?.ok ? said.batches : 0);
		if (!active.includes(state)) continue;
		if (said && !said.ok) {
			const error = new EnvelopeError(said.code as EnvelopeErrorCode, said.message);
			failures.push({batch: said.batch, error});
		} else if (!said) {
			// It died (out of memory…) after claiming a batch that may be half written.
			const error = state.error
				? toEnvelopeError(state.error, job.outLabel)
				: new EnvelopeError(
						'io',
						`${job.outLabel}: a worker thread stopped unexpectedly; nothing was written — try again.`,
					);
			failures.push({batch: -1, error});
		}
	}
	const first = failures.sort((a, b) => a.batch - b.batch)[0];
	if (first) throw first.error;
	if (options.signal?.aborted) throw abortError(job.inLabel, options.signal);
	return {batchesByThread};
}
