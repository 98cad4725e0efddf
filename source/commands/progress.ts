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
