/**
 * The read-ahead / write-behind loop under both encrypt and decrypt, and its cut into frames.
 */
import {throwIfAborted} from './errors.js';
import {collectShortLivedBuffers} from './gc.js';
import type {ByteSink, ByteSource} from './io.js';

/**
 * The batch loop that encrypt and decrypt share: `batch`-byte reads into two reused buffers, the
 * next read issued before the current batch is transformed (read-ahead), and each batch's output
 * written while the next one is transformed (write-behind). `transform` sees every batch in order,
 * `isLast` on the first short read, and returns the buffers to write.
 */
export async function pumpBatches(options: {
	readonly source: ByteSource;
	readonly sink: ByteSink;
	readonly batch: number;
	readonly signal: AbortSignal | undefined;
	readonly label: string;
	readonly transform: (data: Buffer, isLast: boolean) => Buffer[];
}): Promise<void> {
	const {source, sink, batch, signal, label} = options;
	const buffers = [Buffer.allocUnsafe(batch), Buffer.allocUnsafe(batch)] as const;
	let which = 0;
	let batches = 0;
	let reading = settledLater(source.read(buffers[0], 0, batch));
	let writing: Promise<void> = Promise.resolve();
	try {
		for (;;) {
			const n = await reading;
			const current = buffers[which] as Buffer;
			which ^= 1;
			const isLast = n < batch;
			if (!isLast) reading = settledLater(source.read(buffers[which] as Buffer, 0, batch));
			throwIfAborted(label, signal);
			const out = options.transform(current.subarray(0, n), isLast);
			// Every second batch: free the previous batches' cipher output (see gc.ts).
			if (++batches % 2 === 0) collectShortLivedBuffers();
			await writing;
			writing = settledLater(sink.write(out));
			if (isLast) break;
		}
		await writing;
	} catch (error) {
		// Let in-flight I/O settle before the caller closes and unlinks the files.
		await Promise.allSettled([reading, writing]);
		throw error;
	}
}

/**
 * Marks `promise` as handled and returns it unchanged. The loop always holds one read and one
 * write in flight but awaits only one at a time: without this, the other one failing meanwhile
 * (a full disk, a closed pipe, a cancel) is an unhandled rejection, and Node exits at once,
 * before the caller can delete its temp file. The loop still awaits (and throws) every failure.
 */
function settledLater<T>(promise: Promise<T>): Promise<T> {
	promise.catch(() => {});
	return promise;
}

/** Bytes per read and per writev. 1 MiB+ batches are what made Node fast (perf-anchors §5). */
export const IO_BATCH_BYTES = 1024 * 1024;

/** Whole frames of `frameBytes` per batch: as many as fit in IO_BATCH_BYTES, at least one. */
export function framesPerBatch(frameBytes: number): number {
	return Math.max(1, Math.floor(IO_BATCH_BYTES / frameBytes));
}

/**
 * pumpBatches cut into frames of `frameBytes`: every full frame, then on the last read the
 * final one (shorter, possibly empty), each handed to `onFrame` with its number. What
 * `onFrame` pushes to `out` is written.
 */
export async function pumpFrames(options: {
	readonly source: ByteSource;
	readonly sink: ByteSink;
	readonly frameBytes: number;
	readonly signal: AbortSignal | undefined;
	readonly label: string;
	readonly onFrame: (bytes: Buffer, index: number, isFinal: boolean, out: Buffer[]) => void;
	/** Called with each batch's output once all its frames went through, before it is written. */
	readonly onBatch?: (out: readonly Buffer[]) => void;
}): Promise<void> {
	const {frameBytes, onFrame} = options;
	let index = 0;
	await pumpBatches({
		...options,
		batch: framesPerBatch(frameBytes) * frameBytes,
		transform: (data, isLast) => {
			const out: Buffer[] = [];
			let offset = 0;
			for (; data.length - offset >= frameBytes; offset += frameBytes) {
				onFrame(data.subarray(offset, offset + frameBytes), index++, false, out);
			}
			if (isLast) onFrame(data.subarray(offset), index++, true, out);
			options.onBatch?.(out);
			// Small frames make thousands of tiny buffers per batch: one copy lets them die young.
			return out.length > 256 ? [Buffer.concat(out)] : out;
		},
	});
}
