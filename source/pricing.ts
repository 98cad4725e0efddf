/**
 * What a KMS key costs a month, estimated from the one price table below and what CloudTrail
 * showed of the key's use. Prices change and differ by Region: the table names its source and
 * date, and every figure derived from it is labelled an estimate, with its arithmetic.
 * Dependency-free: the CLI and the Activity screen both use it.
 */

/** AWS KMS pricing, us-east-1, as of 2026 (the one place kms-tui keeps prices). */
export const kmsPricing = {
	label: 'AWS KMS pricing, us-east-1, as of 2026',
	url: 'https://aws.amazon.com/kms/pricing/',
	/** A customer managed key, per month. */
	keyPerMonth: 1,
	/** Each rotated key material version, per month, for the first `billedRotations` rotations. */
	rotationPerMonth: 1,
	billedRotations: 2,
	/** Symmetric-key API requests. */
	perTenThousandRequests: 0.03,
	/** Free requests a month per account (the free tier). */
	freeRequestsPerMonth: 20_000,
} as const;

const monthMs = 30 * 86_400_000;
/**
 * The shortest window a rate is extrapolated from: the few calls of a key made a minute ago are
 * no monthly rate (they would make 400,000 requests a month out of 10).
 */
export const minimumRateWindowMs = 3_600_000;

export type CostInput = {
	/** Rotations the key has had (ListKeyRotations). */
	readonly rotations: number;
	/** KMS requests on the key seen in the window. */
	readonly requests: number;
	/** How long the window that saw them lasted, in ms. */
	readonly windowMs: number;
};

export type CostEstimate = {
	readonly isEstimate: true;
	readonly pricing: typeof kmsPricing;
	readonly keyCost: number;
	readonly billedRotations: number;
	readonly rotationCost: number;
	readonly requestsSeen: number;
	readonly windowMs: number;
	/** The request rate seen, extrapolated to 30 days. */
	readonly requestsPerMonth: number;
	/** After the free tier, as if this key were the account's only user of it. */
	readonly billableRequests: number;
	readonly requestCost: number;
	readonly totalPerMonth: number;
	/** The arithmetic, one line per part, for a terminal. */
	readonly lines: readonly string[];
};

export function dollars(amount: number): string {
	return amount < 0.01 && amount > 0 ? `$${amount.toFixed(4)}` : `$${amount.toFixed(2)}`;
}

function count(value: number): string {
	return Math.round(value).toLocaleString('en-US');
}

function span(ms: number): string {
	const hours = ms / 3_600_000;
	if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
	if (hours < 48) return `${Math.round(hours)} h`;
	return `${Math.round(hours / 24)} days`;
}

export function estimateMonthlyCost(input: CostInput): CostEstimate {
	const pricing = kmsPricing;
	const billedRotations = Math.min(input.rotations, pricing.billedRotations);
	const rotationCost = billedRotations * pricing.rotationPerMonth;
	const windowMs = Math.max(input.windowMs, 0);
	const rateWindowMs = Math.max(windowMs, minimumRateWindowMs);
	const requestsPerMonth = Math.round((input.requests * monthMs) / rateWindowMs);
	const billableRequests = Math.max(0, requestsPerMonth - pricing.freeRequestsPerMonth);
	const requestCost = (billableRequests / 10_000) * pricing.perTenThousandRequests;
	const keyCost = pricing.keyPerMonth;
	const totalPerMonth = keyCost + rotationCost + requestCost;
	const lines = [
		`key        1 × ${dollars(pricing.keyPerMonth)}/month = ${dollars(keyCost)}`,
		`rotations  ${input.rotations} so far, the first ${pricing.billedRotations} billed: ${billedRotations} × ${dollars(pricing.rotationPerMonth)}/month = ${dollars(rotationCost)}`,
		`requests   ${count(input.requests)} in ${span(windowMs)}${windowMs < rateWindowMs ? ' (counted as 1 h)' : ''} → ${count(requestsPerMonth)} in 30 days; ${count(pricing.freeRequestsPerMonth)} free → ${count(billableRequests)} × ${dollars(pricing.perTenThousandRequests)}/10,000 = ${dollars(requestCost)}`,
		`total      ${dollars(totalPerMonth)}/month (an estimate: ${pricing.label}, ${pricing.url}; the free tier is shared by the account's keys)`,
	];
	return {
		isEstimate: true,
		pricing,
		keyCost,
		billedRotations,
		rotationCost,
		requestsSeen: input.requests,
		windowMs,
		requestsPerMonth,
		billableRequests,
		requestCost,
		totalPerMonth,
		lines,
	};
}
