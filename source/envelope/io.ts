/**
 * Byte sources and sinks for the frame loops. Files are plain descriptors with positional I/O
 * into buffers the caller reuses (no stream machinery, no fresh Buffer per chunk); stdin/stdout
 * are wrapped to the same two calls so the loops do not care which they have.
 *
 * A regular file's small steps are synchronous: open, fstat, close, and reads (of a file, from
 * the page cache: microseconds, as the frame job's reads are, frame-job.ts). Each asynchronous
 * call is a thread-pool round trip (futex wake-ups and an event-loop turn) that costs more CPU
 * than the call itself: for `encrypt -r` on 1,000 files of 4 KiB, the synchronous steps (here,
 * temp-file.ts, output.ts) took the command's CPU from ~3.8 s to ~3.0 s (medians of 4
 * interleaved runs, loaded VM), and bench/many-files.mjs from 0.86× the AWS Encryption SDK's
 * speed to 1.12× (encrypt) and 0.97× to 1.27× (decrypt). Only the file creation (temp-file.ts
 * says why), the bulk writes of large outputs and the fdatasyncs stay on the thread pool.
 * Variant measured and not kept: link, unlink, rename and small writes on the thread pool too
 * (they can wait on an ext4 journal commit): the same figures within the noise.
 */
import {
	closeSync,
	constants,
	fstatSync,
	openSync,
	readSync,
	type Stats,
	statSync,
	writev as writevCallback,
	writevSync,
} from 'node:fs';
import {type FileHandle, open} from 'node:fs/promises';
import path from 'node:path';
import {abortError, toEnvelopeError} from './errors.js';

export type ByteSource = {
	/** Fills `buffer[offset, offset+length)`; returns the bytes read, fewer only at end of input. */
	read(buffer: Buffer, offset: number, length: number): Promise<number>;
	/**
	 * Gives back the last bytes read (ownership passes to the source), so the next read returns
	 * them first. Several calls stack: the last given back is read first.
	 */
	unread(bytes: Buffer): void;
};

export type ByteSink = {
	write(chunks: readonly Buffer[]): Promise<void>;
	/** Resolves once everything written was handed to the OS (streams only). */
	flush?(): Promise<void>;
};

/**
 * A regular file, read with positional reads, synchronously (see the top of this file). Reads
 * of a pipe or FIFO would block: those go through streamSource.
 */
export function fileSource(fd: number): ByteSource {
	let position = 0;
	return {
		async read(buffer, offset, length) {
			let total = 0;
			while (total < length) {
				const bytesRead = readSync(fd, buffer, offset + total, length - total, position);
				if (bytesRead === 0) break;
				total += bytesRead;
				position += bytesRead;
			}
			return total;
		},
		unread(bytes) {
			position -= bytes.length;
		},
	};
}

/** Rejects as soon as `signal` aborts, so a read from an idle stdin cannot hang a cancel. */
function raceAbort<T>(
	promise: Promise<T>,
	signal: AbortSignal | undefined,
	label: string,
): Promise<T> {
	if (!signal) return promise;
	if (signal.aborted) return Promise.reject(abortError(label, signal));
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(abortError(label, signal));
		signal.addEventListener('abort', onAbort, {once: true});
		promise.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}

export function streamSource(
	stream: NodeJS.ReadableStream,
	signal: AbortSignal | undefined,
	label: string,
): ByteSource {
	const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
	const pending: Buffer[] = [];
	let done = false;
	return {
		async read(buffer, offset, length) {
			let total = 0;
			while (total < length) {
				let chunk = pending.pop();
				if (!chunk) {
					if (done) break;
					const next = await raceAbort(iterator.next(), signal, label);
					if (next.done) {
						done = true;
						break;
					}
					chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
				}
				const take = Math.min(chunk.length, length - total);
				chunk.copy(buffer, offset + total, 0, take);
				total += take;
				if (take < chunk.length) pending.push(chunk.subarray(take));
			}
			return total;
		},
		unread(bytes) {
			if (bytes.length > 0) pending.push(bytes);
		},
	};
}

/**
 * Bytes per write syscall. Measured on this project's VM (ext4, kernel 6.x): 1 MiB page-aligned
 * writes cost about twice the kernel time of 256 KiB ones (large page-cache folios are expensive
 * to allocate there); 64 KiB pieces pay too many thread-pool round trips. See docs/FORMAT.md.
 */
export const WRITE_PIECE_BYTES = 256 * 1024;

/** Cuts `chunks` into consecutive groups of at most `limit` bytes (slicing, never copying). */
function pieces(chunks: readonly Buffer[], limit: number): Buffer[][] {
	const groups: Buffer[][] = [];
	let group: Buffer[] = [];
	let size = 0;
	for (let chunk of chunks) {
		while (chunk.length > 0) {
			const take = Math.min(chunk.length, limit - size);
			group.push(chunk.subarray(0, take));
			size += take;
			chunk = chunk.subarray(take);
			if (size === limit) {
				groups.push(group);
				group = [];
				size = 0;
			}
		}
	}
	if (group.length > 0) groups.push(group);
	return groups;
}

/**
 * Writes `group` completely at the file's own offset (a FIFO or a device). Short writes happen
 * on pipes and are rare on files (signals, quotas).
 */
async function writeInOrder(handle: FileHandle, group: Buffer[]): Promise<void> {
	let rest = group;
	while (rest.length > 0) {
		const {bytesWritten} = await handle.writev(rest);
		rest = afterWrite(rest, bytesWritten);
	}
}

function writevAt(fd: number, chunks: readonly Buffer[], position: number): Promise<number> {
	return new Promise((resolve, reject) => {
		writevCallback(fd, chunks, position, (error, written) =>
			error ? reject(error) : resolve(written),
		);
	});
}

/** Writes `chunks` completely at `position` of the file `fd`, on the thread pool. */
export async function writeAllAt(
	fd: number,
	chunks: readonly Buffer[],
	position: number,
): Promise<void> {
	let rest = chunks.filter((chunk) => chunk.length > 0);
	let at = position;
	while (rest.length > 0) {
		const written = await writevAt(fd, rest, at);
		at += written;
		rest = afterWrite(rest, written);
	}
}

/**
 * Writes `chunks` completely at `position` of the file `fd`, synchronously; returns the position
 * after them.
 */
export function writeAllAtSync(fd: number, chunks: readonly Buffer[], position: number): number {
	let rest = chunks.filter((chunk) => chunk.length > 0);
	let at = position;
	while (rest.length > 0) {
		const written = writevSync(fd, rest, at);
		at += written;
		rest = afterWrite(rest, written);
	}
	return at;
}

/**
 * What is left of `chunks` once `written` bytes of them went out: a short write, or a writev
 * that took only the first IOV_MAX (1024) buffers. One pass, no data copied; slicing one buffer
 * off at a time made a batch of 64-byte frames (32 768 buffers) quadratic.
 */
export function afterWrite(chunks: readonly Buffer[], written: number): Buffer[] {
	let skip = written;
	let index = 0;
	while (index < chunks.length && skip >= (chunks[index] as Buffer).length) {
		skip -= (chunks[index] as Buffer).length;
		index++;
	}
	const rest = chunks.slice(index);
	if (skip > 0 && rest.length > 0) rest[0] = (rest[0] as Buffer).subarray(skip);
	return rest;
}

/**
 * Writes up to this many bytes at once synchronously (a header line, a small file's frames:
 * microseconds into the page cache); more goes to the thread pool in WRITE_PIECE_BYTES pieces.
 */
const SYNC_WRITE_MAX_BYTES = 64 * 1024;

/** A regular file written from offset 0 on, in order of the calls. */
export function fileSink(fd: number): ByteSink {
	let position = 0;
	return {
		async write(chunks) {
			let bytes = 0;
			for (const chunk of chunks) bytes += chunk.length;
			if (bytes <= SYNC_WRITE_MAX_BYTES) {
				writeAllAtSync(fd, chunks, position);
				position += bytes;
				return;
			}
			// All pieces go to the thread pool at once (positional, so order does not matter):
			// issuing them one by one would leave each waiting for the busy main thread.
			const pending: Promise<void>[] = [];
			for (const group of pieces(chunks, WRITE_PIECE_BYTES)) {
				pending.push(writeAllAt(fd, group, position));
				for (const chunk of group) position += chunk.length;
			}
			const results = await Promise.allSettled(pending);
			for (const result of results) if (result.status === 'rejected') throw result.reason;
		},
	};
}

/**
 * For an output that is not a regular file (a FIFO, /dev/null, a terminal named by path): one
 * writev per batch, in order, at the file's own offset.
 */
export function sequentialSink(handle: FileHandle): ByteSink {
	return {
		async write(chunks) {
			const group = chunks.filter((chunk) => chunk.length > 0);
			if (group.length > 0) await writeInOrder(handle, group);
		},
	};
}

export function streamSink(stream: NodeJS.WritableStream): ByteSink {
	let failure: unknown;
	let flushed: Promise<void> = Promise.resolve();
	stream.on('error', (error: unknown) => {
		failure ??= error;
	});
	const waitForDrain = () =>
		new Promise<void>((resolve, reject) => {
			const cleanup = () => {
				stream.off('drain', onDrain);
				stream.off('error', onError);
				stream.off('close', onDrain);
			};
			const onDrain = () => {
				cleanup();
				if (failure) reject(failure);
				else resolve();
			};
			const onError = (error: unknown) => {
				cleanup();
				reject(error);
			};
			stream.on('drain', onDrain);
			stream.on('error', onError);
			stream.on('close', onDrain);
		});
	return {
		async write(chunks) {
			if (failure) throw failure;
			let ok = true;
			for (const chunk of chunks) {
				if (chunk.length === 0) continue;
				// The callback of the latest write fires once everything before it was handed on.
				flushed = new Promise<void>((resolve, reject) => {
					ok = stream.write(chunk, (error) => (error ? reject(error) : resolve()));
				});
				flushed.catch(() => {});
			}
			if (!ok) await waitForDrain();
		},
		async flush() {
			if (failure) throw failure;
			await flushed;
		},
	};
}

export type Input = {
	readonly source: ByteSource;
	/** Byte size of a regular file; undefined for stdin, pipes and FIFOs. */
	readonly size: number | undefined;
	/** Base name of a regular file, for default output names. */
	readonly name: string | undefined;
	/** The descriptor of a regular file (for positional reads from several threads). */
	readonly fd?: number;
	/**
	 * Device and inode of the regular file read, stdin's included (`decrypt - -o f.kms --force
	 * < f.kms` must not replace its own input); undefined for pipes, devices and streams without
	 * a descriptor, which writing cannot destroy.
	 */
	readonly identity: {readonly dev: number; readonly ino: number} | undefined;
	close(): Promise<void>;
};

/**
 * A stream the run stopped reading before its end (a failure, a cancel) is destroyed: left
 * flowing, an open stdin pipe would keep the process alive after the run has ended.
 */
function stopReading(stream: NodeJS.ReadableStream): void {
	const readable = stream as {readableEnded?: boolean; destroy?: () => void};
	if (readable.readableEnded !== true) readable.destroy?.();
}

/** Device and inode behind a stream's descriptor (process.stdin has fd 0), if it has one. */
function streamIdentity(stream: NodeJS.ReadableStream): Input['identity'] {
	const {fd} = stream as {fd?: unknown};
	if (typeof fd !== 'number') return undefined;
	try {
		const info = fstatSync(fd);
		return info.isFile() ? {dev: info.dev, ino: info.ino} : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Opens `file` synchronously when it is a regular file (see the top of this file); undefined when
 * it is anything else or cannot be opened, for the caller's asynchronous path to handle (and
 * report). O_NONBLOCK: should the name become a FIFO between the stat and the open, the open
 * returns at once instead of waiting for a writer on the main thread (and the fstat sends it on).
 */
function openRegularFileSync(file: string): {fd: number; info: Stats} | undefined {
	try {
		if (!statSync(file, {throwIfNoEntry: false})?.isFile()) return undefined;
	} catch {
		return undefined;
	}
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
	} catch {
		return undefined;
	}
	try {
		const info = fstatSync(fd);
		if (info.isFile()) return {fd, info};
	} catch {
		// Reported by the asynchronous path, which meets the same error.
	}
	closeSync(fd);
	return undefined;
}

export async function openInput(
	input: string,
	stdin: NodeJS.ReadableStream | undefined,
	signal: AbortSignal | undefined,
	label: string,
): Promise<Input> {
	if (input === '-') {
		const stream = stdin ?? process.stdin;
		const source = streamSource(stream, signal, label);
		const identity = streamIdentity(stream);
		return {
			source,
			size: undefined,
			name: undefined,
			identity,
			close: async () => stopReading(stream),
		};
	}
	const file = openRegularFileSync(input);
	if (file) {
		const {fd, info} = file;
		return {
			source: fileSource(fd),
			size: info.size,
			name: path.basename(input),
			fd,
			identity: {dev: info.dev, ino: info.ino},
			close: async () => closeSync(fd),
		};
	}
	// Not a regular file, or not there: a FIFO must be opened off the main thread (its open
	// waits for a writer), and a missing or unreadable file fails here with its own error.
	let handle: FileHandle | undefined;
	try {
		handle = await open(input, 'r');
		const info = await handle.stat();
		if (info.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'});
		const opened = handle;
		const close = () => opened.close();
		if (info.isFile()) {
			// It became a regular file after openRegularFileSync looked.
			const identity = {dev: info.dev, ino: info.ino};
			const name = path.basename(input);
			const source = fileSource(handle.fd);
			return {source, size: info.size, name, fd: handle.fd, identity, close};
		}
		const stream = handle.createReadStream({autoClose: false, highWaterMark: 1024 * 1024});
		const source = streamSource(stream, signal, label);
		const closeStream = async () => {
			stopReading(stream);
			await close();
		};
		return {source, size: undefined, name: undefined, identity: undefined, close: closeStream};
	} catch (error) {
		await handle?.close().catch(() => {});
		throw toEnvelopeError(error, label);
	}
}
