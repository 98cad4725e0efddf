/**
 * A worker thread's side of a shared frame job (frame-job.ts): run batches until none is left,
 * then say how it ended. The build bundles this file on its own and embeds the text, which
 * parallel.ts starts with `new Worker(text, {eval: true})` (no file to find next to the bundle).
 */
import {parentPort, workerData} from 'node:worker_threads';
import {EnvelopeError} from './errors.js';
import {batchRunner, type FrameJob, stopJob} from './frame-job.js';

/** What a worker posts once, when it stops. */
export type WorkerReport =
	| {readonly ok: true; readonly batches: number}
	| {readonly ok: false; readonly batch: number; readonly code: string; readonly message: string};

const {job, thread} = workerData as {job: FrameJob; thread: number};
const runner = batchRunner(job, thread);
let report: WorkerReport;
try {
	while (runner.step()) {}
	report = {ok: true, batches: runner.finished};
} catch (error) {
	stopJob(job.control);
	const code = error instanceof EnvelopeError ? error.code : 'io';
	const message = error instanceof Error ? error.message : String(error);
	report = {ok: false, batch: runner.batch, code, message};
}
parentPort?.postMessage(report);
