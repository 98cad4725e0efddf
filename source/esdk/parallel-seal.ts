/**
 * A regular file into the temp file on several threads: the SDK's frames have fixed sizes
 * (a regular frame is F + 32 bytes), so every frame's place in both files follows from its
 * number, and whoever is free claims the next batch of frames from a counter in shared memory,
 * reads it, seals it and writes it at its own offset — the idea of source/envelope/frame-job.ts,
 * for the SDK's frame layout.
 *
 * The signed suite's signature covers the whole message in order: the main thread hashes each
 * batch, read back from the temp file, as soon as it and all before it are written, and seals
 * batches itself whenever the next one to hash is not ready. So on two cores one thread
 * encrypts while the other hashes, and neither waits for long.
 *
 * The worker's code is `esdkFrameKit`'s own text (`new Worker(text, {eval: true})`): it is
 * self-contained, using only the modules it is given, so it runs the same from the bundle and
 * from the sources. The AES key is a KeyObject, cloned into workers without exposing its bytes.
 */
import type * as Crypto from 'node:crypto';
import type {KeyObject} from 'node:crypto';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import {availableParallelism} from 'node:os';
import {setImmediate as nextTurn} from 'node:timers/promises';
import {Worker} from 'node:worker_threads';
import {abortError, changedSize, EnvelopeError, toEnvelopeError} from '../envelope/errors.js';
import {earlyWriteback} from '../envelope/parallel.js';
import type {EsdkSigner} from './sign.js';

/** Below this many bytes one thread is done about when a worker would have booted. */
export const ESDK_PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** Most threads one job uses, the main one included (as frame-job.ts: the copy becomes the limit). */
const MAX_THREADS = 4;

/** How long the main thread works before it lets the event loop run. */
const TURN_MS = 8;

export type EsdkJob = {
	readonly inFd: number;
	readonly outFd: number;
	readonly size: number;
	readonly frameLength: number;
	readonly headerLength: number;
	readonly frames: number;
	readonly framesPerBatch: number;
	readonly batches: number;
	readonly messageId: Uint8Array;
	readonly cipher: string;
	readonly key: KeyObject;
	/** Int32 [next batch, stop], BigInt64 plaintext bytes done at byte 8, Int32 done flags from byte 16. */
	readonly control: SharedArrayBuffer;
};

/** What a thread's failure says: a kind the main thread turns into an EnvelopeError. */
type KitFailure = {kind: 'shrunk' | 'read' | 'write' | 'other'; code?: string; message: string};

type Modules = {readonly crypto: typeof Crypto; readonly fs: typeof fs};

/**
 * Everything a sealing thread runs. Self-contained: it refers to nothing outside its own body
 * but `modules` (its text is the worker's code).
 */
export function esdkFrameKit(modules: Modules) {
	const {createCipheriv} = modules.crypto;
	const {readSync, writevSync} = modules.fs;
	const PIECE = 1024 * 1024;
	const SLICE = 64 * 1024;
	const OVERHEAD = 32;
	const FINAL_EXTRA = 8;
	const WRITE_PIECE = 256 * 1024;
	const collect = (globalThis as {gc?: (options: {type: 'minor'}) => void}).gc;

	function views(job: EsdkJob) {
		return {
			ints: new Int32Array(job.control, 0, 2),
			bytes: new BigInt64Array(job.control, 8, 1),
			done: new Int32Array(job.control, 16, job.batches),
		};
	}

	/** Frames, plaintext and output bytes of batch `batch`. */
	function batchRange(job: EsdkJob, batch: number) {
		const first = batch * job.framesPerBatch + 1;
		const last = Math.min(first + job.framesPerBatch - 1, job.frames);
		const plainStart = (first - 1) * job.frameLength;
		const plainEnd = last === job.frames ? job.size : last * job.frameLength;
		const outStart = job.headerLength + (first - 1) * (job.frameLength + OVERHEAD);
		const frameCount = last - first + 1;
		const outEnd =
			outStart +
			(plainEnd - plainStart) +
			frameCount * OVERHEAD +
			(last === job.frames ? FINAL_EXTRA : 0);
		return {first, last, plainStart, plainEnd, outStart, outEnd};
	}

	function fail(kind: KitFailure['kind'], error?: unknown): never {
		const cause = error as {code?: unknown; message?: unknown} | undefined;
		const failure: KitFailure = {
			kind,
			message: typeof cause?.message === 'string' ? cause.message : kind,
			...(typeof cause?.code === 'string' ? {code: cause.code} : {}),
		};
		throw failure;
	}

	function runner(job: EsdkJob) {
		const {ints, bytes, done} = views(job);
		const iv = Buffer.alloc(12);
		const messageId = Buffer.from(job.messageId);
		const regularAad = Buffer.concat([
			messageId,
			Buffer.from('AWSKMSEncryptionClient Frame'),
			Buffer.alloc(12),
		]);
		const finalAad = Buffer.concat([
			messageId,
			Buffer.from('AWSKMSEncryptionClient Final Frame'),
			Buffer.alloc(12),
		]);
		const input = Buffer.allocUnsafe(Math.min(job.framesPerBatch * job.frameLength, PIECE));
		let batch = -1;
		let finished = 0;

		function readFully(length: number, position: number): Buffer {
			let got = 0;
			while (got < length) {
				let n: number;
				try {
					n = readSync(job.inFd, input, got, length - got, position + got);
				} catch (error) {
					fail('read', error);
				}
				if (n === 0) fail('shrunk');
				got += n;
			}
			return input.subarray(0, length);
		}

		function writeFully(chunks: Buffer[], position: number): number {
			let rest = chunks.length > 256 ? [Buffer.concat(chunks)] : chunks;
			let at = position;
			while (rest.length > 0) {
				let written: number;
				// At most WRITE_PIECE bytes per call (envelope/io.ts: large writes cost more kernel time).
				const group: Buffer[] = [];
				for (let size = 0, index = 0; index < rest.length && size < WRITE_PIECE; index++) {
					const chunk = rest[index] as Buffer;
					const take = Math.min(chunk.length, WRITE_PIECE - size);
					group.push(take === chunk.length ? chunk : chunk.subarray(0, take));
					size += take;
				}
				try {
					written = writevSync(job.outFd, group, at);
				} catch (error) {
					fail('write', error);
				}
				at += written;
				let skip = written;
				let index = 0;
				while (index < rest.length && skip >= (rest[index] as Buffer).length) {
					skip -= (rest[index] as Buffer).length;
					index++;
				}
				rest = rest.slice(index);
				if (skip > 0 && rest.length > 0) rest[0] = (rest[0] as Buffer).subarray(skip);
			}
			return at;
		}

		function begin(sequence: number, length: number, isFinal: boolean, out: Buffer[]) {
			iv.writeUInt32BE(sequence, 8);
			const aad = isFinal ? finalAad : regularAad;
			aad.writeUInt32BE(sequence, aad.length - 12);
			aad.writeUInt32BE(0, aad.length - 8);
			aad.writeUInt32BE(length, aad.length - 4);
			const cipher = createCipheriv(job.cipher as Crypto.CipherGCMTypes, job.key, iv, {
				authTagLength: 16,
			});
			cipher.setAAD(aad);
			const header = Buffer.allocUnsafe(isFinal ? 24 : 16);
			let at = 0;
			if (isFinal) at = header.writeUInt32BE(0xffff_ffff, 0);
			at = header.writeUInt32BE(sequence, at);
			iv.copy(header, at);
			if (isFinal) header.writeUInt32BE(length, at + 12);
			out.push(header);
			return cipher;
		}

		function update(cipher: Crypto.CipherGCM, plain: Buffer, out: Buffer[]) {
			for (let at = 0; at < plain.length; at += SLICE) {
				out.push(cipher.update(plain.subarray(at, Math.min(at + SLICE, plain.length))));
			}
		}

		return {
			get batch() {
				return batch;
			},
			/** Claims and seals one batch; false when none is left or the job was stopped. */
			step(): boolean {
				if (Atomics.load(ints, 1) === 1) return false;
				const claimed = Atomics.add(ints, 0, 1);
				if (claimed >= job.batches) return false;
				batch = claimed;
				const range = batchRange(job, batch);
				const plainLength = range.plainEnd - range.plainStart;
				if (plainLength <= input.length) {
					const plain = readFully(plainLength, range.plainStart);
					const out: Buffer[] = [];
					for (let sequence = range.first, at = 0; sequence <= range.last; sequence++) {
						const isFinal = sequence === job.frames;
						const length = isFinal ? plainLength - at : job.frameLength;
						const cipher = begin(sequence, length, isFinal, out);
						update(cipher, plain.subarray(at, at + length), out);
						cipher.final();
						out.push(cipher.getAuthTag());
						at += length;
					}
					writeFully(out, range.outStart);
				} else {
					// One frame larger than the read buffer: through the cipher in pieces.
					const isFinal = range.first === job.frames;
					const out: Buffer[] = [];
					const cipher = begin(range.first, plainLength, isFinal, out);
					let outAt = range.outStart;
					for (let at = 0; at < plainLength; at += PIECE) {
						const length = Math.min(PIECE, plainLength - at);
						update(cipher, readFully(length, range.plainStart + at), out);
						outAt = writeFully(out.splice(0), outAt);
					}
					cipher.final();
					writeFully([cipher.getAuthTag()], outAt);
				}
				Atomics.add(bytes, 0, BigInt(plainLength));
				Atomics.store(done, batch, 1);
				Atomics.notify(done, batch);
				// Free the cipher's output buffers as they die (envelope/gc.ts; the launcher's
				// --expose-gc reaches workers too): every batch for small frames, whose thousands of
				// small Buffers per batch held peak RSS ~4 MiB higher (1 GiB, 4 KiB frames), else
				// every second one.
				if (++finished % (job.frameLength < 65536 ? 1 : 2) === 0) collect?.({type: 'minor'});
				return true;
			},
		};
	}

	return {views, batchRange, runner};
}

/** The worker's program: the kit's text, then one job, then a report and exit. */
const workerSource = `
const {parentPort} = require('node:worker_threads');
const kit = (${esdkFrameKit.toString()})({crypto: require('node:crypto'), fs: require('node:fs')});
parentPort.once('message', (job) => {
	const runner = kit.runner(job);
	let report;
	try {
		while (runner.step()) {}
		report = {ok: true};
	} catch (failure) {
		Atomics.store(kit.views(job).ints, 1, 1);
		report = {ok: false, batch: runner.batch, failure: {kind: failure?.kind ?? 'other', code: failure?.code, message: String(failure?.message ?? failure)}};
	}
	parentPort.postMessage(report);
	parentPort.close();
});
`;

type WorkerReport =
	| {readonly ok: true}
	| {readonly ok: false; readonly batch: number; readonly failure: KitFailure};

/** Threads for a job of `bytes`: one per core (at most 4) from ESDK_PARALLEL_MIN_BYTES, else 1. */
export function esdkThreadsFor(bytes: number): number {
	if (bytes < ESDK_PARALLEL_MIN_BYTES) return 1;
	return Math.max(1, Math.min(availableParallelism(), MAX_THREADS));
}

/**
 * Seals the whole body of `job` (header already written at 0) on `threads` threads, hashing it in
 * order into `signer` when there is one (read back from `tempPath`). Every worker has stopped
 * when this returns or throws, so the caller may close and delete the files.
 */
export async function sealFileParallel(options: {
	readonly job: Omit<EsdkJob, 'control'>;
	readonly threads: number;
	readonly signer: EsdkSigner | undefined;
	readonly header: Buffer;
	readonly tempPath: string;
	readonly signal: AbortSignal | undefined;
	readonly label: string;
	readonly outLabel: string;
	readonly onBytes: (bytes: number) => void;
}): Promise<void> {
	const {signer, signal, label, outLabel} = options;
	const control = new SharedArrayBuffer(16 + 4 * options.job.batches);
	const job: EsdkJob = {...options.job, control};
	const kit = esdkFrameKit({crypto, fs});
	const {ints, bytes, done} = kit.views(job);
	const failures: {batch: number; error: EnvelopeError}[] = [];
	const toError = (failure: KitFailure): EnvelopeError => {
		if (failure.kind === 'shrunk') return changedSize(label);
		const name = failure.kind === 'write' ? outLabel : label;
		return toEnvelopeError(
			failure.code
				? Object.assign(new Error(failure.message), {code: failure.code})
				: new Error(failure.message),
			name,
		);
	};
	const workers: {exited: Promise<void>; gone: boolean}[] = [];
	for (let thread = 1; thread < options.threads; thread++) {
		let worker: Worker;
		try {
			worker = new Worker(workerSource, {eval: true});
		} catch {
			break; // Resource limits: fewer threads.
		}
		const state = {exited: Promise.resolve(), gone: false};
		state.exited = new Promise<void>((resolve) =>
			worker.once('exit', () => {
				state.gone = true;
				resolve();
			}),
		);
		worker.on('message', (report: WorkerReport) => {
			if (!report.ok) failures.push({batch: report.batch, error: toError(report.failure)});
		});
		worker.on('error', (error) => {
			Atomics.store(ints, 1, 1);
			failures.push({batch: -1, error: toEnvelopeError(error, outLabel)});
		});
		worker.postMessage(job);
		workers.push(state);
	}
	const reader = signer ? fs.openSync(options.tempPath, 'r') : undefined;
	const readBack = Buffer.allocUnsafe(signer ? 1024 * 1024 : 0);
	let reported = 0;
	// The temp file reaches the disk while the job runs, not all at the caller's fsync (see
	// envelope/parallel.ts: the same 1 GiB paid ~0.3 s at the end without it).
	const writeback = earlyWriteback(job.outFd);
	let writebackFailure: unknown;
	const report = () => {
		const now = Number(Atomics.load(bytes, 0));
		if (now > reported) options.onBytes(now - reported);
		reported = now;
		writeback.progress(now);
	};
	try {
		const runner = kit.runner(job);
		let hashed = 0;
		let claimable = true;
		let turnStarted = performance.now();
		while (failures.length === 0) {
			if (signal?.aborted) break;
			if (signer && hashed < job.batches && Atomics.load(done, hashed) === 1) {
				const {outStart, outEnd} = kit.batchRange(job, hashed);
				for (let at = outStart; at < outEnd; ) {
					const n = fs.readSync(
						reader as number,
						readBack,
						0,
						Math.min(readBack.length, outEnd - at),
						at,
					);
					if (n === 0) throw new EnvelopeError('io', `${outLabel}: the temp file ended early.`);
					signer.update(readBack.subarray(0, n));
					at += n;
				}
				hashed++;
			} else if (claimable) {
				try {
					claimable = runner.step();
				} catch (failure) {
					Atomics.store(ints, 1, 1);
					failures.push({batch: runner.batch, error: toError(failure as KitFailure)});
					break;
				}
			} else if (!signer || hashed === job.batches) break;
			else {
				// The next batch to hash is a worker's, still being sealed: wait for it (or a failure).
				// A worker marks its batch done before it exits: gone with the batch still not done
				// means it died in the middle of it (out of memory…).
				if (workers.every((state) => state.gone) && Atomics.load(done, hashed) !== 1) {
					throw new EnvelopeError(
						'io',
						`${outLabel}: a worker thread stopped unexpectedly; nothing was written — try again.`,
					);
				}
				const waiting = (
					Atomics as unknown as {
						waitAsync: (
							a: Int32Array,
							i: number,
							v: number,
							t: number,
						) => {value: Promise<string> | string};
					}
				).waitAsync(done, hashed, 0, 50);
				await waiting.value;
				turnStarted = performance.now();
			}
			report();
			if (performance.now() - turnStarted >= TURN_MS) {
				await nextTurn();
				turnStarted = performance.now();
			}
		}
	} finally {
		// Done, failed or cancelled: every thread stops after its batch, and is waited for.
		Atomics.store(ints, 1, 1);
		await Promise.all(workers.map((state) => state.exited));
		if (reader !== undefined) fs.closeSync(reader);
		// None in flight once this returns or throws: the caller closes the file next.
		writebackFailure = await writeback.settled();
	}
	report();
	const first = failures.sort((a, b) => a.batch - b.batch)[0];
	if (first) throw first.error;
	if (writebackFailure) throw toEnvelopeError(writebackFailure, outLabel);
	if (signal?.aborted) throw abortError(label, signal);
	// Belt and braces: a thread that vanished without a word must not leave a hole in the body.
	if (!done.every((flag) => flag === 1)) {
		throw new EnvelopeError(
			'io',
			`${outLabel}: a worker thread stopped unexpectedly; nothing was written — try again.`,
		);
	}
}
