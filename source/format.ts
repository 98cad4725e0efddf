/** Presentation helpers shared by the CLI commands and the TUI screens. */

let displayClock: () => number = Date.now;

/**
 * "Now" for dates shown to the user: the real clock, or the sandbox's clock when the session is
 * the sandbox, whose clock `kms-tui sandbox advance` moves ahead. Relative phrases such as
 * "(in 7 days)" must count from the clock that set the date, or an advanced sandbox would show a
 * deletion date 444 days away.
 */
export function displayNow(): number {
	return displayClock();
}

/**
 * Makes `clock` the "now" of displayed dates until the returned function restores the previous
 * one. Only the composition root (source/session.ts) calls this, when it opens a sandbox session.
 */
export function setDisplayClock(clock: () => number): () => void {
	const previous = displayClock;
	displayClock = clock;
	return () => {
		if (displayClock === clock) displayClock = previous;
	};
}

/** `2026-12-01 16:50 UTC (in 7 days)`: the exact time and how far away it is. */
export function formatDate(date: Date | undefined, now = displayNow()): string {
	if (!date) return '-';
	const iso = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
	const days = Math.round((date.getTime() - now) / 86_400_000);
	if (days === 0) return `${iso} (today)`;
	return days > 0
		? `${iso} (in ${days} day${days === 1 ? '' : 's'})`
		: `${iso} (${-days} day${days === -1 ? '' : 's'} ago)`;
}
