/**
 * The migration screen's steps, judged from the plan and the world (pure): for each, whether it
 * is done, what it says, and the CLI command that does the same. A step counts as done only when
 * the world says so (the alias points at the new key, no envelope names the old key …), so a
 * resumed migration picks up where things really are; the one that is not done is the current one.
 */
import path from 'node:path';
import type {MigrationPlan, MigrationStepId} from '../migration/plan.js';
import {nextStackNames} from '../migration/plan.js';
import type {RewrapFailure, RewrapOutcome, RewrapProgress} from '../migration/rewrap-files.js';
import type {MigrationWorld} from '../migration/world.js';
import {defaultPendingWindowDays, validatePendingWindow} from '../service/validation.js';

export type MigrationStepStatus = 'done' | 'current' | 'attention' | 'waiting';

export type MigrationStep = {
	readonly id: MigrationStepId;
	readonly title: string;
	readonly status: MigrationStepStatus;
	/** A few words for the step's row. */
	readonly summary: string;
	/** Sentences for the current step. */
	readonly detail: string;
	/** `kms-tui ARGS` doing the same; `stackName` when it acts on another stack than the session's. */
	readonly cli: {readonly args: readonly string[]; readonly stackName?: string};
	/** Said under the CLI line when the command is not quite the same. */
	readonly cliNote?: string;
};

/** How many files a line lists at most (the rest is counted). */
const listed = 3;

export function fileList(files: readonly {relativePath: string}[]): string {
	const names = files.slice(0, listed).map((file) => file.relativePath);
	const more = files.length - names.length;
	return `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

type Draft = Omit<MigrationStep, 'status'> & {
	readonly isDone: boolean;
	readonly isAttention?: boolean;
};

function newKeyStep(plan: MigrationPlan, world: MigrationWorld): Draft {
	const {newKey, newStack} = world;
	// Before c: the first name; a second migration's c finds -next-2… (new-key.ts), then the plan has it.
	const names = nextStackNames(plan.stackName, plan.alias, 1);
	const aliasName = plan.newStackAlias ?? names.aliasName;
	const deploy = {
		args: ['deploy', '--param', `AliasName=${aliasName}`],
		stackName: plan.newStackName ?? names.stackName,
	};
	const base = {id: 'new-key', title: 'New key'} as const;
	if (newKey && newKey.state === 'Enabled' && newKey.arn !== plan.oldKeyArn)
		return {
			...base,
			isDone: true,
			summary: plan.newStackName ? `stack ${plan.newStackName}'s key` : 'the key picked',
			detail: `The new key is ${newKey.keyId}.`,
			cli: plan.newStackName ? deploy : {args: ['key', '--key', newKey.arn]},
		};
	if (plan.newKeyArn)
		return {
			...base,
			isDone: false,
			isAttention: true,
			summary: newKey ? `new key ${newKey.state}` : 'new key gone',
			detail: `The key chosen, ${plan.newKeyArn}, is ${newKey ? newKey.state : 'no longer in KMS'}: it cannot take the alias. Create a new one (c) or pick another (p).`,
			cli: {args: ['key', '--key', plan.newKeyArn]},
		};
	// REVIEW_IN_PROGRESS is a change set never executed (esc at its question): c plans it again.
	const status = newStack?.status ?? '';
	if (status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS')
		return {
			...base,
			isDone: false,
			summary: `stack ${newStack?.name} ${status}`,
			detail: `Stack ${newStack?.name} is ${status}; R looks again.`,
			cli: deploy,
		};
	return {
		...base,
		isDone: false,
		isAttention: newStack !== undefined && status !== 'REVIEW_IN_PROGRESS',
		summary:
			newStack && status !== 'REVIEW_IN_PROGRESS'
				? `stack ${newStack.name} ${status}`
				: 'create or pick one',
		detail: `c deploys KmsKey.yaml again as stack ${deploy.stackName} with its own alias ${aliasName} (the two stacks' aliases must not collide); p picks an existing enabled symmetric key.`,
		cli: deploy,
	};
}

function aliasStep(plan: MigrationPlan, world: MigrationWorld, newKeyRef: string): Draft {
	const owner = world.aliasOwner
		? ` Stack ${world.aliasOwner} owns the alias: its template still says the old key (drift until it is updated or deleted), and deleting ${world.aliasOwner} deletes the alias — use ${plan.newStackAlias ?? 'another alias'} first, or keep ${world.aliasOwner}.`
		: '';
	const isDone = world.newKey !== undefined && world.aliasTarget === world.newKey.keyId;
	return {
		id: 'alias',
		title: 'Point the alias at it',
		isDone,
		summary: isDone
			? `${plan.alias} → new key`
			: `${plan.alias} → ${world.aliasTarget === undefined ? '(no alias)' : world.aliasTarget === world.oldKey?.keyId ? 'old key' : 'another key'}`,
		detail: `Enter points ${plan.alias} at the new key (UpdateAlias); the old key still decrypts what it wrapped.${owner}`,
		cli: {args: ['alias', 'update', plan.alias, '--key', newKeyRef]},
	};
}

export function migrationSteps(
	plan: MigrationPlan,
	world: MigrationWorld,
	cwd: string,
	/** The deletion's waiting period as typed, for its CLI line. */
	days = String(defaultPendingWindowDays),
): MigrationStep[] {
	const root = path.relative(cwd, plan.rootDir) || '.';
	const newKeyRef = world.newKey?.arn ?? plan.newKeyArn ?? 'NEW_KEY';
	const oldKeyId = world.oldKey?.keyId ?? plan.oldKeyArn;
	const under = world.underOldKey;
	const rewrapDone = under.length === 0;
	const verifyDone = rewrapDone && world.unreadable.length === 0 && plan.done.includes('verify');
	const {newKey, env, oldKey} = world;
	const envDone =
		newKey !== undefined &&
		(env.KMS_KEY_ID === newKey.keyId || env.KMS_KEY_ID === newKey.arn) &&
		(env.KMS_KEY_ARN === undefined || env.KMS_KEY_ARN === newKey.arn);
	const drafts: Draft[] = [
		newKeyStep(plan, world),
		aliasStep(plan, world, newKeyRef),
		{
			id: 'rewrap',
			title: 'Re-wrap the envelopes',
			isDone: rewrapDone,
			summary: rewrapDone
				? `none under the old key in ${root}`
				: `${plural(under.length, 'envelope')} under the old key`,
			detail: rewrapDone
				? `No envelope under ${root} names the old key.`
				: `Enter re-wraps ${fileList(under)} under the new key only (KMS ReEncrypt: the data key never leaves KMS; each file's header is rewritten atomically, its data stays as it is).`,
			cli: {args: ['rewrap', root, '--recursive', '--to', newKeyRef]},
			// The command re-wraps every envelope under the root to the new key alone: the same only
			// when every envelope there is under the old key alone.
			cliNote:
				rewrapDone ||
				(world.scan.files.length === under.length && world.unreadable.length === under.length)
					? undefined
					: `That command re-wraps every envelope under ${root} and keeps the new key alone; Enter re-wraps only those naming the old key, and keeps their other keys.`,
		},
		{
			id: 'verify',
			title: 'Verify: nothing needs the old key',
			isDone: verifyDone,
			isAttention: world.unreadable.length > 0,
			summary:
				world.unreadable.length > 0
					? `blast radius ${world.unreadable.length}`
					: verifyDone
						? 'blast radius 0'
						: 'scan again',
			detail:
				world.unreadable.length > 0
					? `${plural(world.unreadable.length, 'envelope')} only the old key opens: ${fileList(world.unreadable)}. Re-wrap them (the step above) before going on.`
					: `Enter scans ${root} again: the old key's blast radius (envelopes only it opens) must be 0 before its deletion is offered.`,
			cli: {args: ['scan', root, '--key', plan.oldKeyArn]},
		},
		{
			id: 'env',
			title: 'Point .env at the new key',
			isDone: envDone,
			summary: envDone
				? 'KMS_KEY_ID is the new key'
				: env.KMS_KEY_ID === undefined
					? 'no KMS_KEY_ID'
					: env.KMS_KEY_ID === oldKey?.keyId || env.KMS_KEY_ID === plan.oldKeyArn
						? 'KMS_KEY_ID is the old key'
						: 'KMS_KEY_ID is another key',
			// A stack's key: .env takes that stack's outputs, alias included, so nothing in .env
			// depends on the alias the first stack owns; a picked key: its id and ARN only.
			detail: plan.newStackName
				? `Enter writes stack ${plan.newStackName}'s outputs into .env, as the command below does: the new key, and ${plan.newStackAlias ?? 'its alias'} as KMS_KEY_ALIAS (the new stack owns it). Other lines stay; .bak kept.`
				: `Enter merges the new key's KMS_KEY_ID and KMS_KEY_ARN into .env (other lines stay; .bak kept). KMS_KEY_ALIAS stays ${plan.alias}, which now names the new key.`,
			cli: plan.newStackName
				? {args: ['outputs', '--write-env'], stackName: plan.newStackName}
				: {args: ['key', '--key', newKeyRef]},
			cliNote: plan.newStackName
				? undefined
				: 'No command writes only these two variables: set KMS_KEY_ID and KMS_KEY_ARN to the values it shows.',
		},
		{
			id: 'retire',
			title: "Schedule the old key's deletion",
			isDone: !oldKey || oldKey.state === 'PendingDeletion',
			summary: !oldKey
				? 'old key deleted'
				: oldKey.state === 'PendingDeletion'
					? `old key pending deletion`
					: `old key ${oldKey.state}`,
			detail:
				oldKey?.state === 'Disabled'
					? `The old key ${oldKeyId} is Disabled: whatever still uses it fails now (\`kms-tui delete-key --enable --key …\` undoes it). s schedules its deletion after 7–30 days (typed confirmation).`
					: `d disables the old key ${oldKeyId} first (recommended: reversible, and whatever still uses it fails now so you find out); s schedules its deletion after 7–30 days (typed confirmation).`,
			cli:
				!oldKey || oldKey.state === 'PendingDeletion'
					? {args: ['delete-key', '--key', plan.oldKeyArn, '--cancel']}
					: oldKey.state === 'Disabled'
						? {
								args: [
									'delete-key',
									'--key',
									plan.oldKeyArn,
									'--days',
									windowProblem(days) ? 'DAYS' : days,
								],
							}
						: {args: ['delete-key', '--key', plan.oldKeyArn, '--disable']},
		},
	];
	// Steps happen in order: one after the current waits, even if the world already has it so
	// (no envelope at all: nothing to re-wrap); it is seen done when the migration gets there.
	const current = drafts.findIndex((draft) => !draft.isDone);
	const statusOf = (draft: Draft, index: number): MigrationStepStatus => {
		if (current === -1 || index < current) return 'done';
		if (index > current) return 'waiting';
		return draft.isAttention ? 'attention' : 'current';
	};
	return drafts.map(({isDone: _isDone, isAttention: _isAttention, ...step}, index) => ({
		...step,
		status: statusOf(drafts[index] as Draft, index),
	}));
}

/** The step to work on: the first not done; undefined when the migration is complete. */
export function currentStep(steps: readonly MigrationStep[]): MigrationStep | undefined {
	return steps.find((step) => step.status === 'current' || step.status === 'attention');
}

/**
 * The plan with `done` as the world shows it now: what the plan file says of each step. Verify
 * stays done only while the steps do (a new envelope under the old key undoes it).
 */
export function withSeenDone(plan: MigrationPlan, steps: readonly MigrationStep[]): MigrationPlan {
	const done = steps.filter((step) => step.status === 'done').map((step) => step.id);
	return samePlan({...plan, done}, plan) ? plan : {...plan, done};
}

export function samePlan(a: MigrationPlan, b: MigrationPlan): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

/** The spinner's words while files are re-wrapped; undefined before the first file. */
export function progressLabel(progress: RewrapProgress | undefined): string | undefined {
	if (!progress?.current) return undefined;
	return `Re-wrapping ${Math.min(progress.done + 1, progress.total)}/${progress.total}: ${progress.current}`;
}

/**
 * What a re-wrap run did, counted: the files it re-wrapped, and those it found no longer under
 * the old key (re-wrapped by hand or by another session since the scan, or removed) — done, not
 * failed. The failures have their own line (failuresLine).
 */
export function rewrapMessage(outcome: RewrapOutcome): string {
	const {alreadyDone} = outcome;
	const rewrapped = outcome.done - outcome.failures.length - alreadyDone.length;
	const found =
		alreadyDone.length === 0
			? ''
			: ` ${alreadyDone.length} no longer under the old key (re-wrapped or removed since the scan), left as ${alreadyDone.length === 1 ? 'it is' : 'they are'}: ${fileList(alreadyDone.map((relativePath) => ({relativePath})))}.`;
	return `Re-wrapped ${rewrapped} of ${outcome.total} under the new key.${found}`;
}

/** The files the last re-wrap left as they were, with why (the first few). */
export function failuresLine(failures: readonly RewrapFailure[]): string {
	const shown = failures.slice(0, listed).map((failure) => `${failure.path}: ${failure.reason}`);
	const more = failures.length - shown.length;
	return `✘ ${failures.length} not re-wrapped (left as they were): ${shown.join('; ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Files the scan could not read as envelopes: they may be envelopes it cannot judge. */
export function problemsLine(problems: readonly {path: string}[], cwd: string): string {
	const files = problems.map((problem) => ({
		relativePath: path.relative(cwd, problem.path) || '.',
	}));
	return `${plural(problems.length, 'file')} could not be read as envelopes: ${fileList(files)}`;
}

/** Why the typed waiting period is not one KMS takes, worded for the field; undefined when it is. */
export function windowProblem(value: string): string | undefined {
	if (value.trim() === '') return 'Enter a number of days (7–30).';
	try {
		validatePendingWindow(Number(value));
		return undefined;
	} catch {
		return `${value} is not a whole number from 7 to 30 days.`;
	}
}
