/**
 * A one-line progress bar with MB/s and ETA on stderr, drawn only when stderr is a terminal
 * (pipes and logs get nothing, so scripts stay clean) and the data is not written to that same
 * terminal (the bar would run into the plaintext: `decrypt f.kms -o - --force`).
 */
import {fstatSync, statSync} from 'node:fs';
import {throughput} from '../envelope/index.js';

/**
 * Whether `destination` (an -o path, '-' for stdout, undefined for a file next to the input)
 * is the terminal stderr writes to: the same character device.
 */
export function sharesTerminal(destination: string | undefined, stderrFd = 2): boolean {
	if (destination === undefined) return false;
	try {
		const bar = fstatSync(stderrFd);
		const data = destination === '-' ? fstatSync(1) : statSync(destination);
		return bar.isCharacterDevice() && data.isCharacterDevice() && bar.rdev === data.rdev;
	} catch {
		return false;
	}
}

export type ProgressBar = {update(done: number, total?: number): void; finish(): void};

const width = 24;

export function progressBar(
	stream: NodeJS.WriteStream,
	label: string,
	now: () => number = Date.now,
	isSilenced = false,
): ProgressBar {
	if (!stream.isTTY || isSilenced) return {update: () => undefined, finish: () => undefined};
	let first: {done: number; at: number} | undefined;
	let drawn = false;
	return {
		update(done, total) {
			const at = now();
			first ??= {done, at};
			// Measured from the first report: KMS and start-up time are not throughput.
			const rate = throughput({done, total, at}, first);
			const mbps = rate ? `  ${rate.megabytesPerSecond.toFixed(1)} MB/s` : '';
			let line: string;
			if (total && total > 0) {
				const fraction = Math.min(done / total, 1);
				const filled = Math.round(fraction * width);
				const eta = rate?.secondsLeft === undefined ? '' : `  ETA ${rate.secondsLeft}s`;
				line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%${mbps}${eta}`;
			} else {
				line = `${label} ${(done / 1e6).toFixed(1)} MB${mbps}`;
			}
			stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\u001B[K`);
			drawn = true;
		},
		finish() {
			if (drawn) stream.write('\r\u001B[K');
		},
	};
}

export type BatchProgressBar = {
	/** Bytes processed since the last call, by any file in flight. */
	bytes(n: number): void;
	/** One more file settled (done, skipped or failed). */
	file(): void;
	/** Clears the bar so that a line can be printed; the next update draws it again. */
	clear(): void;
	finish(): void;
};

/** Redraws at most this often: a thousand 4 KiB files must not cost a thousand terminal writes. */
const batchRedrawMs = 100;

/**
 * One bar for a run over many files: files settled of the total, bytes, MB/s and ETA (from the
 * bytes when the sizes are known, which they are: the walker stat()ed every file).
 */
export function batchProgressBar(
	stream: NodeJS.WriteStream,
	label: string,
	totals: {readonly files: number; readonly bytes: number},
	now: () => number = Date.now,
): BatchProgressBar {
	if (!stream.isTTY) {
		return {bytes: () => undefined, file: () => undefined, clear: () => undefined, finish() {}};
	}
	const startedAt = now();
	let files = 0;
	let bytes = 0;
	let drawnAt = Number.NEGATIVE_INFINITY;
	let drawn = false;
	const draw = (force: boolean) => {
		const at = now();
		// Cleared for a line: drawn again at the next update, whatever the time.
		if (!force && drawn && at - drawnAt < batchRedrawMs) return;
		drawnAt = at;
		const seconds = (at - startedAt) / 1000;
		const fraction = totals.bytes > 0 ? Math.min(bytes / totals.bytes, 1) : files / totals.files;
		const filled = Math.round(fraction * width);
		const rate = seconds > 0.2 ? bytes / 1e6 / seconds : undefined;
		const mbps = rate === undefined ? '' : `  ${rate.toFixed(1)} MB/s`;
		const left =
			fraction > 0 && seconds > 0.5 ? Math.round((seconds / fraction) * (1 - fraction)) : undefined;
		const eta = left === undefined || files === totals.files ? '' : `  ETA ${left}s`;
		const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${files}/${totals.files} files  ${(bytes / 1e6).toFixed(1)} MB${mbps}${eta}`;
		stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\u001B[K`);
		drawn = true;
	};
	return {
		bytes(n) {
			bytes += n;
			draw(false);
		},
		file() {
			files++;
			draw(files === totals.files);
		},
		clear() {
			if (drawn) stream.write('\r\u001B[K');
			drawn = false;
		},
		finish() {
			if (drawn) stream.write('\r\u001B[K');
			drawn = false;
		},
	};
}
