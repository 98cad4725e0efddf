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
