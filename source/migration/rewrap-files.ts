/**
 * The re-wrap step: every envelope that names the old key gets its data key wrapped under the
 * new key in place of the old one (KMS ReEncrypt: the data key never leaves KMS). Its other
 * wrappings stay: a file that also opens under a recovery key keeps that key (`--to NEW` would
 * drop it); for the usual file, wrapped under the old key alone, it is the same.
 *
 * A few files at a time (a ReEncrypt is a round trip to KMS: on AWS the wait, not the work, is
 * what a file costs), progress per file, and a cancel starts no new file. Each file is replaced
 * atomically by rewrapFile, so one that fails (or is cut short) stays exactly as it was and is
 * listed with its reason — none is lost, and running the step again picks up what is left.
 *
 * The list comes from a scan made earlier (when the screen was opened or last refreshed), and
 * the files may have changed since: re-wrapped by hand (`kms-tui rewrap --to NEW`), by another
 * session, or removed. So each file's header is read again when its turn comes, and one that no
 * longer names the old key is done — there is nothing left to do for it — not failed.
 */
import {closeSync, constants, openSync} from 'node:fs';
import type {DataKeyProvider} from '../envelope/data-key-provider.js';
import {rewrapFile} from '../envelope/rewrap.js';
import {FIRST_READ_BYTES, readHeader} from '../scan/read-header.js';

export type RewrapFailure = {readonly path: string; readonly reason: string};

export type RewrapProgress = {
	/** Files finished: re-wrapped, failed, or found already done. */
	readonly done: number;
	readonly total: number;
	/** A file being re-wrapped now (relative to the root). */
	readonly current?: string;
	readonly failures: readonly RewrapFailure[];
	/** Files that no longer named the old key when their turn came (relative to the root). */
	readonly alreadyDone?: readonly string[];
};

export type RewrapOutcome = RewrapProgress & {readonly alreadyDone: readonly string[]};

/** Files in flight at once: enough to hide KMS latency, few enough to stay under its rate limits. */
export const rewrapConcurrency = 4;

/**
 * Does the file still need re-wrapping, by its header as it is now? False when it is gone, is no
 * envelope any more, or names no AWS KMS wrapping under `keyArn`. A file whose header cannot be
 * read is left to rewrapFile, which says why it fails.
 */
export function isStillUnder(file: string, keyArn: string): boolean {
	let fd: number;
	try {
		// O_NONBLOCK: a FIFO put in the file's place must not hang the step (as the scan does).
		fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
	} catch (error) {
		return (error as NodeJS.ErrnoException).code !== 'ENOENT';
	}
	try {
		const header = readHeader(fd, Buffer.allocUnsafe(FIRST_READ_BYTES), file);
		if (header.kind === 'other') return false;
		if (header.kind === 'bad') return true;
		return header.keys.some((key) => key.provider === 'aws-kms' && key.keyArn === keyArn);
	} catch {
		return true;
	} finally {
		closeSync(fd);
	}
}

export async function rewrapFiles(
	files: readonly {readonly path: string; readonly relativePath: string}[],
	options: {
		readonly provider: DataKeyProvider;
		readonly fromKeyArn: string;
		readonly toKeyArn: string;
		readonly signal: AbortSignal;
		readonly onProgress: (progress: RewrapProgress) => void;
		readonly concurrency?: number;
	},
): Promise<RewrapOutcome> {
	const failures: RewrapFailure[] = [];
	const alreadyDone: string[] = [];
	const {signal, fromKeyArn} = options;
	let done = 0;
	let next = 0;
	const report = (current?: string) =>
		options.onProgress({
			done,
			total: files.length,
			current,
			failures: [...failures],
			alreadyDone: [...alreadyDone],
		});
	const worker = async () => {
		for (let file = files[next++]; file !== undefined; file = files[next++]) {
			signal.throwIfAborted();
			report(file.relativePath);
			if (!isStillUnder(file.path, fromKeyArn)) alreadyDone.push(file.relativePath);
			else {
				try {
					await rewrapFile(file.path, {
						addKeys: [options.toKeyArn],
						removeKeys: [fromKeyArn],
						provider: options.provider,
						signal,
					});
				} catch (error) {
					if (signal.aborted) throw error;
					// Changed between the look above and rewrapFile's own read (or while it ran):
					// rewrapFile left it as it now is, and as it now is it needs nothing more.
					if (!isStillUnder(file.path, fromKeyArn)) alreadyDone.push(file.relativePath);
					else
						failures.push({
							path: file.relativePath,
							reason: error instanceof Error ? error.message : String(error),
						});
				}
			}
			done++;
		}
	};
	const count = Math.max(1, Math.min(options.concurrency ?? rewrapConcurrency, files.length));
	// Every worker runs to its end (a cancel makes each stop at its next file) before this returns,
	// so no rewrapFile is still replacing a file when the caller reads the world again.
	const outcomes = await Promise.allSettled(Array.from({length: count}, worker));
	const failed = outcomes.find((outcome) => outcome.status === 'rejected');
	if (failed) throw failed.reason;
	report();
	return {done, total: files.length, failures: [...failures], alreadyDone: [...alreadyDone]};
}
