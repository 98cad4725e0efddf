/**
 * Reads the real state the lifecycle steps are judged by: the stack, the .env file, the key the
 * CLI would use, and that key's rotation, aliases and state. One read, shared by Home and the
 * key screens, so that the TUI works on the same key the equivalent CLI command would.
 */
import path from 'node:path';
import {readEnvValue} from '../env-file/index.js';
import {
	type KeyOverview,
	type ServiceError,
	ServiceError as ServiceErrorClass,
	type Services,
	type StackInfo,
} from '../service/index.js';
import type {Settings} from './use-app-context.js';
import {toDisplayError} from './use-task.js';

export type KeyChoice = {
	readonly keyRef: string;
	/** Where it came from, as the CLI says it: "--key", "KMS_KEY_ID in .env", "stack KmsKey output KeyId". */
	readonly source: string;
};

export type LifecycleSnapshot = {
	/** Undefined when there is no stack (or it was deleted). */
	readonly stack?: StackInfo;
	/** The stack's KeyId output (or the key among its resources). */
	readonly stackKeyId?: string;
	readonly envFilePath: string;
	readonly envKeyId?: string;
	readonly key?: KeyChoice;
	readonly overview?: KeyOverview;
	/** Why the key could not be read (deleted, wrong region…). */
	readonly keyError?: ServiceError;
};

export function envFilePath(settings: Settings): string {
	return path.resolve(settings.cwd, settings.envFile);
}

function isLiveStack(stack: StackInfo | undefined): stack is StackInfo {
	return (
		stack !== undefined &&
		stack.status !== 'REVIEW_IN_PROGRESS' &&
		stack.status !== 'DELETE_COMPLETE'
	);
}

/** The CLI's order: --key, then KMS_KEY_ID in the .env file, then the stack's KeyId output. */
export function chooseKey(
	settings: Settings,
	envKeyId: string | undefined,
	stackKeyId: string | undefined,
): KeyChoice | undefined {
	if (settings.keyRef) return {keyRef: settings.keyRef, source: '--key'};
	if (envKeyId) return {keyRef: envKeyId, source: `KMS_KEY_ID in ${settings.envFile}`};
	if (stackKeyId) return {keyRef: stackKeyId, source: `stack ${settings.stackName} output KeyId`};
	return undefined;
}

export async function loadLifecycle(
	services: Services,
	settings: Settings,
	signal: AbortSignal,
): Promise<LifecycleSnapshot> {
	const envPath = envFilePath(settings);
	const [found, envKeyId] = await Promise.all([
		services.stacks.findStack(settings.stackName, {signal}),
		readEnvValue(envPath, 'KMS_KEY_ID'),
	]);
	const stack = isLiveStack(found) ? found : undefined;
	const stackKeyId =
		stack && !stack.status.startsWith('DELETE')
			? (await services.stacks.keyOutputs(stack, {signal})).outputs.KeyId
			: undefined;
	const key = chooseKey(settings, envKeyId, stackKeyId);
	if (!key) return {stack, stackKeyId, envFilePath: envPath, envKeyId};
	try {
		const overview = await services.keys.overview(key.keyRef, {signal});
		return {stack, stackKeyId, envFilePath: envPath, envKeyId, key, overview};
	} catch (error) {
		if (signal.aborted) throw error;
		return {
			stack,
			stackKeyId,
			envFilePath: envPath,
			envKeyId,
			key,
			keyError: toDisplayError(error),
		};
	}
}

/** The key the screens work on, found as the CLI finds it; a ServiceError when there is none. */
export async function resolveKeyChoice(
	services: Services,
	settings: Settings,
	signal: AbortSignal,
): Promise<KeyChoice> {
	const envKeyId = settings.keyRef
		? undefined
		: await readEnvValue(envFilePath(settings), 'KMS_KEY_ID');
	let stackKeyId: string | undefined;
	if (!settings.keyRef && !envKeyId) {
		const stack = await services.stacks.findStack(settings.stackName, {signal});
		if (isLiveStack(stack) && !stack.status.startsWith('DELETE'))
			stackKeyId = (await services.stacks.keyOutputs(stack, {signal})).outputs.KeyId;
	}
	const choice = chooseKey(settings, envKeyId, stackKeyId);
	if (choice) return choice;
	throw new ServiceErrorClass(
		'not-found',
		`No key to work on: no --key, no KMS_KEY_ID in ${settings.envFile}, and no stack ${settings.stackName} with a KeyId output.`,
		'Deploy the stack first (Deploy on Home, or `kms-tui deploy`), or start kms-tui with --key.',
	);
}
