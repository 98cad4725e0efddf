/**
 * The migration screen's flow: runs each step, saves the plan after it and reads the world again,
 * over the state of migration-state.ts. Leaving (esc, quit) aborts what runs; the plan on disk is
 * what was done by then.
 */
import {readFile} from 'node:fs/promises';
import {useCallback, useEffect, useReducer, useRef} from 'react';
import {defaultTemplatePath} from '../config.js';
import {envValuesFromStack, planEnvMerge, writeEnvMerge} from '../env-file/index.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {type KeyPicker, useKeyPicker} from '../hooks/use-key-picker.js';
import type {Handlers} from '../hooks/use-keymap.js';
import {toDisplayError} from '../hooks/use-task.js';
import {checkNewKey, freeStackNames} from '../migration/new-key.js';
import {type MigrationPlan, markDone, newPlan} from '../migration/plan.js';
import {planPath, readPlan, removePlan, writePlan} from '../migration/plan-file.js';
import {rewrapFiles} from '../migration/rewrap-files.js';
import {findMigrationStart, readWorld} from '../migration/world.js';
import {ServiceError, type Services} from '../service/index.js';
import {envFilePath, type SessionContext} from '../session-context.js';
import {
	initialMigrationState,
	type MigrationMode,
	type MigrationState,
	migrationReducer,
} from './migration-state.js';
import {
	currentStep,
	type MigrationStep,
	migrationSteps,
	rewrapMessage,
	samePlan,
	windowProblem,
	withSeenDone,
} from './migration-steps.js';

/** The migration under way on this target, else a new one for the session's alias as it points now. */
async function openPlan(services: Services, settings: SessionContext, signal: AbortSignal) {
	const planFile = planPath(settings.target);
	const saved = await readPlan(planFile);
	if (saved) return {plan: saved, planFile};
	const start = await findMigrationStart(services, settings, signal);
	const plan = newPlan({
		alias: start.alias,
		oldKeyArn: start.oldKey.arn,
		stackName: settings.stackName,
		rootDir: settings.cwd,
	});
	return {plan, planFile};
}

export function useMigrationState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(migrationReducer, initialMigrationState);
	const stateRef = useRef(state);
	stateRef.current = state;
	const controllerRef = useRef<AbortController | undefined>(undefined);
	const confirmRef = useRef<((answer: boolean) => void) | undefined>(undefined);
	// The key being left is not offered as the new one (by id, or by an alias pointing at it).
	const oldKeyId = state.world?.oldKey?.keyId ?? state.plan?.oldKeyArn;
	const picker = useKeyPicker(
		services,
		'usable',
		(choice) => choice.value === oldKeyId || choice.detail === `→ ${oldKeyId}`,
	);

	const isMountedRef = useRef(true);

	/**
	 * Reads the world for the plan, records the steps it shows done (the plan's `done`), and saves
	 * the plan when that or anything else changed — or always, for a plan the work changed. A
	 * migration that finished has no plan file any more: 'never'.
	 */
	const refresh = useCallback(
		async (
			plan: MigrationPlan,
			planFile: string,
			signal: AbortSignal,
			save: 'changed' | 'always' | 'never',
		) => {
			let world = await readWorld(services, settings, plan, signal);
			let next = plan;
			// Esc during the new stack's deployment: take its key once CloudFormation is done.
			const stackKey = world.newStack?.outputs.KeyArn;
			if (
				!next.newKeyArn &&
				stackKey &&
				/^(CREATE|UPDATE)_COMPLETE$/.test(world.newStack?.status ?? '')
			) {
				next = {...next, newKeyArn: stackKey};
				world = await readWorld(services, settings, next, signal);
			}
			next = withSeenDone(next, migrationSteps(next, world, settings.cwd));
			if (save === 'always' || (save === 'changed' && !samePlan(next, plan)))
				await writePlan(planFile, next);
			dispatch({type: 'loaded', plan: next, world, planFile});
			return {plan: next, world};
		},
		[services, settings],
	);

	/** Runs one step: the work changes the world (and maybe the plan), then the world is read again. */
	const perform = useCallback(
		async (
			label: string,
			work: (
				signal: AbortSignal,
				plan: MigrationPlan,
			) => Promise<{plan?: MigrationPlan; message?: string; isFinished?: boolean}>,
		) => {
			const {plan, planFile} = stateRef.current;
			if (!plan || !planFile || stateRef.current.running) return;
			controllerRef.current?.abort();
			const controller = new AbortController();
			controllerRef.current = controller;
			dispatch({type: 'running', label});
			try {
				const result = await work(controller.signal, plan);
				const save = result.isFinished ? 'never' : result.plan ? 'always' : 'changed';
				await refresh(result.plan ?? plan, planFile, controller.signal, save);
				dispatch({type: 'done', message: result.message});
			} catch (error) {
				if (controller.signal.aborted) {
					if (!isMountedRef.current) return;
					// Cancelled: what was done is done (each file is atomic); show where things are.
					await refresh(
						stateRef.current.plan ?? plan,
						planFile,
						new AbortController().signal,
						'changed',
					).catch(() => undefined);
					dispatch({
						type: 'done',
						message: 'Cancelled: everything done before is kept; Enter goes on.',
					});
					return;
				}
				dispatch({type: 'failed', error: toDisplayError(error)});
			}
		},
		[refresh],
	);

	const load = useCallback(async () => {
		const controller = new AbortController();
		controllerRef.current?.abort();
		controllerRef.current = controller;
		dispatch({type: 'running', label: 'Reading the keys, the alias and the envelopes…'});
		try {
			const current = stateRef.current;
			const opened =
				current.plan && current.planFile
					? {plan: current.plan, planFile: current.planFile}
					: await openPlan(services, settings, controller.signal);
			await refresh(opened.plan, opened.planFile, controller.signal, 'changed');
			dispatch({type: 'done'});
		} catch (error) {
			if (!controller.signal.aborted) dispatch({type: 'load-failed', error: toDisplayError(error)});
			// Esc during a reload (R): what was shown stays, and the keys work again.
			else if (isMountedRef.current && controllerRef.current === controller)
				dispatch({type: 'done'});
		}
	}, [services, settings, refresh]);

	useEffect(() => {
		isMountedRef.current = true;
		void load();
		return () => {
			isMountedRef.current = false;
			controllerRef.current?.abort();
			confirmRef.current?.(false);
		};
	}, [load]);

	const {keys} = services;
	const actions = {
		refresh: () => void load(),
		setMode: (mode: MigrationMode) => {
			dispatch({type: 'mode', mode});
			if (mode === 'pick') picker.open('');
		},
		cancel: () => {
			if (confirmRef.current) confirmRef.current(false);
			else controllerRef.current?.abort();
		},
		answer: (isYes: boolean) => confirmRef.current?.(isYes),
		setDays: (value: string) => dispatch({type: 'days', value}),
		/** Enter in the days field: the submitted text is checked and kept, then the typed confirmation. */
		submitDays: (value: string) => {
			dispatch({type: 'days', value});
			if (!windowProblem(value)) dispatch({type: 'mode', mode: 'delete-confirm'});
		},
		createKey: () =>
			perform('Deploying the new key’s stack…', async (signal, plan) => {
				const names = await freeStackNames(services, plan, signal);
				// Saved before deploying: esc during the deployment resumes with this stack's key.
				const next = {
					...plan,
					newKeyArn: undefined,
					newStackName: names.stackName,
					newStackAlias: names.aliasName,
				};
				const planFile = stateRef.current.planFile ?? '';
				await writePlan(planFile, next);
				// The screen's plan is the file's, whatever the deployment then does.
				const {world} = stateRef.current;
				if (world) dispatch({type: 'loaded', plan: next, world, planFile});
				const result = await services.stacks.deploy({
					stackName: names.stackName,
					templateBody: await readFile(defaultTemplatePath(settings.cwd), 'utf8'),
					parameters: {AliasName: names.aliasName},
					signal,
					confirm: (deployPlan) =>
						new Promise<boolean>((resolve) => {
							confirmRef.current = (answer) => {
								confirmRef.current = undefined;
								if (answer)
									dispatch({type: 'running', label: `Deploying stack ${names.stackName}…`});
								resolve(answer);
							};
							dispatch({type: 'deploy-plan', plan: deployPlan});
						}),
				});
				if (result.outcome === 'declined')
					return {
						plan: {...plan, newStackName: undefined, newStackAlias: undefined},
						message: 'Not deployed.',
					};
				if (result.outcome === 'failed')
					throw new ServiceError(
						'stack',
						`Stack ${names.stackName} failed: ${result.failures.map((event) => `${event.logicalId}: ${event.reason ?? event.status}`).join('; ')}`,
						'Fix the cause, delete the stack (`kms-tui destroy --stack-name …`), and try again; or pick a key (p).',
					);
				const keyArn = result.stack.outputs.KeyArn;
				return {
					plan: {...next, newKeyArn: keyArn},
					message: `Stack ${names.stackName} is deployed; its key is the new key.`,
				};
			}),
		pickKey: (value: string) =>
			perform('Checking the key…', async (signal, plan) => {
				const key = await keys.describeKey(value.trim(), {signal});
				checkNewKey(key, plan, value.trim());
				return {
					plan: {...plan, newKeyArn: key.arn, newStackName: undefined, newStackAlias: undefined},
				};
			}),
		pointAlias: () =>
			perform('Pointing the alias at the new key…', async (signal, plan) => {
				const alias = await keys.updateAlias(plan.alias, plan.newKeyArn ?? '', {signal});
				return {message: `${alias.name} → ${alias.targetKeyId}.`};
			}),
		rewrap: () =>
			perform('Re-wrapping…', async (signal, plan) => {
				const files = stateRef.current.world?.underOldKey ?? [];
				const result = await rewrapFiles(files, {
					provider: keys,
					fromKeyArn: plan.oldKeyArn,
					toKeyArn: plan.newKeyArn ?? '',
					signal,
					onProgress: (progress) => dispatch({type: 'progress', progress}),
				});
				dispatch({type: 'failures', failures: result.failures});
				return {message: rewrapMessage(result)};
			}),
		verify: () =>
			perform('Scanning again…', async (signal, plan) => {
				const world = await readWorld(services, settings, plan, signal);
				const isClear = world.unreadable.length === 0 && world.underOldKey.length === 0;
				return isClear
					? {
							plan: markDone(plan, 'verify'),
							message: 'Blast radius 0: no envelope needs the old key.',
						}
					: {message: `${world.unreadable.length} envelopes still need the old key.`};
			}),
		writeEnv: () =>
			perform('Writing .env…', async (signal, plan) => {
				const key = stateRef.current.world?.newKey;
				if (!key) return {};
				// As `kms-tui outputs --write-env --stack-name NEXT` when the new key has its stack.
				const values = plan.newStackName
					? envValuesFromStack(
							await services.stacks.requireStack(plan.newStackName, {signal}),
							settings.target.region,
						)
					: {KMS_KEY_ID: key.keyId, KMS_KEY_ARN: key.arn};
				const written = await writeEnvMerge(await planEnvMerge(envFilePath(settings), values));
				const backup = written.backupPath ? ` (previous file kept as ${written.backupPath})` : '';
				return {
					message: plan.newStackName
						? `${settings.envFile} names stack ${plan.newStackName} and its key now${backup}. kms-tui reads KMS_STACK_NAME from it: from its next start, Home and the commands run here follow that stack.`
						: `${settings.envFile}: KMS_KEY_ID and KMS_KEY_ARN are the new key${backup}.`,
				};
			}),
		disableOld: () =>
			perform('Disabling the old key…', async (signal, plan) => {
				await keys.disableKey(plan.oldKeyArn, {signal});
				return {
					message: 'The old key is Disabled: `kms-tui delete-key --enable --key …` undoes it.',
				};
			}),
		scheduleOld: () =>
			perform('Scheduling the old key’s deletion…', async (signal, plan) => {
				const schedule = await keys.scheduleDeletion(
					plan.oldKeyArn,
					Number(stateRef.current.days),
					{
						signal,
					},
				);
				// Done: the plan goes, so opening the screen again starts from where the alias is now.
				await removePlan(stateRef.current.planFile ?? '');
				return {
					isFinished: true,
					message: `Migration done. KMS deletes the old key ${schedule.keyId} on ${schedule.deletionDate.toISOString().slice(0, 10)}; until then the command below cancels it.`,
				};
			}),
	};
	const steps =
		state.plan && state.world
			? migrationSteps(state.plan, state.world, settings.cwd, state.days)
			: [];
	const step = currentStep(steps);
	return {
		state,
		picker,
		steps,
		step,
		...actions,
		handlers: handlersFor(state, step, actions, picker),
	};
}

type Actions = {
	readonly [name in
		| 'refresh'
		| 'cancel'
		| 'pointAlias'
		| 'rewrap'
		| 'verify'
		| 'writeEnv'
		| 'createKey'
		| 'disableOld']: () => unknown;
} & {readonly answer: (isYes: boolean) => void; readonly setMode: (mode: MigrationMode) => void};

/** The keys the screen takes now: those of the open question, else of the current step. */
function handlersFor(
	state: MigrationState,
	step: MigrationStep | undefined,
	actions: Actions,
	picker: KeyPicker,
): Handlers {
	const handlers: Handlers = {};
	const {mode} = state;
	if (state.running !== undefined && mode === 'view') {
		// While the first read runs there is nothing to cancel into: esc leaves (and aborts it).
		if (state.plan) handlers.cancel = actions.cancel;
	} else if (mode === 'pick') {
		handlers.up = () => picker.move(-1);
		handlers.down = () => picker.move(1);
		handlers.cancel = () => actions.setMode('view');
	} else if (mode === 'deploy-confirm') {
		handlers['confirm-yes'] = () => actions.answer(true);
		handlers['confirm-no'] = () => actions.answer(false);
		handlers['confirm-default'] = handlers['confirm-yes'];
		handlers.cancel = actions.cancel;
	} else if (mode === 'delete-window' || mode === 'delete-confirm')
		handlers.cancel = () => actions.setMode('view');
	else if (state.plan && state.world) {
		handlers.refresh = actions.refresh;
		if (step?.id === 'new-key') {
			handlers['migrate-create-key'] = actions.createKey;
			handlers['migrate-pick-key'] = () => actions.setMode('pick');
		} else if (step?.id === 'retire') {
			if (state.world.oldKey?.state === 'Enabled')
				handlers['migrate-disable-old'] = actions.disableOld;
			handlers['migrate-schedule-old'] = () => actions.setMode('delete-window');
		} else if (step) {
			const run = {
				alias: actions.pointAlias,
				rewrap: actions.rewrap,
				verify: actions.verify,
				env: actions.writeEnv,
			}[step.id];
			handlers['migrate-run-step'] = run;
		}
	}
	return handlers;
}
