/**
 * A one-line progress bar with MB/s and ETA on stderr, drawn only when stderr is a terminal
 * (pipes and logs get nothing, so scripts stay clean).
 */
import {throughput} from '../envelope/index.js';

export type ProgressBar = {update(done: number, total?: number): void; finish(): void};

const width = 24;

export function progressBar(
	stream: NodeJS.WriteStream,
	label: string,
	now: () => number = Date.now,
): ProgressBar {
	if (!stream.isTTY) return {update: () => undefined, finish: () => undefined};
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
