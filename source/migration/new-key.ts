/**
 * The new key of a migration: a name for its own stack (a second deployment of KmsKey.yaml), or
 * a key picked, checked for what the alias and the envelopes need of it.
 */
import {type KeyInfo, ServiceError, type Services} from '../service/index.js';
import {holdsKey} from '../session-context.js';
import {type MigrationPlan, nextStackNames} from './plan.js';

/**
 * A stack name for the new key: `<stack>-next`, unless that stack holds the key being left
 * (a second migration), then `-next-2` and so on. A `-next` stack holding another key is reused:
 * deploying it again changes nothing, and its key becomes the new key.
 */
export async function freeStackNames(
	services: Services,
	plan: MigrationPlan,
	signal: AbortSignal,
): Promise<{stackName: string; aliasName: string}> {
	for (let attempt = 1; attempt < 10; attempt++) {
		const names = nextStackNames(plan.stackName, plan.alias, attempt);
		const stack = await services.stacks.findStack(names.stackName, {signal});
		if (!holdsKey(stack)) return names;
		const outputs = (await services.stacks.keyOutputs(stack, {signal})).outputs;
		if (outputs.KeyArn !== plan.oldKeyArn) return names;
	}
	throw new ServiceError(
		'stack',
		`Stacks ${plan.stackName}-next to -next-9 all hold the key being left.`,
		'Pick an existing key instead (p).',
	);
}

/** Why a picked key cannot be the new key; a ServiceError that says so, or nothing. */
export function checkNewKey(key: KeyInfo, plan: MigrationPlan, typed: string): void {
	const problem =
		key.arn === plan.oldKeyArn
			? 'is the key being left'
			: key.state !== 'Enabled'
				? `is ${key.state}`
				: key.keySpec !== 'SYMMETRIC_DEFAULT' || key.keyUsage !== 'ENCRYPT_DECRYPT'
					? 'is not a symmetric encryption key'
					: undefined;
	if (problem)
		throw new ServiceError(
			'validation',
			`${typed} ${problem}: it cannot be the new key.`,
			'Pick another key (p), or create one (c).',
		);
}
