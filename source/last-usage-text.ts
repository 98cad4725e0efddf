/**
 * "last used" in words, for `kms-tui key` and the key screen: "GenerateDataKey, 2 minutes ago",
 * "never (tracking since …)", or why it is not known. Dependency-free (types only).
 */
import type {KeyLastUsage} from './service/types.js';

/** `45 seconds`, `2 minutes`, `3 hours`, `5 days`: the largest whole unit. */
export function howLong(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	const [amount, unit] =
		seconds < 60
			? [seconds, 'second']
			: seconds < 3600
				? [Math.floor(seconds / 60), 'minute']
				: seconds < 86_400
					? [Math.floor(seconds / 3600), 'hour']
					: [Math.floor(seconds / 86_400), 'day'];
	return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

function day(date: Date): string {
	return date.toISOString().slice(0, 10);
}

export function lastUsageText(usage: KeyLastUsage, now: number): string {
	if (!usage.isReported) return `not reported (${usage.reason})`;
	if (usage.operation && usage.at) {
		return `${usage.operation}, ${howLong(now - usage.at.getTime())} ago`;
	}
	if (usage.operation) return usage.operation;
	const since = usage.trackingStartDate;
	// A key created before tracking started may have been used before it: "not since", not "never".
	if (since && usage.keyCreationDate && usage.keyCreationDate < since) {
		return `not since tracking started (${day(since)}); earlier use is not tracked`;
	}
	return since ? `never (tracking since ${day(since)})` : 'never';
}
