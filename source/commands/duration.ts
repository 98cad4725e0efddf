import {UsageError} from './command-error.js';

const unitMs = {
	ms: 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
	w: 604_800_000,
} as const;

/**
 * Parses a human duration such as `7d`, `36h`, `1d12h` or `90m` into milliseconds.
 * A bare number is refused: `7` could mean days or seconds, and guessing wrong moves time badly.
 */
export function parseDuration(text: string): number {
	const trimmed = text.trim().toLowerCase();
	const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
	let total = 0;
	let consumed = 0;
	for (const match of trimmed.matchAll(pattern)) {
		if (match.index !== consumed) break;
		const amount = Number(match[1]);
		total += amount * unitMs[match[2] as keyof typeof unitMs];
		consumed += match[0].length;
	}
	if (consumed === 0 || consumed !== trimmed.length || total <= 0) {
		throw new UsageError(
			`"${text}" is not a duration. Use a number with a unit: 7d, 36h, 1d12h, 90m, 30s (units ms s m h d w).`,
		);
	}
	return Math.round(total);
}

export function formatDuration(ms: number): string {
	const parts: string[] = [];
	let rest = Math.round(ms / 1000);
	for (const [unit, size] of [
		['d', 86_400],
		['h', 3600],
		['m', 60],
		['s', 1],
	] as const) {
		const amount = Math.floor(rest / size);
		if (amount > 0) parts.push(`${amount}${unit}`);
		rest -= amount * size;
	}
	return parts.length > 0 ? parts.join('') : '0s';
}
