/**
 * Reads the real state the lifecycle steps are judged by: the stack, the .env file, the key the
 * CLI would use, and that key's rotation, aliases and state. One read, shared by Home and the
 * key screens; the key is chosen by source/session-context.ts, the code the CLI uses too.
 */
import {readEnvValues} from '../env-file/index.js';
import {
	type KeyOverview,
	type ServiceError,
	ServiceError as ServiceErrorClass,
	type Services,
	type StackInfo,
} from '../service/index.js';
import {
	chooseKey,
	envFilePath,
	holdsKey,
	type KeyChoice,
	noKeyMessage,
	resolveKey,
} from '../session-context.js';
import type {Settings} from './use-app-context.js';
import {toDisplayError} from './use-task.js';

export type {KeyChoice} from '../session-context.js';
export {envFilePath} from '../session-context.js';

/** The .env variables that name the key, as `kms-tui outputs --write-env` writes them. */
export type EnvKeyValues = {
	readonly KMS_KEY_ID?: string;
	readonly KMS_KEY_ARN?: string;
	readonly KMS_KEY_ALIAS?: string;
};

export const envKeyVariables = ['KMS_KEY_ID', 'KMS_KEY_ARN', 'KMS_KEY_ALIAS'] as const;

/** Which stack output each of those variables is written from (env-file/stack-values.ts). */
export const stackOutputOf: Readonly<Record<keyof EnvKeyValues, string>> = {
	KMS_KEY_ID: 'KeyId',
	KMS_KEY_ARN: 'KeyArn',
	KMS_KEY_ALIAS: 'AliasName',
};

export type LifecycleSnapshot = {
	/** The stack the session follows (its name even when there is no such stack). */
	readonly stackName: string;
	/** Undefined when there is no stack (or it was deleted). */
	readonly stack?: StackInfo;
	/** The stack's KeyId output (or the key among its resources). */
	readonly stackKeyId?: string;
	/** The stack's key outputs (KeyId, KeyArn, AliasName…), when the stack holds a key. */
	readonly stackOutputs?: Readonly<Record<string, string>>;
	readonly envFilePath: string;
	readonly envKeyId?: string;
	/** KMS_KEY_ID, KMS_KEY_ARN and KMS_KEY_ALIAS as the .env file has them. */
	readonly envValues: EnvKeyValues;
	/** KMS_STACK_NAME in the .env file: the stack its key values were written from. */
	readonly envStackName?: string;
	/** The key KMS_KEY_ID in the .env file names is gone, or going: the file is stale. */
	readonly envKeyState?: 'not-found' | 'pending-deletion';
	readonly key?: KeyChoice;
	readonly overview?: KeyOverview;
	/** Why the key could not be read (deleted, wrong region…). */
	readonly keyError?: ServiceError;
};

function isShownStack(stack: StackInfo | undefined): stack is StackInfo {
	return (
		stack !== undefined &&
		stack.status !== 'REVIEW_IN_PROGRESS' &&
		stack.status !== 'DELETE_COMPLETE'
	);
}

/** The key variables and KMS_STACK_NAME, from one read of the file. */
async function readEnvKeyValues(
	file: string,
): Promise<{values: EnvKeyValues; stackName: string | undefined}> {
	const {KMS_STACK_NAME, ...values} = await readEnvValues(file, [
		...envKeyVariables,
		'KMS_STACK_NAME',
	]);
	return {values, stackName: KMS_STACK_NAME};
}

export async function loadLifecycle(
	services: Services,
	settings: Settings,
	signal: AbortSignal,
): Promise<LifecycleSnapshot> {
	const envPath = envFilePath(settings);
	const [found, env] = await Promise.all([
		services.stacks.findStack(settings.stackName, {signal}),
		readEnvKeyValues(envPath),
	]);
	const envValues = env.values;
	const stack = isShownStack(found) ? found : undefined;
	const stackOutputs = holdsKey(stack)
		? (await services.stacks.keyOutputs(stack, {signal})).outputs
		: undefined;
	const stackKeyId = stackOutputs?.KeyId;
	const envKeyId = envValues.KMS_KEY_ID;
	const base = {
		stack,
		stackName: settings.stackName,
		stackKeyId,
		stackOutputs,
		envFilePath: envPath,
		envKeyId,
		envValues,
		...(env.stackName ? {envStackName: env.stackName} : {}),
	};
	const key = chooseKey(settings, {envFileKeyId: envKeyId, stackKeyId});
	let read: Pick<LifecycleSnapshot, 'overview' | 'keyError'> = {};
	if (key) {
		try {
			read = {overview: await services.keys.overview(key.keyRef, {signal})};
		} catch (error) {
			if (signal.aborted) throw error;
			read = {keyError: toDisplayError(error)};
		}
	}
	const envKeyState = await envKeyStateOf(services, envKeyId, key, read, signal);
	return {...base, key, ...read, ...(envKeyState ? {envKeyState} : {})};
}

/**
 * Whether the .env file's key is gone or pending deletion: from the read above when it is the
 * key in use, else from one DescribeKey (--key or the environment chose another key).
 */
async function envKeyStateOf(
	services: Services,
	envKeyId: string | undefined,
	key: KeyChoice | undefined,
	read: Pick<LifecycleSnapshot, 'overview' | 'keyError'>,
	signal: AbortSignal,
): Promise<LifecycleSnapshot['envKeyState']> {
	if (!envKeyId) return undefined;
	if (key?.keyRef === envKeyId) {
		if (read.keyError?.kind === 'not-found') return 'not-found';
		return read.overview?.key.state === 'PendingDeletion' ? 'pending-deletion' : undefined;
	}
	try {
		const info = await services.keys.describeKey(envKeyId, {signal});
		return info.state === 'PendingDeletion' ? 'pending-deletion' : undefined;
	} catch (error) {
		if (signal.aborted) throw error;
		return toDisplayError(error).kind === 'not-found' ? 'not-found' : undefined;
	}
}

/** The key the screens work on, found as the CLI finds it; a ServiceError when there is none. */
export async function resolveKeyChoice(
	services: Services,
	settings: Settings,
	signal: AbortSignal,
): Promise<KeyChoice> {
	const choice = await resolveKey(settings, async () => services.stacks, signal);
	if (choice) return choice;
	throw new ServiceErrorClass(
		'not-found',
		noKeyMessage(settings),
		'Deploy the stack first (Deploy on Home, or `kms-tui deploy`), or start kms-tui with --key.',
	);
}
