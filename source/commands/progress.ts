/**
 * A one-line progress bar with MB/s and ETA on stderr, drawn only when stderr is a terminal
 * (pipes and logs get nothing, so scripts stay clean).
 */
export type ProgressBar = {update(done: number, total?: number): void; finish(): void};

const width = 24;

export function progressBar(
	stream: NodeJS.WriteStream,
	label: string,
	now: () => number = Date.now,
): ProgressBar {
	if (!stream.isTTY) return {update: () => undefined, finish: () => undefined};
	const started = now();
	let drawn = false;
	return {
		update(done, total) {
			const seconds = Math.max((now() - started) / 1000, 0.001);
			const rate = done / seconds;
			const mbps = `${(rate / 1e6).toFixed(1)} MB/s`;
			let line: string;
			if (total && total > 0) {
				const fraction = Math.min(done / total, 1);
				const filled = Math.round(fraction * width);
				const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
				line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${mbps}  ETA ${eta}s`;
			} else {
				line = `${label} ${(done / 1e6).toFixed(1)} MB  ${mbps}`;
			}
			stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\u001B[K`);
			drawn = true;
		},
		finish() {
			if (drawn) stream.write('\r\u001B[K');
		},
	};
}
