/**
 * The regular frames of a framed message file opened by several threads into the temp file.
 * A regular frame's place in both files follows from its number (header + (n−1)·(16 + L + 16)
 * in the message, (n−1)·L in the plaintext), so threads claim batches of frames from a shared
 * counter and each does a positional read, opens the frames and a positional write, all
 * synchronous. The final frame and the footer are left to the streaming reader (body-read.ts),
 * which starts at the final frame's sequence number. When several frames are bad, the error
 * names the lowest, whichever thread found it.
 */
import type {KeyObject} from 'node:crypto';
import {readSync, writevSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {Worker} from 'node:worker_threads';
import {EnvelopeError, throwIfAborted, toEnvelopeError} from '../envelope/errors.js';
import {earlyWriteback} from '../envelope/parallel.js';

export type RegularFramesJob = {
	readonly inFd: number;
	readonly outFd: number;
	readonly key: KeyObject;
	readonly cipher: string;
	readonly messageId: Uint8Array;
	readonly frameLength: number;
	/** Where frame 1 starts in the message file. */
	readonly bodyStart: number;
	/** Frames 1 … regularFrames are opened here. */
	readonly regularFrames: number;
	readonly framesPerBatch: number;
};

/** Shared Int32 slots: the next batch, the lowest bad frame (0: none), its kind, the stop flag. */
const NEXT = 0;
const BAD_FRAME = 1;
const BAD_KIND = 2;
const STOP = 3;

/**
 * Opens claimed batches until none is left or STOP is set. Self-contained (no imports, no
 * closure): its source text is also the worker's code. `crypto` and `fs` are node:crypto/node:fs.
 */
function openClaimedBatches(
	job: RegularFramesJob,
	state: Int32Array,
	crypto: typeof import('node:crypto'),
	fs: {readSync: typeof readSync; writevSync: typeof writevSync},
	once: boolean,
): void {
	const sealed = 4 + 12 + job.frameLength + 16;
	const batches = Math.ceil(job.regularFrames / job.framesPerBatch);
	const buffer = Buffer.allocUnsafe(job.framesPerBatch * sealed);
	const label = Buffer.from('AWSKMSEncryptionClient Frame', 'utf8');
	const id = Buffer.from(job.messageId);
	const aad = Buffer.alloc(id.length + label.length + 12);
	id.copy(aad, 0);
	label.copy(aad, id.length);
	const at = id.length + label.length;
	aad.writeUInt32BE(Math.floor(job.frameLength / 2 ** 32), at + 4);
	aad.writeUInt32BE(job.frameLength >>> 0, at + 8);
	const fail = (frame: number, kind: number) => {
		for (;;) {
			const current = Atomics.load(state, 1);
			if (current !== 0 && current <= frame) break;
			if (Atomics.compareExchange(state, 1, current, frame) === current) {
				Atomics.store(state, 2, kind);
				break;
			}
		}
		Atomics.store(state, 3, 1);
	};
	for (;;) {
		if (Atomics.load(state, 3) !== 0) return;
		const batch = Atomics.add(state, 0, 1);
		if (batch >= batches) return;
		const first = batch * job.framesPerBatch + 1;
		const count = Math.min(job.framesPerBatch, job.regularFrames - first + 1);
		const length = count * sealed;
		let got = 0;
		while (got < length) {
			const n = fs.readSync(
				job.inFd,
				buffer,
				got,
				length - got,
				job.bodyStart + (first - 1) * sealed + got,
			);
			if (n === 0) break;
			got += n;
		}
		if (got < length) {
			fail(first, 3);
			return;
		}
		const out: Buffer[] = [];
		for (let i = 0; i < count; i++) {
			const frame = first + i;
			const base = i * sealed;
			// Sequence number, then the IV: eight zero bytes and the sequence number again.
			if (
				buffer.readUInt32BE(base) !== frame ||
				buffer.readUInt32BE(base + 4) !== 0 ||
				buffer.readUInt32BE(base + 8) !== 0 ||
				buffer.readUInt32BE(base + 12) !== frame
			) {
				fail(frame, 2);
				return;
			}
			const decipher = crypto.createDecipheriv(
				job.cipher as 'aes-256-gcm',
				job.key,
				buffer.subarray(base + 4, base + 16),
				{
					authTagLength: 16,
				},
			);
			aad.writeUInt32BE(frame, at);
			decipher.setAAD(aad);
			decipher.setAuthTag(buffer.subarray(base + 16 + job.frameLength, base + sealed));
			const pieces: Buffer[] = [];
			for (let off = 0; off < job.frameLength; off += 65536) {
				pieces.push(
					decipher.update(
						buffer.subarray(base + 16 + off, base + 16 + Math.min(off + 65536, job.frameLength)),
					),
				);
			}
			try {
				decipher.final();
			} catch {
				fail(frame, 1);
				return;
			}
			for (const piece of pieces) out.push(piece);
		}
		let position = (first - 1) * job.frameLength;
		let rest = out.length > 256 ? [Buffer.concat(out)] : out;
		while (rest.length > 0) {
			let written = fs.writevSync(job.outFd, rest, position);
			position += written;
			const next: Buffer[] = [];
			for (const chunk of rest) {
				if (written >= chunk.length) written -= chunk.length;
				else {
					next.push(written > 0 ? chunk.subarray(written) : chunk);
					written = 0;
				}
			}
			rest = next;
		}
		// Free the batch's cipher output young (see envelope/gc.ts; --expose-gc from the launcher).
		(globalThis as {gc?: (options: {type: 'minor'}) => void}).gc?.({type: 'minor'});
		if (once) return;
	}
}

/** Regular frames worth a second thread (below this one thread streams faster). */
export const PARALLEL_FRAMES_BYTES = 16 * 1024 * 1024;

export async function openRegularFrames(
	job: RegularFramesJob,
	options: {label: string; signal: AbortSignal | undefined; onBytes: (bytes: number) => void},
): Promise<void> {
	const state = new Int32Array(new SharedArrayBuffer(4 * 4));
	const workers: Worker[] = [];
	const threads = Math.min(2, availableParallelism());
	const crypto = await import('node:crypto');
	const fs = {readSync, writevSync};
	for (let i = 1; i < threads; i++) {
		try {
			workers.push(
				new Worker(
					`const {workerData, parentPort} = require('node:worker_threads');
(${openClaimedBatches.toString()})(workerData.job, workerData.state, require('node:crypto'), require('node:fs'), false);
parentPort.postMessage('done');`,
					{eval: true, workerData: {job, state}},
				),
			);
		} catch {
			// No worker: this thread opens every batch.
		}
	}
	const exited = workers.map(
		(worker) =>
			new Promise<void>((resolve) => {
				worker.once('error', () => Atomics.store(state, STOP, 1));
				worker.once('exit', () => resolve());
			}),
	);
	const batches = Math.ceil(job.regularFrames / job.framesPerBatch);
	let reported = 0;
	// The output reaches the disk while the job runs, not all at the caller's fsync (see
	// envelope/parallel.ts: the same 1 GiB paid ~0.3 s at the end without it).
	const writeback = earlyWriteback(job.outFd);
	try {
		// This thread takes batches too, one per event-loop turn so that a cancel is heard.
		while (Atomics.load(state, STOP) === 0 && Atomics.load(state, NEXT) < batches) {
			throwIfAborted(options.label, options.signal);
			openClaimedBatches(job, state, crypto, fs, true);
			// Progress: batches claimed by any thread (each is done or nearly so).
			const claimed = Math.min(Atomics.load(state, NEXT), batches);
			options.onBytes((claimed - reported) * job.framesPerBatch * job.frameLength);
			reported = claimed;
			writeback.progress(claimed * job.framesPerBatch * job.frameLength);
			await new Promise((resolve) => setImmediate(resolve));
		}
	} catch (error) {
		Atomics.store(state, STOP, 1);
		await Promise.all(exited);
		await writeback.settled();
		throw error;
	}
	await Promise.all(exited);
	// None in flight once this returns: the caller writes the tail, fsyncs and closes the file.
	const writebackFailure = await writeback.settled();
	throwIfAborted(options.label, options.signal);
	const bad = Atomics.load(state, BAD_FRAME);
	if (bad !== 0 || Atomics.load(state, NEXT) < batches) {
		const kind = Atomics.load(state, BAD_KIND);
		const what =
			kind === 1
				? `frame ${bad} failed authentication — the file was modified, truncated or is corrupt`
				: kind === 2
					? `frame ${bad} is out of order or has an unexpected IV — the file was modified or is corrupt`
					: `frame ${bad} could not be read or written`;
		throw new EnvelopeError(
			kind === 3 ? 'io' : 'tampered',
			`${options.label}: ${what}. Nothing was written.`,
		);
	}
	if (writebackFailure) throw toEnvelopeError(writebackFailure, options.label);
}
