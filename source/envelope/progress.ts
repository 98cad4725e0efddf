/** Progress for encrypt and decrypt: how often the caller's callback hears of the bytes done. */

export type ProgressCallback = (done: number, total?: number) => void;

/**
 * Calls `onProgress` after the first batch (so a bar appears at once), then at most every 64 MiB or
 * 100 ms, and once at the end.
 */
export function progressReporter(
	onProgress: ProgressCallback | undefined,
	total: number | undefined,
) {
	let done = 0;
	let reportedBytes = 0;
	let reportedAt = Number.NEGATIVE_INFINITY;
	return {
		add(bytes: number) {
			done += bytes;
			if (!onProgress) return;
			const now = performance.now();
			if (done - reportedBytes >= 64 * 1024 * 1024 || now - reportedAt >= 100) {
				reportedBytes = done;
				reportedAt = now;
				onProgress(done, total);
			}
		},
		finish() {
			onProgress?.(done, total);
		},
		get done() {
			return done;
		},
	};
}

/**
 * Throughput for a progress display, measured from a `baseline` report (the first one) rather
 * than from the start: start-up and the KMS round trip are not I/O, and counting them made the
 * first frames of a large file say "13 MB/s, 40 s left". Undefined until there is a rate.
 */
export function throughput(
	report: {readonly done: number; readonly total?: number | undefined; readonly at: number},
	baseline: {readonly done: number; readonly at: number} | undefined,
): {readonly megabytesPerSecond: number; readonly secondsLeft?: number} | undefined {
	if (!baseline || report.at <= baseline.at || report.done <= baseline.done) return undefined;
	const perSecond = ((report.done - baseline.done) / (report.at - baseline.at)) * 1000;
	const {total} = report;
	return {
		megabytesPerSecond: perSecond / 1e6,
		...(total !== undefined && total > report.done
			? {secondsLeft: Math.ceil((total - report.done) / perSecond)}
			: {}),
	};
}
