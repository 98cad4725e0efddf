import {describe, expect, test} from 'vitest';
import {throughput} from '../../source/envelope/index.js';
import {rateText} from '../../source/hooks/envelope-errors.js';

describe('throughput', () => {
	test('is measured from the first report, so KMS and start-up time do not count', () => {
		const first = {done: 1_000_000, at: 5_000};
		// 100 MB more in 0.1 s: 1000 MB/s, whatever happened before the first report.
		const rate = throughput({done: 101_000_000, total: 1_001_000_000, at: 5_100}, first);
		expect(rate?.megabytesPerSecond).toBeCloseTo(1000);
		expect(rate?.secondsLeft).toBe(1);
		expect(rateText({done: 101_000_000, total: 1_001_000_000, at: 5_100}, first)).toBe(
			'1000.0 MB/s, 1 s left',
		);
	});

	test('says nothing until there is a rate', () => {
		expect(throughput({done: 1_000_000, at: 5_000}, undefined)).toBeUndefined();
		expect(throughput({done: 1_000_000, at: 5_000}, {done: 1_000_000, at: 5_000})).toBeUndefined();
		expect(
			rateText({done: 1_000_000, total: 2_000_000, at: 5_000}, {done: 1_000_000, at: 5_000}),
		).toBe('');
	});

	test('has no time left once everything is done, or when the size is unknown', () => {
		const first = {done: 0, at: 0};
		expect(throughput({done: 10_000_000, total: 10_000_000, at: 1000}, first)).toEqual({
			megabytesPerSecond: 10,
		});
		expect(rateText({done: 10_000_000, at: 1000}, first)).toBe('10.0 MB/s');
	});
});
