/**
 * The plan of a key migration (the seeds' manual rotation, made safe): which alias moves from
 * which key to which, where the envelopes are, and which steps were seen done. It is what the
 * migration screen writes after each step, so that esc can leave at any point and reopening
 * resumes; the world is checked again on resume, so the plan only says what was decided, never
 * what is true now. Pure: no I/O here (plan-file.ts reads and writes it).
 */

/** The steps, in the order they must happen. */
export const migrationStepIds = ['new-key', 'alias', 'rewrap', 'verify', 'env', 'retire'] as const;

export type MigrationStepId = (typeof migrationStepIds)[number];

export type MigrationPlan = {
	readonly version: 1;
	/** The alias that moves (e.g. alias/kms-tui-demo). */
	readonly alias: string;
	/** The key the alias pointed at when the migration started. */
	readonly oldKeyArn: string;
	/** The key it moves to, once created or picked. */
	readonly newKeyArn?: string;
	/** The second stack deployed for the new key (set before its deployment starts). */
	readonly newStackName?: string;
	/** That stack's own alias (its AliasName parameter). */
	readonly newStackAlias?: string;
	/** The stack the session works on (which owns the alias when it made it). */
	readonly stackName: string;
	/** Where the envelopes to re-wrap are looked for (absolute). */
	readonly rootDir: string;
	/** Steps seen done; only `verify` depends on it (a scan the user asked for), see migration-steps.ts. */
	readonly done: readonly MigrationStepId[];
};

export function newPlan(fields: {
	alias: string;
	oldKeyArn: string;
	stackName: string;
	rootDir: string;
}): MigrationPlan {
	return {version: 1, ...fields, done: []};
}

/** The plan with `step` recorded as done (once). */
export function markDone(plan: MigrationPlan, step: MigrationStepId): MigrationPlan {
	return plan.done.includes(step) ? plan : {...plan, done: [...plan.done, step]};
}

/** The plan without `step` done: the world said otherwise (e.g. a new envelope under the old key). */
export function markUndone(plan: MigrationPlan, step: MigrationStepId): MigrationPlan {
	return plan.done.includes(step) ? {...plan, done: plan.done.filter((id) => id !== step)} : plan;
}

const arnPattern = /^arn:[\w-]+:kms:[\w-]+:\d{12}:key\/[\w-]+$/;

/**
 * A plan read back from a file, or why it is not one. Strict: a hand-edited or truncated file is
 * refused rather than half-trusted, since the plan decides which key is offered for deletion.
 */
export function parsePlan(value: unknown): MigrationPlan | string {
	if (typeof value !== 'object' || value === null) return 'it is not a JSON object';
	const plan = value as Record<string, unknown>;
	if (plan.version !== 1) return `version ${String(plan.version)} is not 1`;
	for (const name of ['alias', 'oldKeyArn', 'stackName', 'rootDir'] as const)
		if (typeof plan[name] !== 'string' || plan[name] === '') return `${name} is missing`;
	if (!String(plan.alias).startsWith('alias/')) return 'alias does not start with alias/';
	if (!arnPattern.test(String(plan.oldKeyArn))) return 'oldKeyArn is not a KMS key ARN';
	if (plan.newKeyArn !== undefined && !arnPattern.test(String(plan.newKeyArn)))
		return 'newKeyArn is not a KMS key ARN';
	for (const name of ['newStackName', 'newStackAlias'] as const)
		if (plan[name] !== undefined && typeof plan[name] !== 'string')
			return `${name} is not a string`;
	if (
		!Array.isArray(plan.done) ||
		!plan.done.every((step) => (migrationStepIds as readonly unknown[]).includes(step))
	)
		return 'done is not a list of step names';
	return plan as unknown as MigrationPlan;
}

/**
 * The stack and alias names for the new key's own deployment of KmsKey.yaml: `<stack>-next` with
 * `<alias>-next` (its own alias, so the two stacks' Alias resources never collide), then `-next-2`…
 * for a second migration, whose `-next` stack holds the key being left.
 */
export function nextStackNames(
	stackName: string,
	alias: string,
	attempt: number,
): {stackName: string; aliasName: string} {
	const suffix = attempt <= 1 ? '-next' : `-next-${attempt}`;
	// A stack that was itself a -next one gets a fresh suffix, not -next-next.
	const stackBase = stackName.replace(/-next(-\d+)?$/, '');
	const aliasBase = alias.replace(/-next(-\d+)?$/, '');
	return {stackName: `${stackBase}${suffix}`, aliasName: `${aliasBase}${suffix}`};
}
