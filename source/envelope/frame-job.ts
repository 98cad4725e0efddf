/**
 * The frame loop for a regular file in and a regular file out (the common case: `encrypt f`,
 * `decrypt f.kms`), written so that several threads can share one job.
 *
 * Every frame's place in both files follows from its number alone (docs/FORMAT.md §5: full
 * sealed frames are F + 16 bytes), so the body is cut into batches of whole frames, and whoever
 * is free claims the next batch from a counter in shared memory, reads it with one positional
 * read, seals or opens its frames, and writes the result at its own offset. Batches finish in
 * any order; the output is a temp file that is only moved into place once every thread is done.
 *
 * A step is synchronous (`readSync`, cipher, `writevSync`): no thread-pool round trips, which on
 * our 2-core VM cost about a third of the CPU time of the asynchronous loop (pump.ts, still used
 * for stdin, stdout and devices). The main thread runs steps between event-loop turns
 * (parallel.ts); worker threads (frame-worker.ts) run them back to back.
 *
 * Nothing here holds raw key bytes: the AES key is a KeyObject, which Node clones into a worker
 * without exposing its bytes to JavaScript.
 */
import type {KeyObject} from 'node:crypto';
import {readSync} from 'node:fs';
import {changedSize, EnvelopeError, toEnvelopeError} from './errors.js';
import {TAG_BYTES} from './format.js';
import {frameCipher, frameFailed} from './frame-cipher.js';
import {collectShortLivedBuffers} from './gc.js';
import {writeAllAtSync} from './io.js';

export type FrameJob = {
	/** seal = encrypt (plaintext in, sealed frames out); open = decrypt. */
	readonly mode: 'seal' | 'open';
	readonly inFd: number;
	readonly outFd: number;
	/** Names used in messages: the input as the user gave it, and the output's final path. */
	readonly inLabel: string;
	readonly outLabel: string;
	/** Offset of frame 0 in the input and in the output (the header line's length on the sealed side). */
	readonly inStart: number;
	readonly outStart: number;
	readonly frameSize: number;
	/** Plaintext bytes in all: the frame count and the final frame's size follow from it. */
	readonly plaintextSize: number;
	readonly framesPerBatch: number;
	readonly key: KeyObject;
	readonly nonceBase: Uint8Array;
	/** SHA-256 of the header text (part of every frame's AAD). */
	readonly digest: Uint8Array;
	/** From createControl(): the batch counter, the stop flag and the bytes done. */
	readonly control: SharedArrayBuffer;
};

/**
 * Most threads one job uses, the main thread included. Each worker costs ~20 MiB of memory (its
 * own V8 isolate), and past a few threads the copy through the page cache, not AES, is the limit.
 */
export const MAX_THREADS = 4;

// Layout of the control block: Int32 [next batch, stop, claimed by thread 0 … MAX_THREADS−1],
// then one BigInt64 of plaintext bytes done.
const NEXT = 0;
const STOP = 1;
const CLAIMED = 2;
const BYTES_OFFSET = 48;

export function createControl(): SharedArrayBuffer {
	return new SharedArrayBuffer(BYTES_OFFSET + 8);
}

function views(control: SharedArrayBuffer) {
	return {
		ints: new Int32Array(control, 0, CLAIMED + MAX_THREADS),
		done: new BigInt64Array(control, BYTES_OFFSET, 1),
	};
}

/** Asks every thread to stop after its current batch (an error or a cancel somewhere). */
export function stopJob(control: SharedArrayBuffer): void {
	Atomics.store(views(control).ints, STOP, 1);
}

/** Plaintext bytes sealed or opened so far, by all threads. */
export function bytesDone(control: SharedArrayBuffer): number {
	return Number(Atomics.load(views(control).done, 0));
}

/**
 * Whether thread `thread` ever tried to claim a batch. One that had not when the job was stopped
 * never will (see step), so it cannot touch the files again.
 */
export function hasClaimed(control: SharedArrayBuffer, thread: number): boolean {
	return Atomics.load(views(control).ints, CLAIMED + thread) === 1;
}

/** Frames of a message of `plaintextSize` bytes: every full frame, then the final one (0 … F−1 bytes). */
export function frameCount(plaintextSize: number, frameSize: number): number {
	return Math.floor(plaintextSize / frameSize) + 1;
}

export type BatchRunner = {
	/** Claims and finishes one batch; false when none is left or the job was stopped. Throws EnvelopeError. */
	step(): boolean;
	/** The batch being (or last) worked on: -1 before the first. */
	readonly batch: number;
	/** Batches this runner finished. */
	readonly finished: number;
};

/** A runner for thread number `thread` (0 = the main thread) of `job`. */
export function batchRunner(job: FrameJob, thread: number): BatchRunner {
	const {ints, done} = views(job.control);
	const sealing = job.mode === 'seal';
	const sealedFrame = job.frameSize + TAG_BYTES;
	const inFrame = sealing ? job.frameSize : sealedFrame;
	const outFrame = sealing ? sealedFrame : job.frameSize;
	const frames = frameCount(job.plaintextSize, job.frameSize);
	const batches = Math.ceil(frames / job.framesPerBatch);
	/** Bytes of input the whole job reads (every batch but the last is full, so none needs more). */
	const inputSpan = job.plaintextSize + (sealing ? 0 : frames * TAG_BYTES);
	const cipher = frameCipher(
		{key: job.key, nonceBase: Buffer.from(job.nonceBase)},
		Buffer.from(job.digest),
	);
	let input: Buffer | undefined;
	let batch = -1;
	let finished = 0;

	/** Plaintext bytes of frame `n`. */
	const plainBytes = (n: number) =>
		n === frames - 1 ? job.plaintextSize % job.frameSize : job.frameSize;

	function readFully(buffer: Buffer, length: number, position: number): void {
		let got = 0;
		while (got < length) {
			let n: number;
			try {
				n = readSync(job.inFd, buffer, got, length - got, position + got);
			} catch (error) {
				throw toEnvelopeError(error, job.inLabel);
			}
			if (n === 0) throw shrunk();
			got += n;
		}
	}

	function shrunk(): EnvelopeError {
		return sealing
			? changedSize(job.inLabel)
			: new EnvelopeError(
					'truncated',
					`${job.inLabel}: the file became shorter while it was being decrypted; nothing was written.`,
				);
	}

	function writeFully(chunks: Buffer[], position: number): void {
		try {
			writeAllAtSync(job.outFd, chunks, position);
		} catch (error) {
			throw toEnvelopeError(error, job.outLabel);
		}
	}

	return {
		get batch() {
			return batch;
		},
		get finished() {
			return finished;
		},
		step() {
			// Marked before the stop check: the main thread stops the job, then waits only for
			// threads marked by then, and a thread marked later is sure to see the stop.
			Atomics.store(ints, CLAIMED + thread, 1);
			if (Atomics.load(ints, STOP) === 1) return false;
			const claimed = Atomics.add(ints, NEXT, 1);
			if (claimed >= batches) return false;
			batch = claimed;
			const first = batch * job.framesPerBatch;
			const end = Math.min(first + job.framesPerBatch, frames);
			let length = (end - first - 1) * inFrame + plainBytes(end - 1);
			if (!sealing) length += TAG_BYTES;
			// No larger than the job's input: a 4 KiB file must not take a 1 MiB buffer (a batch of
			// a thousand small files made a GiB of them for the collector to chase).
			input ??= Buffer.allocUnsafe(Math.max(1, Math.min(job.framesPerBatch * inFrame, inputSpan)));
			readFully(input, length, job.inStart + first * inFrame);
			const out: Buffer[] = [];
			let bytes = 0;
			for (let frame = first, at = 0; frame < end; frame++) {
				const size = plainBytes(frame) + (sealing ? 0 : TAG_BYTES);
				const data = input.subarray(at, at + size);
				const isFinal = frame === frames - 1;
				if (sealing) bytes += cipher.seal(data, frame, isFinal, out);
				else {
					const opened = cipher.open(data, frame, isFinal, out);
					if (opened === undefined)
						throw frameFailed(job.inLabel, frame, isFinal, 'Nothing was written.');
					bytes += opened;
				}
				at += size;
			}
			// Small frames make thousands of tiny buffers: one copy beats a writev over all of them.
			writeFully(out.length > 256 ? [Buffer.concat(out)] : out, job.outStart + first * outFrame);
			Atomics.add(done, 0, BigInt(bytes));
			// Every second batch: free the previous batches' cipher output (see gc.ts).
			if (++finished % 2 === 0) collectShortLivedBuffers();
			return true;
		},
	};
}
