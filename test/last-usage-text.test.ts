/** "last used" in words, as `kms-tui key` and the key screen show it. */
import {describe, expect, it} from 'vitest';
import {howLong, lastUsageText} from '../source/last-usage-text.js';

const now = Date.parse('2026-12-01T12:00:00Z');

describe('lastUsageText', () => {
	it('names the operation and how long ago', () => {
		const at = new Date(now - 125_000);
		expect(lastUsageText({isReported: true, operation: 'GenerateDataKey', at}, now)).toBe(
			'GenerateDataKey, 2 minutes ago',
		);
		expect(howLong(1000)).toBe('1 second');
		expect(howLong(3 * 86_400_000 + 5)).toBe('3 days');
	});

	it('says never, with the tracking start, or that earlier use is not tracked', () => {
		const created = new Date('2026-11-01T00:00:00Z');
		expect(
			lastUsageText({isReported: true, trackingStartDate: created, keyCreationDate: created}, now),
		).toBe('never (tracking since 2026-11-01)');
		expect(
			lastUsageText(
				{
					isReported: true,
					trackingStartDate: new Date('2026-11-15T00:00:00Z'),
					keyCreationDate: created,
				},
				now,
			),
		).toBe('not since tracking started (2026-11-15); earlier use is not tracked');
	});

	it('says why it is not reported', () => {
		expect(
			lastUsageText(
				{isReported: false, reason: 'this endpoint does not implement GetKeyLastUsage'},
				now,
			),
		).toBe('not reported (this endpoint does not implement GetKeyLastUsage)');
	});
});
