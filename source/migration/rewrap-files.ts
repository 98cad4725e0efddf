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
 */
import type {DataKeyProvider} from '../envelope/data-key-provider.js';
import {rewrapFile} from '../envelope/rewrap.js';

export type RewrapFailure = {readonly path: string; readonly reason: string};

export type RewrapProgress = {
	readonly done: number;
	readonly total: number;
	/** A file being re-wrapped now (relative to the root). */
	readonly current?: string;
	readonly failures: readonly RewrapFailure[];
};

/** Files in flight at once: enough to hide KMS latency, few enough to stay under its rate limits. */
export const rewrapConcurrency = 4;

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
): Promise<RewrapProgress> {
	const failures: RewrapFailure[] = [];
	const {signal} = options;
	let done = 0;
	let next = 0;
	const report = (current?: string) =>
		options.onProgress({done, total: files.length, current, failures: [...failures]});
	const worker = async () => {
		for (let file = files[next++]; file !== undefined; file = files[next++]) {
			signal.throwIfAborted();
			report(file.relativePath);
			try {
				await rewrapFile(file.path, {
					addKeys: [options.toKeyArn],
					removeKeys: [options.fromKeyArn],
					provider: options.provider,
					signal,
				});
			} catch (error) {
				if (signal.aborted) throw error;
				failures.push({
					path: file.relativePath,
					reason: error instanceof Error ? error.message : String(error),
				});
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
	return {done, total: files.length, failures: [...failures]};
}
