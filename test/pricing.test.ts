/**
 * The monthly cost estimate: the one price table applied to the key, its rotations (only the
 * first two bill) and the request rate seen, extrapolated to 30 days, with the arithmetic shown.
 */
import {describe, expect, it} from 'vitest';
import {estimateMonthlyCost, kmsPricing} from '../source/pricing.js';

const hour = 3_600_000;
const day = 24 * hour;

describe('estimateMonthlyCost', () => {
	it('names its source and date, and says it is an estimate', () => {
		expect(kmsPricing).toMatchObject({
			label: 'AWS KMS pricing, us-east-1, as of 2026',
			url: 'https://aws.amazon.com/kms/pricing/',
			keyPerMonth: 1,
			rotationPerMonth: 1,
			billedRotations: 2,
			perTenThousandRequests: 0.03,
			freeRequestsPerMonth: 20_000,
		});
		const estimate = estimateMonthlyCost({rotations: 0, requests: 0, windowMs: day});
		expect(estimate.isEstimate).toBe(true);
		expect(estimate.totalPerMonth).toBe(1);
		expect(estimate.lines.at(-1)).toBe(
			"total      $1.00/month (an estimate: AWS KMS pricing, us-east-1, as of 2026, https://aws.amazon.com/kms/pricing/; the free tier is shared by the account's keys)",
		);
	});

	it('bills the first two rotations only', () => {
		expect(estimateMonthlyCost({rotations: 1, requests: 0, windowMs: day}).rotationCost).toBe(1);
		const five = estimateMonthlyCost({rotations: 5, requests: 0, windowMs: day});
		expect(five.billedRotations).toBe(2);
		expect(five.totalPerMonth).toBe(3);
		expect(five.lines[1]).toBe('rotations  5 so far, the first 2 billed: 2 × $1.00/month = $2.00');
	});

	it('extrapolates the rate seen to 30 days, after the free tier', () => {
		// 10,000 requests a day → 300,000 a month; 280,000 billable × $0.03 / 10,000 = $0.84.
		const busy = estimateMonthlyCost({rotations: 0, requests: 10_000, windowMs: day});
		expect(busy.requestsPerMonth).toBe(300_000);
		expect(busy.billableRequests).toBe(280_000);
		expect(busy.requestCost).toBeCloseTo(0.84, 10);
		expect(busy.totalPerMonth).toBeCloseTo(1.84, 10);
		expect(busy.lines[2]).toBe(
			'requests   10,000 in 24 h → 300,000 in 30 days; 20,000 free → 280,000 × $0.03/10,000 = $0.84',
		);
		// Under the free tier: nothing to pay for requests.
		expect(estimateMonthlyCost({rotations: 0, requests: 600, windowMs: day}).requestCost).toBe(0);
	});

	it('counts a window shorter than an hour as an hour, and says so', () => {
		const burst = estimateMonthlyCost({rotations: 0, requests: 10, windowMs: 60_000});
		expect(burst.requestsPerMonth).toBe(7200);
		expect(burst.lines[2]).toMatch(
			/^requests {3}10 in 1 min \(counted as 1 h\) → 7,200 in 30 days/,
		);
	});
});
