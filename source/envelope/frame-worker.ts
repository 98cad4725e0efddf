/**
 * A worker thread's side of a shared frame job (frame-job.ts): wait for the job (it is started
 * before the key exists), run batches until none is left, then say how it ended and exit. The
 * build bundles this file on its own and embeds the text, which parallel.ts starts with
 * `new Worker(text, {eval: true})` (no file to find next to the bundle).
 */
import {parentPort} from 'node:worker_threads';
import {EnvelopeError} from './errors.js';
import {batchRunner, type FrameJob, stopJob} from './frame-job.js';

/** What a worker posts once, when it stops. */
export type WorkerReport =
	| {readonly ok: true; readonly batches: number}
	| {readonly ok: false; readonly batch: number; readonly code: string; readonly message: string};

/** The one message a worker receives. The KeyObject in `job` is cloned, never its bytes exposed. */
export type WorkerRequest = {readonly job: FrameJob; readonly thread: number};

function run({job, thread}: WorkerRequest): WorkerReport {
	const runner = batchRunner(job, thread);
	try {
		while (runner.step()) {}
		return {ok: true, batches: runner.finished};
	} catch (error) {
		stopJob(job.control);
		const code = error instanceof EnvelopeError ? error.code : 'io';
		const message = error instanceof Error ? error.message : String(error);
		return {ok: false, batch: runner.batch, code, message};
	}
}

// Once the report is posted the port closes and the thread exits.
parentPort?.once('message', (request: WorkerRequest) => {
	parentPort?.postMessage(run(request));
	parentPort?.close();
});
