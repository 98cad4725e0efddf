/**
 * A counting semaphore: at most `capacity` holders at once, the rest wait in arrival order. A
 * batch uses one to let a single large file at a time run its frame job on every core while the
 * small files around it keep their KMS requests in flight on the main thread.
 */
export type Limiter = {
	/** Runs `task` once a slot is free; the slot is given back however it ends. */
	run<T>(task: () => Promise<T>): Promise<T>;
};

export function createLimiter(capacity: number): Limiter {
	let active = 0;
	const waiting: (() => void)[] = [];
	return {
		async run(task) {
			if (active >= capacity) await new Promise<void>((resolve) => waiting.push(resolve));
			else active++;
			try {
				return await task();
			} finally {
				// The slot passes straight to the next waiter, so `active` never drops in between.
				const next = waiting.shift();
				if (next) next();
				else active--;
			}
		},
	};
}
