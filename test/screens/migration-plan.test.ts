/**
 * The migration's pure parts and its plan file: the plan (parse, steps done, the next stack's
 * names), the file in the state directory (real files in a temp dir), the steps judged from a
 * plan and a world, and the screen's reducer.
 */
import {mkdtemp, readdir, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
	markDone,
	markUndone,
	newPlan,
	nextStackNames,
	parsePlan,
} from '../../source/migration/plan.js';
import {
	PlanFileError,
	planPath,
	readPlan,
	removePlan,
	writePlan,
} from '../../source/migration/plan-file.js';
import type {MigrationWorld} from '../../source/migration/world.js';
import type {ScannedFile} from '../../source/scan/scan.js';
import {initialMigrationState, migrationReducer} from '../../source/screens/migration-state.js';
import {
	currentStep,
	failuresLine,
	migrationSteps,
	problemsLine,
	progressLabel,
	windowProblem,
	withSeenDone,
} from '../../source/screens/migration-steps.js';
import type {KeyInfo} from '../../source/service/index.js';
import {stateDir} from '../../source/state-dir.js';

const oldArn = 'arn:aws:kms:us-east-1:000000000000:key/11111111-1111-1111-1111-111111111111';
const newArn = 'arn:aws:kms:us-east-1:000000000000:key/22222222-2222-2222-2222-222222222222';
const sandbox = {kind: 'sandbox', region: 'us-east-1', sandboxDir: '/tmp/sb'} as const;

function key(arn: string, state: KeyInfo['state'] = 'Enabled'): KeyInfo {
	return {
		keyId: arn.slice(arn.lastIndexOf('/') + 1),
		arn,
		region: 'us-east-1',
		accountId: '000000000000',
		state,
		enabled: state === 'Enabled',
		description: '',
		keySpec: 'SYMMETRIC_DEFAULT',
		keyUsage: 'ENCRYPT_DECRYPT',
		origin: 'AWS_KMS',
		keyManager: 'CUSTOMER',
	};
}

function envelope(relativePath: string, arns: string[]): ScannedFile {
	return {
		path: `/work/${relativePath}`,
		relativePath,
		kind: 'kms-v2',
		keys: arns.map((keyArn) => ({keyArn, provider: 'aws-kms'})),
		bytes: 100,
	};
}

function world(overrides: Partial<MigrationWorld> = {}): MigrationWorld {
	return {
		oldKey: key(oldArn),
		aliasTarget: key(oldArn).keyId,
		oldKeyAliases: [],
		scan: {files: [], problems: [], isTruncated: false, filesSeen: 0},
		underOldKey: [],
		unreadable: [],
		env: {},
		...overrides,
	};
}

const plan = newPlan({
	alias: 'alias/app',
	oldKeyArn: oldArn,
	stackName: 'KmsKey',
	rootDir: '/work',
});

describe('the migration plan', () => {
	it('parses back what it wrote and refuses anything else, saying why', () => {
		const full = {...markDone({...plan, newKeyArn: newArn, newStackName: 'KmsKey-next'}, 'verify')};
		expect(parsePlan(JSON.parse(JSON.stringify(full)))).toEqual(full);
		expect(parsePlan([])).toBe('version undefined is not 1');
		expect(parsePlan({...plan, oldKeyArn: 'alias/app'})).toBe('oldKeyArn is not a KMS key ARN');
		expect(parsePlan({...plan, alias: 'app'})).toBe('alias does not start with alias/');
		expect(parsePlan({...plan, done: ['deploy']})).toBe('done is not a list of step names');
		expect(parsePlan({...plan, rootDir: ''})).toBe('rootDir is missing');
	});

	it('records a step once and forgets it when the world says otherwise', () => {
		const verified = markDone(markDone(plan, 'verify'), 'verify');
		expect(verified.done).toEqual(['verify']);
		expect(markUndone(verified, 'verify').done).toEqual([]);
		expect(markUndone(plan, 'verify')).toBe(plan);
	});

	it('names the new stack and its own alias so that the two stacks never collide', () => {
		expect(nextStackNames('KmsKey', 'alias/app', 1)).toEqual({
			stackName: 'KmsKey-next',
			aliasName: 'alias/app-next',
		});
		expect(nextStackNames('KmsKey', 'alias/app', 2)).toEqual({
			stackName: 'KmsKey-next-2',
			aliasName: 'alias/app-next-2',
		});
		// A migration started from a -next stack does not make -next-next.
		expect(nextStackNames('KmsKey-next', 'alias/app-next', 2).stackName).toBe('KmsKey-next-2');
	});
});

describe('the plan file', () => {
	let dir: string;
	beforeEach(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-plan-'));
	});
	afterEach(() => rm(dir, {recursive: true, force: true}));

	it('lives in KMS_TUI_STATE_DIR, else $XDG_STATE_HOME/kms-tui, one file per target', () => {
		expect(stateDir({KMS_TUI_STATE_DIR: dir})).toBe(dir);
		if (process.platform === 'linux') {
			expect(stateDir({XDG_STATE_HOME: '/x/state'})).toBe('/x/state/kms-tui');
			expect(stateDir({HOME: '/home/u'}).endsWith(path.join('.local', 'state', 'kms-tui'))).toBe(
				true,
			);
		}
		const env = {KMS_TUI_STATE_DIR: dir};
		const file = planPath(sandbox, env);
		expect(path.dirname(file)).toBe(path.join(dir, 'migrations'));
		expect(planPath({...sandbox}, env)).toBe(file);
		expect(planPath({...sandbox, sandboxDir: '/tmp/other'}, env)).not.toBe(file);
		expect(planPath({kind: 'aws', region: 'eu-west-1'}, env)).not.toBe(file);
		expect(planPath({kind: 'aws', region: 'eu-west-1', profile: 'p'}, env)).not.toBe(
			planPath({kind: 'aws', region: 'eu-west-1'}, env),
		);
	});

	it('is written atomically, private to the user, read back, and removed', async () => {
		const file = planPath(sandbox, {KMS_TUI_STATE_DIR: dir});
		expect(await readPlan(file)).toBeUndefined();
		await writePlan(file, plan);
		await writePlan(file, {...plan, newKeyArn: newArn});
		expect(await readPlan(file)).toEqual({...plan, newKeyArn: newArn});
		expect((await stat(file)).mode & 0o777).toBe(0o600);
		expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
		// No temp file left beside it.
		expect(await readdir(path.dirname(file))).toEqual([path.basename(file)]);
		await removePlan(file);
		await removePlan(file);
		expect(await readPlan(file)).toBeUndefined();
	});

	it('refuses a file that is not a plan and says how to start again', async () => {
		const file = path.join(dir, 'broken.json');
		await writeFile(file, '{"version":1,');
		await expect(readPlan(file)).rejects.toThrow(PlanFileError);
		await expect(readPlan(file)).rejects.toThrow(
			`The migration plan ${file} cannot be used: it is not JSON. Delete the file to start the migration again`,
		);
		await writeFile(file, JSON.stringify({...plan, oldKeyArn: 'x'}));
		await expect(readPlan(file)).rejects.toThrow('oldKeyArn is not a KMS key ARN');
	});
});

describe('the migration steps', () => {
	const statuses = (steps: ReturnType<typeof migrationSteps>) =>
		steps.map((step) => `${step.id}:${step.status}`);

	it('start at the new key, offering the -next stack with its own alias as the CLI does it', () => {
		const steps = migrationSteps(plan, world(), '/work');
		expect(statuses(steps)).toEqual([
			'new-key:current',
			'alias:waiting',
			'rewrap:waiting',
			'verify:waiting',
			'env:waiting',
			'retire:waiting',
		]);
		expect(currentStep(steps)?.cli).toEqual({
			args: ['deploy', '--param', 'AliasName=alias/app-next'],
			stackName: 'KmsKey-next',
		});
	});

	it('follow the world: alias moved and envelopes left under the old key', () => {
		const files = [envelope('a.kms', [oldArn]), envelope('b.kms', [oldArn, newArn])];
		const steps = migrationSteps(
			{...plan, newKeyArn: newArn},
			world({
				newKey: key(newArn),
				aliasTarget: key(newArn).keyId,
				underOldKey: files,
				unreadable: [files[0] as ScannedFile],
			}),
			'/work',
		);
		expect(statuses(steps).slice(0, 3)).toEqual(['new-key:done', 'alias:done', 'rewrap:current']);
		const rewrap = currentStep(steps);
		expect(rewrap?.summary).toBe('2 envelopes under the old key');
		expect(rewrap?.detail).toContain('a.kms, b.kms');
		expect(rewrap?.cli.args).toEqual(['rewrap', '.', '--recursive', '--to', newArn]);
	});

	it('count verify done only after a scan asked for, and only while the blast radius is 0', () => {
		const moved = {
			newKey: key(newArn),
			aliasTarget: key(newArn).keyId,
			env: {KMS_KEY_ID: key(newArn).keyId, KMS_KEY_ARN: newArn},
		};
		const withNew = {...plan, newKeyArn: newArn};
		expect(currentStep(migrationSteps(withNew, world(moved), '/work'))?.id).toBe('verify');
		const verified = markDone(withNew, 'verify');
		const steps = migrationSteps(verified, world(moved), '/work');
		expect(statuses(steps).slice(3)).toEqual(['verify:done', 'env:done', 'retire:current']);
		expect(currentStep(steps)?.cli.args).toEqual(['delete-key', '--key', oldArn, '--disable']);
		// A new envelope under the old key alone: verify is not done, whatever the plan says.
		const late = envelope('late.kms', [oldArn]);
		const again = migrationSteps(
			verified,
			world({...moved, underOldKey: [late], unreadable: [late]}),
			'/work',
		);
		expect(currentStep(again)?.id).toBe('rewrap');
		expect(again[3]?.summary).toBe('blast radius 1');
	});

	it('are recorded in the plan as the world shows them, verify undone by a late envelope', () => {
		const moved = {newKey: key(newArn), aliasTarget: key(newArn).keyId};
		const withNew = markDone({...plan, newKeyArn: newArn}, 'verify');
		const seen = withSeenDone(withNew, migrationSteps(withNew, world(moved), '/work'));
		expect(seen.done).toEqual(['new-key', 'alias', 'rewrap', 'verify']);
		expect(withSeenDone(seen, migrationSteps(seen, world(moved), '/work'))).toBe(seen);
		const late = [envelope('late.kms', [oldArn])];
		const undone = withSeenDone(
			seen,
			migrationSteps(seen, world({...moved, underOldKey: late, unreadable: late}), '/work'),
		);
		expect(undone.done).toEqual(['new-key', 'alias']);
	});

	it('wait for the new stack while it deploys, and plan it again after a change set left unexecuted', () => {
		const stack = (status: string) => ({
			name: 'KmsKey-next',
			id: 'arn:aws:cloudformation:us-east-1:000000000000:stack/KmsKey-next/1',
			status,
			outputs: {},
			parameters: {},
		});
		const withStack = {...plan, newStackName: 'KmsKey-next', newStackAlias: 'alias/app-next'};
		const step = (status: string) =>
			currentStep(migrationSteps(withStack, world({newStack: stack(status) as never}), '/work'));
		expect(step('CREATE_IN_PROGRESS')).toMatchObject({
			status: 'current',
			summary: 'stack KmsKey-next CREATE_IN_PROGRESS',
		});
		expect(step('REVIEW_IN_PROGRESS')).toMatchObject({
			status: 'current',
			summary: 'create or pick one',
		});
		expect(step('ROLLBACK_COMPLETE')).toMatchObject({
			status: 'attention',
			summary: 'stack KmsKey-next ROLLBACK_COMPLETE',
		});
		expect(step('REVIEW_IN_PROGRESS')?.cli).toEqual({
			args: ['deploy', '--param', 'AliasName=alias/app-next'],
			stackName: 'KmsKey-next',
		});
	});

	it('say when the chosen key can no longer take the alias', () => {
		const steps = migrationSteps(
			{...plan, newKeyArn: newArn},
			world({newKey: key(newArn, 'Disabled')}),
			'/work',
		);
		expect(currentStep(steps)?.status).toBe('attention');
		expect(currentStep(steps)?.detail).toContain('is Disabled: it cannot take the alias');
	});

	it('are all done once the old key is pending deletion', () => {
		const done = migrationSteps(
			markDone({...plan, newKeyArn: newArn}, 'verify'),
			world({
				oldKey: key(oldArn, 'PendingDeletion'),
				newKey: key(newArn),
				aliasTarget: key(newArn).keyId,
				env: {KMS_KEY_ID: newArn},
			}),
			'/work/sub',
		);
		expect(currentStep(done)).toBeUndefined();
		expect(done[2]?.cli.args[1]).toBe('..');
	});
});

describe('the lines under the steps', () => {
	it('count what they do not list', () => {
		const failures = ['a', 'b', 'c', 'd'].map((name) => ({path: `${name}.kms`, reason: 'no'}));
		expect(failuresLine(failures)).toBe(
			'✘ 4 not re-wrapped (left as they were): a.kms: no; b.kms: no; c.kms: no and 1 more',
		);
		expect(problemsLine([{path: '/work/x/bad.kms'}], '/work')).toBe(
			'1 file could not be read as envelopes: x/bad.kms',
		);
		expect(progressLabel({done: 3, total: 3, current: 'z.kms', failures: []})).toBe(
			'Re-wrapping 3/3: z.kms',
		);
		expect(progressLabel({done: 0, total: 3, failures: []})).toBeUndefined();
		expect(windowProblem('30')).toBeUndefined();
		expect(windowProblem('7')).toBeUndefined();
		expect(windowProblem('')).toBe('Enter a number of days (7–30).');
		expect(windowProblem('31')).toBe('31 is not a whole number from 7 to 30 days.');
		expect(windowProblem('7.5')).toBe('7.5 is not a whole number from 7 to 30 days.');
	});
});

describe('the migration reducer', () => {
	it('runs one thing at a time and keeps the last outcome until the next action', () => {
		let state = migrationReducer(initialMigrationState, {type: 'running', label: 'Re-wrapping…'});
		expect(state.running).toBe('Re-wrapping…');
		state = migrationReducer(state, {
			type: 'progress',
			progress: {done: 1, total: 2, current: 'b.kms', failures: []},
		});
		state = migrationReducer(state, {type: 'failures', failures: [{path: 'b.kms', reason: 'x'}]});
		state = migrationReducer(state, {type: 'done', message: 'Re-wrapped 1 of 2'});
		expect(state).toMatchObject({running: undefined, message: 'Re-wrapped 1 of 2', mode: 'view'});
		expect(state.failures).toHaveLength(1);
		state = migrationReducer(state, {type: 'mode', mode: 'delete-confirm'});
		expect(state).toMatchObject({mode: 'delete-confirm', message: undefined});
		state = migrationReducer(state, {
			type: 'failed',
			error: Object.assign(new Error('no'), {kind: 'unknown', hint: ''}) as never,
		});
		expect(state.mode).toBe('view');
		expect(state.error?.message).toBe('no');
	});
});
