/**
 * The session context: where the keys live (the target), which stack and .env file, and which
 * key to work on and where that choice came from. It is built once from the command line and
 * the environment, and both the CLI commands and the TUI read it, so that the two always pick
 * the same key, say the same thing about where it came from, and every command the TUI shows
 * ("CLI: kms-tui …") reaches the target the TUI is on.
 *
 * Dependency-light: runtime imports are node:path and the .env reader only (the TUI's first
 * frame and `--help` must not pay for the service layer); the stack lookup is passed in.
 */
import path from 'node:path';
import {commandTakesFlag} from './commands/registry.js';
import type {Target} from './config.js';
import {readEnvValue} from './env-file/index.js';
import type {StackInfo} from './service/types.js';

export type SessionContext = {
	/** Where the keys live: sandbox, AWS or another endpoint, with its region and profile. */
	readonly target: Target;
	/**
	 * The one endpoint URL of an endpoint target, when there is one for both services
	 * (--endpoint-url or AWS_ENDPOINT_URL); undefined when only AWS_ENDPOINT_URL_KMS/_CLOUDFORMATION
	 * say it, which a command run in the same environment reads itself.
	 */
	readonly endpointUrl?: string;
	/** Where a plain --sandbox keeps its state: a command needs --sandbox-dir only for another one. */
	readonly defaultSandboxDir?: string;
	/** CloudFormation stack that holds the key (--stack-name, default KmsKey). */
	readonly stackName: string;
	/** The .env file to read KMS_KEY_ID from and write outputs into (--env-file), as given. */
	readonly envFile: string;
	/** Directory that relative paths (env file, template) are resolved against. */
	readonly cwd: string;
	/** --read-only: dangerous bindings are hidden and refused. */
	readonly readOnly: boolean;
	/** --key: the key to work on, before everything else. */
	readonly keyRef?: string;
	/** KMS_KEY_ID in the process environment: after --key, before the .env file. */
	readonly environmentKeyId?: string;
};

export const defaultStackName = 'KmsKey';
export const defaultEnvFile = '.env';

export type SessionInput = {
	readonly target: Target;
	readonly stackName?: string;
	readonly envFile?: string;
	readonly key?: string;
	readonly readOnly?: boolean;
	readonly env: NodeJS.ProcessEnv;
	readonly cwd: string;
	/** The sandbox directory used when neither --sandbox-dir nor KMS_TUI_SANDBOX_DIR is given. */
	readonly defaultSandboxDir?: string;
};

export function buildSessionContext(input: SessionInput): SessionContext {
	const {target, env} = input;
	const endpointUrl =
		target.kind !== 'endpoint'
			? undefined
			: (target.endpoint ??
				(target.endpointSource === 'AWS_ENDPOINT_URL' ? env.AWS_ENDPOINT_URL : undefined));
	return {
		target,
		endpointUrl: endpointUrl || undefined,
		defaultSandboxDir: input.defaultSandboxDir,
		stackName: input.stackName ?? defaultStackName,
		envFile: input.envFile ?? defaultEnvFile,
		cwd: input.cwd,
		readOnly: input.readOnly ?? false,
		// An empty value (`--key ''`, `KMS_KEY_ID=`) says nothing: fall through to the next source.
		keyRef: input.key || undefined,
		environmentKeyId: env.KMS_KEY_ID || undefined,
	};
}

/** The part of the context the key choice depends on. */
export type KeySettings = Pick<
	SessionContext,
	'keyRef' | 'environmentKeyId' | 'envFile' | 'cwd' | 'stackName'
>;

export type KeyOrigin = 'flag' | 'environment' | 'env-file' | 'stack';

export type KeyChoice = {
	readonly keyRef: string;
	readonly origin: KeyOrigin;
	/** Where it came from, in words: "--key", "KMS_KEY_ID in .env", "stack KmsKey output KeyId". */
	readonly source: string;
};

/** Where a .env file is, for reading and writing. */
export function envFilePath(settings: Pick<SessionContext, 'cwd' | 'envFile'>): string {
	return path.resolve(settings.cwd, settings.envFile);
}

/**
 * The stack a session works on: --stack-name, else KMS_STACK_NAME in the environment, else in the
 * .env file (`outputs --write-env` writes it, and so does the migration screen once a second stack
 * holds the key), else KmsKey. A directory's .env so remembers its stack as it remembers its key.
 * A .env that cannot be read says nothing here: reading the key reports it.
 */
export async function resolveStackName(
	flag: string | undefined,
	env: NodeJS.ProcessEnv,
	envFile: string,
	cwd = process.cwd(),
): Promise<string> {
	if (flag) return flag;
	if (env.KMS_STACK_NAME) return env.KMS_STACK_NAME;
	const fromFile = await readEnvValue(path.resolve(cwd, envFile), 'KMS_STACK_NAME').catch(
		() => undefined,
	);
	return fromFile || defaultStackName;
}

/** KMS_KEY_ID in the session's .env file (undefined when the file or the variable is missing). */
export function readEnvFileKeyId(settings: KeySettings): Promise<string | undefined> {
	return readEnvValue(envFilePath(settings), 'KMS_KEY_ID');
}

/**
 * The one order, for the CLI and the TUI: --key, then KMS_KEY_ID in the environment, then
 * KMS_KEY_ID in the .env file, then the stack's KeyId output.
 */
export function chooseKey(
	settings: KeySettings,
	found: {readonly envFileKeyId?: string; readonly stackKeyId?: string},
): KeyChoice | undefined {
	if (settings.keyRef) return {keyRef: settings.keyRef, origin: 'flag', source: '--key'};
	if (settings.environmentKeyId)
		return {
			keyRef: settings.environmentKeyId,
			origin: 'environment',
			source: 'KMS_KEY_ID in the environment',
		};
	if (found.envFileKeyId)
		return {
			keyRef: found.envFileKeyId,
			origin: 'env-file',
			source: `KMS_KEY_ID in ${settings.envFile}`,
		};
	if (found.stackKeyId)
		return {
			keyRef: found.stackKeyId,
			origin: 'stack',
			source: `stack ${settings.stackName} output KeyId`,
		};
	return undefined;
}

/** What the key choice needs from the stack service (a structural type: no SDK import here). */
export type StackLookup = {
	findStack(name: string, options?: {signal?: AbortSignal}): Promise<StackInfo | undefined>;
	keyOutputs(
		stack: StackInfo,
		options?: {signal?: AbortSignal},
	): Promise<{outputs: Record<string, string>}>;
};

/** A stack whose outputs name a key: not being deleted or deleted, not a bare change set. */
export function holdsKey(stack: StackInfo | undefined): stack is StackInfo {
	return (
		stack !== undefined &&
		stack.status !== 'REVIEW_IN_PROGRESS' &&
		!stack.status.startsWith('DELETE')
	);
}

/** The stack's key outputs (KeyId, KeyArn, AliasName…), or undefined when there is no live stack. */
export async function stackKeyOutputs(
	stacks: StackLookup,
	stackName: string,
	signal?: AbortSignal,
): Promise<{stack: StackInfo; outputs: Record<string, string>} | undefined> {
	const stack = await stacks.findStack(stackName, {signal});
	if (!holdsKey(stack)) return undefined;
	return {stack, outputs: (await stacks.keyOutputs(stack, {signal})).outputs};
}

/**
 * Resolves the key lazily: the .env file is read only when neither --key nor the environment
 * names one, and the stack (and so the session, for the CLI) is asked only when the file does not.
 */
export async function resolveKey(
	settings: KeySettings,
	stacks: () => Promise<StackLookup>,
	signal?: AbortSignal,
): Promise<KeyChoice | undefined> {
	const early = chooseKey(settings, {});
	if (early) return early;
	const envFileKeyId = await readEnvFileKeyId(settings);
	if (envFileKeyId) return chooseKey(settings, {envFileKeyId});
	const found = await stackKeyOutputs(await stacks(), settings.stackName, signal);
	return chooseKey(settings, {stackKeyId: found?.outputs.KeyId});
}

/** Why there is no key, in the words both front ends use (each adds its own what-to-do). */
export function noKeyMessage(settings: KeySettings): string {
	return `No key to work on: no --key, no KMS_KEY_ID in the environment or ${settings.envFile}, and no stack ${settings.stackName} with a KeyId output.`;
}

/** What KMS said about a key that makes a .env file pointing at it stale. */
const staleStates: Readonly<Record<string, string>> = {
	'not-found': 'no longer exists',
	'pending-deletion': 'is pending deletion',
	disabled: 'is disabled',
};

/**
 * When the key came from the .env file and KMS refused it because it is gone, pending deletion or
 * disabled, the sentence that says the .env file is stale and how to refresh it. `error` is a
 * ServiceError, or an error whose `cause` is one (the envelope engine wraps them).
 */
export function staleEnvKeyNote(choice: KeyChoice, error: unknown): string | undefined {
	if (choice.origin !== 'env-file') return undefined;
	const kind = serviceErrorKind(error) ?? serviceErrorKind((error as {cause?: unknown})?.cause);
	const state = kind === undefined ? undefined : staleStates[kind];
	if (!state) return undefined;
	return `${choice.source} points at a key that ${state}; run \`kms-tui outputs --write-env\` to write the stack's current key there, or pass --key.`;
}

function serviceErrorKind(error: unknown): string | undefined {
	const value = error as {name?: unknown; kind?: unknown} | undefined;
	return value?.name === 'ServiceError' && typeof value.kind === 'string' ? value.kind : undefined;
}

/**
 * `kms-tui ARGS` plus the flags that make it act on the same target, stack, .env file and key
 * as this session, each argument quoted for a POSIX shell where it needs it.
 */
export function cliCommand(context: SessionContext, args: readonly string[]): string {
	return ['kms-tui', ...args, ...sessionFlags(context, args)].map(shellQuote).join(' ');
}

/**
 * The flags after the command: the target's, then stack, .env file and --key when they are not
 * the defaults. A flag the command already has (`alias update NAME --key KEY`) is not repeated.
 */
export function sessionFlags(context: SessionContext, args: readonly string[] = []): string[] {
	const flags = targetFlags(context);
	if (context.stackName !== defaultStackName) flags.push('--stack-name', context.stackName);
	if (context.envFile !== defaultEnvFile) flags.push('--env-file', context.envFile);
	// Only where the command takes --key (the registry refuses it on decrypt, inspect, deploy …).
	const takesKey = args[0] === undefined || commandTakesFlag(args[0], 'key');
	if (context.keyRef && takesKey && !args.includes('--key')) flags.push('--key', context.keyRef);
	return flags;
}

// The sandbox and an endpoint default to us-east-1 when no region is given (config.ts).
const localDefaultRegion = 'us-east-1';

function targetFlags(context: SessionContext): string[] {
	const {target} = context;
	switch (target.kind) {
		case 'sandbox':
			return [
				'--sandbox',
				...(target.sandboxDir === context.defaultSandboxDir
					? []
					: ['--sandbox-dir', target.sandboxDir]),
				...(target.region === localDefaultRegion ? [] : ['--region', target.region]),
			];
		case 'endpoint':
			return [
				...(context.endpointUrl ? ['--endpoint-url', context.endpointUrl] : []),
				...(target.profile ? ['--profile', target.profile] : []),
				...(target.region === localDefaultRegion ? [] : ['--region', target.region]),
			];
		case 'aws':
			return [
				...(target.profile ? ['--profile', target.profile] : []),
				// Undefined: the profile's region, which the same --profile finds again.
				...(target.region ? ['--region', target.region] : []),
			];
	}
}

/**
 * The AWS CLI options that reach this session's target (after `aws kms …`). Empty for the
 * embedded sandbox: it listens only inside kms-tui, and `kms-tui sandbox serve` is how the AWS
 * CLI reaches it.
 */
export function awsCliFlags(context: SessionContext): string {
	const {target} = context;
	if (target.kind === 'sandbox') return '';
	return [
		...(target.kind === 'endpoint' && context.endpointUrl
			? ['--endpoint-url', context.endpointUrl]
			: []),
		...(target.profile ? ['--profile', target.profile] : []),
		...(target.region ? ['--region', target.region] : []),
	]
		.map(shellQuote)
		.join(' ');
}

/** One argument for a POSIX shell: as is when it is plain, else in single quotes. */
export function shellQuote(value: string): string {
	return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
