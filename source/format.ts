/** Presentation helpers shared by the CLI commands and the TUI screens. */

/** `2026-12-01 16:50 UTC (in 7 days)`: the exact time and how far away it is. */
export function formatDate(date: Date | undefined, now = Date.now()): string {
	if (!date) return '-';
	const iso = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
	const days = Math.round((date.getTime() - now) / 86_400_000);
	if (days === 0) return `${iso} (today)`;
	return days > 0
		? `${iso} (in ${days} day${days === 1 ? '' : 's'})`
		: `${iso} (${-days} day${days === -1 ? '' : 's'} ago)`;
}
