/**
 * `kms-tui destroy`'s last step: the .env variables that still name the deleted key, commented
 * out or removed (env-file/key-cleanup.ts) — asked on a terminal, done with --yes or
 * --env-cleanup, otherwise the command to run instead is given. Also `destroy --env-cleanup`
 * alone, once the stack is gone.
 */
import {
	describeCleanupLines,
	type EnvCleanupMode,
	type KeyNames,
	planEnvCleanup,
	writeEnvCleanup,
} from '../env-file/key-cleanup.js';
import {readEnvValue} from '../env-file/read.js';
import type {DeletionImpact} from '../scan/deletion-impact.js';
import type {KeyInfo, Services} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {destroyFlags} from './commands-table.js';
import {type CommandContext, confirm, printJson, ServiceError, say} from './context.js';

type Context = CommandContext<typeof destroyFlags>;

const keyIdPattern =
	/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?([\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}|mrk-[\da-f]{32})$/;

export type CleanupOutcome = {
	readonly path: string;
	readonly variables: readonly {name: string; value: string; line: number}[];
	readonly mode: EnvCleanupMode;
	readonly done: boolean;
	readonly backupPath?: string;
	/** What to run instead, when it was not done. */
	readonly command?: string;
	readonly message: string;
};

/**
 * The .env variables naming the stack's key, once the key is pending deletion (or gone): a
 * retained key stays usable, so its variables stay too.
 */
export async function offerEnvCleanup(
	context: Context,
	impact: DeletionImpact,
	after: readonly (KeyInfo | undefined)[],
): Promise<CleanupOutcome | undefined> {
	const {key} = impact;
	const now = after.find((candidate) => candidate?.keyId === key.keyId);
	if (now && now.state !== 'PendingDeletion') return undefined;
	const names: KeyNames = {
		keyId: key.keyId,
		arn: key.arn,
		aliases: impact.aliases.flatMap((alias) => [alias.name, ...(alias.arn ? [alias.arn] : [])]),
	};
	return cleanEnv(context, names);
}

async function cleanEnv(context: Context, names: KeyNames): Promise<CleanupOutcome | undefined> {
	const file = context.options.envFile;
	const requested = context.flags.envCleanup;
	if (requested === 'keep') return undefined;
	const mode: EnvCleanupMode = requested ?? 'comment';
	const plan = await planEnvCleanup(file, names, mode);
	if (!plan) return undefined;
	const safeFile = terminalSafeLine(file);
	const listed = terminalSafeLine(describeCleanupLines(plan.lines));
	const verb = mode === 'comment' ? 'Comment out' : 'Remove';
	const base = {path: file, variables: plan.lines, mode};
	let go = requested !== undefined || context.options.yes;
	if (!go && context.stdinIsTty && !context.options.json)
		go = await confirm(
			context,
			`${safeFile} still names the deleted key: ${listed}. ${verb} ${plan.lines.length === 1 ? 'it' : 'them'}? (y/N)`,
		);
	else if (!go) {
		const command = `kms-tui destroy --env-cleanup ${mode}${file === '.env' ? '' : ` --env-file ${file}`}`;
		return {
			...base,
			done: false,
			command,
			message: `${safeFile} still names the deleted key: ${listed}. \`${terminalSafeLine(command)}\` comments ${plan.lines.length === 1 ? 'it' : 'them'} out (--env-cleanup remove deletes ${plan.lines.length === 1 ? 'it' : 'them'}).`,
		};
	}
	if (!go) return {...base, done: false, message: `${safeFile} was left as it was.`};
	const {backupPath} = await writeEnvCleanup(plan);
	return {
		...base,
		done: true,
		...(backupPath ? {backupPath} : {}),
		message: `${mode === 'comment' ? 'Commented out' : 'Removed'} ${listed} in ${safeFile}${backupPath ? ` (the previous file is ${terminalSafeLine(backupPath)})` : ''}.`,
	};
}

/**
 * `destroy --env-cleanup MODE` once the stack is gone: the key .env names, if it is pending
 * deletion or no longer exists. An alias in .env that now points at another key stays.
 */
export async function cleanEnvOnly(context: Context, services: Services): Promise<void> {
	const file = context.options.envFile;
	const names = await deletedKeyNames(services, file);
	const outcome = names ? await cleanEnv(context, names) : undefined;
	if (context.options.json) {
		printJson(context, {envCleanup: outcome ?? null});
		return;
	}
	say(
		context,
		outcome?.message ??
			`${terminalSafeLine(file)} names no key that is pending deletion or deleted: nothing to clean.`,
	);
}

/** The key .env names, when it is pending deletion or gone (NotFound for a real key id/ARN). */
async function deletedKeyNames(services: Services, file: string): Promise<KeyNames | undefined> {
	const [keyId, arn, alias] = await Promise.all(
		['KMS_KEY_ID', 'KMS_KEY_ARN', 'KMS_KEY_ALIAS'].map((name) => readEnvValue(file, name)),
	);
	const keyRef = keyId || arn;
	if (!keyRef || !keyIdPattern.test(keyRef)) return undefined;
	// Any failure but NotFound (the network, permissions) is reported, not taken for a deletion.
	const key = await services.keys.describeKey(keyRef).catch((error: unknown) => {
		if (error instanceof ServiceError && error.kind === 'not-found') return undefined;
		throw error;
	});
	if (key && key.state !== 'PendingDeletion') return undefined;
	// An alias in .env that now points at another key is someone else's: it stays.
	const aliasNow = alias
		? await services.keys.describeKey(alias).catch(() => undefined)
		: undefined;
	return {
		keyId: key?.keyId ?? keyId ?? '',
		arn: key?.arn ?? arn ?? '',
		aliases: alias && (!aliasNow || aliasNow.keyId === key?.keyId) ? [alias] : [],
	};
}
