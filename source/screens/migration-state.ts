/**
 * What the migration screen shows, as a reducer (pure): loading → ready, one action running at a
 * time, and the open question (a key picker, a change set to execute, the deletion's waiting
 * days, a typed confirmation). The flow that changes it is use-migration-state.ts.
 */
import type {MigrationPlan} from '../migration/plan.js';
import type {RewrapFailure, RewrapProgress} from '../migration/rewrap-files.js';
import type {MigrationWorld} from '../migration/world.js';
import {type DeployPlan, defaultPendingWindowDays, type ServiceError} from '../service/index.js';

export type MigrationMode = 'view' | 'pick' | 'deploy-confirm' | 'delete-window' | 'delete-confirm';

export type MigrationState = {
	readonly plan?: MigrationPlan;
	readonly world?: MigrationWorld;
	/** Where the plan is saved. */
	readonly planFile?: string;
	readonly mode: MigrationMode;
	/** What runs now (the screen shows a spinner with it). */
	readonly running?: string;
	readonly progress?: RewrapProgress;
	/** The change set of the new key's stack, waiting for y/n. */
	readonly deployPlan?: DeployPlan;
	/** The last re-wrap's files that failed, with their reasons. */
	readonly failures: readonly RewrapFailure[];
	readonly message?: string;
	readonly error?: ServiceError;
	/** The deletion's waiting period as typed (7–30). */
	readonly days: string;
	/** Loading failed: nothing to show but the error. */
	readonly loadError?: ServiceError;
};

export type MigrationAction =
	| {type: 'loaded'; plan: MigrationPlan; world: MigrationWorld; planFile: string}
	| {type: 'load-failed'; error: ServiceError}
	| {type: 'mode'; mode: MigrationMode}
	| {type: 'days'; value: string}
	| {type: 'running'; label: string}
	| {type: 'progress'; progress: RewrapProgress}
	| {type: 'deploy-plan'; plan: DeployPlan}
	| {type: 'failures'; failures: readonly RewrapFailure[]}
	| {type: 'done'; message?: string}
	| {type: 'failed'; error: ServiceError};

export const initialMigrationState: MigrationState = {
	mode: 'view',
	failures: [],
	days: String(defaultPendingWindowDays),
};

export function migrationReducer(state: MigrationState, action: MigrationAction): MigrationState {
	switch (action.type) {
		case 'loaded':
			return {...state, plan: action.plan, world: action.world, planFile: action.planFile};
		case 'load-failed':
			return {...state, loadError: action.error, running: undefined};
		case 'days':
			return {...state, days: action.value};
		case 'mode':
			return {...state, mode: action.mode, error: undefined, message: undefined};
		case 'running':
			return {
				...state,
				mode: 'view',
				running: action.label,
				progress: undefined,
				error: undefined,
				message: undefined,
			};
		case 'progress':
			return {...state, progress: action.progress};
		case 'deploy-plan':
			return {...state, mode: 'deploy-confirm', deployPlan: action.plan};
		case 'failures':
			return {...state, failures: action.failures};
		case 'done':
			return {
				...state,
				mode: 'view',
				running: undefined,
				deployPlan: undefined,
				message: action.message,
			};
		case 'failed':
			return {
				...state,
				mode: 'view',
				running: undefined,
				deployPlan: undefined,
				error: action.error,
			};
	}
}
