/**
 * The counts a run over many files ends with, and the one line that says them:
 * `12 encrypted, 1 skipped (already an envelope), 2 failed`. Files the run never reached
 * (cancelled) and files cancelled in flight are counted apart, so an interrupted run says
 * exactly what is left to do.
 */
import {type FileOutcome, NOT_STARTED} from './run-batch.js';

export type BatchCounts = {
	readonly done: number;
	readonly skipped: number;
	readonly failed: number;
	/** Of `skipped`: never started because the run was cancelled. */
	readonly notStarted: number;
	/** Of `failed`: cancelled while in flight (nothing of them was written). */
	readonly interrupted: number;
	/** Skip reasons (not-started excluded), with how many files had each. */
	readonly skipReasons: ReadonlyMap<string, number>;
};

export function countOutcomes(
	outcomes: readonly FileOutcome<unknown>[],
	extraFailures = 0,
): BatchCounts {
	let done = 0;
	let skipped = 0;
	let failed = extraFailures;
	let notStarted = 0;
	let interrupted = 0;
	const skipReasons = new Map<string, number>();
	for (const outcome of outcomes) {
		if (outcome.status === 'done') done++;
		else if (outcome.status === 'failed') {
			failed++;
			if (outcome.code === 'aborted') interrupted++;
		} else {
			skipped++;
			if (outcome.reason === NOT_STARTED) notStarted++;
			else skipReasons.set(outcome.reason, (skipReasons.get(outcome.reason) ?? 0) + 1);
		}
	}
	return {done, skipped, failed, notStarted, interrupted, skipReasons};
}

const pastTenses: Record<string, string> = {
	encrypt: 'encrypted',
	decrypt: 'decrypted',
	rewrap: 're-wrapped',
	inspect: 'inspected',
	scan: 'scanned',
};

export function pastTense(verb: string): string {
	return pastTenses[verb] ?? `${verb}ed`;
}

export function summaryLine(counts: BatchCounts, verb: string): string {
	const parts = [`${counts.done} ${pastTense(verb)}`];
	const reasonSkips = counts.skipped - counts.notStarted;
	if (reasonSkips > 0) {
		const reasons = [...counts.skipReasons];
		const why =
			reasons.length === 1
				? (reasons[0]?.[0] ?? '')
				: reasons.map(([reason, n]) => `${n} ${reason}`).join(', ');
		parts.push(`${reasonSkips} skipped (${why})`);
	}
	const plainFailures = counts.failed - counts.interrupted;
	if (plainFailures > 0) parts.push(`${plainFailures} failed`);
	if (counts.interrupted > 0) parts.push(`${counts.interrupted} cancelled in flight (not written)`);
	if (counts.notStarted > 0) parts.push(`${counts.notStarted} not started`);
	return parts.join(', ');
}
