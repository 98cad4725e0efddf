/**
 * What is true now, for a migration plan: the two keys, where the alias points, the envelopes
 * under the root that still name the old key, and the .env file's key. Read on open and after
 * every step, so a resumed migration trusts AWS and the files, not its plan (every step is
 * idempotent: the alias may already point at the new key, files may already be re-wrapped).
 */
import {readEnvValue} from '../env-file/index.js';
import {
	blastRadius,
	filesUnder,
	type ScannedFile,
	type ScanResult,
	scanEnvelopes,
} from '../scan/scan.js';
import {type KeyInfo, ServiceError, type Services, type StackInfo} from '../service/index.js';
import {
	envFilePath,
	noKeyMessage,
	resolveKey,
	type SessionContext,
	stackKeyOutputs,
} from '../session-context.js';
import type {MigrationPlan} from './plan.js';

export type MigrationWorld = {
	/** Undefined once KMS no longer knows it (deleted). */
	readonly oldKey?: KeyInfo;
	readonly newKey?: KeyInfo;
	/** The new key's stack while its deployment has not given a key yet (esc during deploy). */
	readonly newStack?: StackInfo;
	/** The key id the alias points at; undefined when the alias does not exist. */
	readonly aliasTarget?: string;
	/** The session's stack when its AliasName output is this alias (CloudFormation owns it). */
	readonly aliasOwner?: string;
	/** Other aliases still on the old key (made by hand, another stack's): left dangling by its deletion. */
	readonly oldKeyAliases: readonly string[];
	readonly scan: ScanResult;
	/** Envelopes with at least one wrapping under the old key: what the re-wrap step re-wraps. */
	readonly underOldKey: readonly ScannedFile[];
	/** Envelopes that only the old key opens: its blast radius. */
	readonly unreadable: readonly ScannedFile[];
	readonly env: {readonly KMS_KEY_ID?: string; readonly KMS_KEY_ARN?: string};
};

async function describeOrUndefined(
	services: Services,
	keyRef: string,
	signal: AbortSignal,
): Promise<KeyInfo | undefined> {
	try {
		return await services.keys.describeKey(keyRef, {signal});
	} catch (error) {
		if (!signal.aborted && error instanceof ServiceError && error.kind === 'not-found')
			return undefined;
		throw error;
	}
}

export async function readWorld(
	services: Services,
	settings: SessionContext,
	plan: MigrationPlan,
	signal: AbortSignal,
): Promise<MigrationWorld> {
	const envFile = envFilePath(settings);
	const [oldKey, newKey, aliases, owner, scan, keyId, keyArn] = await Promise.all([
		describeOrUndefined(services, plan.oldKeyArn, signal),
		plan.newKeyArn ? describeOrUndefined(services, plan.newKeyArn, signal) : undefined,
		services.keys.listAliases(undefined, {signal}),
		stackKeyOutputs(services.stacks, plan.stackName, signal),
		scanEnvelopes([plan.rootDir], {signal}),
		readEnvValue(envFile, 'KMS_KEY_ID'),
		readEnvValue(envFile, 'KMS_KEY_ARN'),
	]);
	const newStack =
		plan.newStackName && !plan.newKeyArn
			? await services.stacks.findStack(plan.newStackName, {signal})
			: undefined;
	return {
		oldKey,
		newKey,
		newStack,
		aliasTarget: aliases.find((alias) => alias.name === plan.alias)?.targetKeyId,
		aliasOwner: owner?.outputs.AliasName === plan.alias ? plan.stackName : undefined,
		oldKeyAliases: aliases
			.filter((alias) => alias.name !== plan.alias && oldKey && alias.targetKeyId === oldKey.keyId)
			.map((alias) => alias.name),
		scan,
		underOldKey: filesUnder(scan, plan.oldKeyArn),
		unreadable: blastRadius(scan, plan.oldKeyArn).unreadable,
		env: {KMS_KEY_ID: keyId, KMS_KEY_ARN: keyArn},
	};
}

/**
 * The alias a new migration moves: KMS_KEY_ALIAS in the .env file, else the stack's AliasName
 * output, else the first alias of the session's key; and the key it points at now (the old key).
 */
export async function findMigrationStart(
	services: Services,
	settings: SessionContext,
	signal: AbortSignal,
): Promise<{alias: string; oldKey: KeyInfo}> {
	const aliases = await services.keys.listAliases(undefined, {signal});
	const fromEnv = await readEnvValue(envFilePath(settings), 'KMS_KEY_ALIAS');
	let name = fromEnv;
	if (!name)
		name = (await stackKeyOutputs(services.stacks, settings.stackName, signal))?.outputs.AliasName;
	if (!name) {
		const choice = await resolveKey(settings, async () => services.stacks, signal);
		if (!choice)
			throw new ServiceError(
				'not-found',
				noKeyMessage(settings),
				'Deploy the stack first (Deploy on Home), or start kms-tui with --key.',
			);
		const key = await services.keys.describeKey(choice.keyRef, {signal});
		name = aliases.find(
			(alias) => alias.targetKeyId === key.keyId && !alias.name.startsWith('alias/aws/'),
		)?.name;
		if (!name)
			throw new ServiceError(
				'not-found',
				`The key ${key.keyId} has no alias: a migration moves an alias from one key to another.`,
				'Create an alias for it first (Aliases on Home, or `kms-tui alias create alias/NAME`).',
			);
	}
	const target = aliases.find((alias) => alias.name === name)?.targetKeyId;
	if (!target)
		throw new ServiceError(
			'not-found',
			`The alias ${name} does not exist${fromEnv ? ' (KMS_KEY_ALIAS in the .env file names it)' : ''}, so there is nothing to migrate.`,
			'Create it first (Aliases on Home, or `kms-tui alias create`), or fix KMS_KEY_ALIAS.',
		);
	return {alias: name, oldKey: await services.keys.describeKey(target, {signal})};
}
