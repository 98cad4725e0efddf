/**
 * The guided lifecycle on Home, judged from real state (pure: a snapshot in, steps out). Each
 * step says where it stands, what to do, which screen does it and which CLI command is the same.
 */
import {formatDate} from '../format.js';
import type {EnvelopeScan} from '../hooks/find-envelopes.js';
import {envKeyVariables, type LifecycleSnapshot, stackOutputOf} from '../hooks/lifecycle.js';
import type {Route} from '../navigation/routes.js';
import {defaultPendingWindowDays} from '../service/validation.js';
import {terminalSafeLine} from '../terminal-text.js';

export type StepId =
	| 'deploy'
	| 'env'
	| 'rotation'
	| 'alias'
	| 'encrypt'
	| 'decrypt'
	| 'deletion'
	| 'cleanup'
	| 'migrate';

export type StepStatus = 'done' | 'todo' | 'attention' | 'in-progress' | 'blocked' | 'not-built';

export type Step = {
	readonly id: StepId;
	readonly title: string;
	readonly status: StepStatus;
	/** A few words for the list row. */
	readonly summary: string;
	/** A sentence for the focused step. */
	readonly detail: string;
	/** Undefined for steps whose screen is not in this build. */
	readonly route?: Route;
	readonly cli: readonly string[];
};

const settled = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);

function deployStep(snapshot: LifecycleSnapshot, stackName: string): Step {
	const base = {
		id: 'deploy',
		title: 'Deploy the stack',
		route: {name: 'deploy'},
		cli: ['deploy'],
	} as const;
	const {stack} = snapshot;
	if (!stack)
		return {
			...base,
			status: 'todo',
			summary: 'no stack yet',
			detail: `Create stack ${stackName} from KmsKey.yaml: a KMS key with rotation and an alias.`,
		};
	if (settled.has(stack.status))
		return {
			...base,
			status: 'done',
			summary: stack.status,
			detail: `Stack ${stack.name} is ${stack.status}. Deploy again to change its parameters.`,
		};
	if (stack.status.endsWith('_IN_PROGRESS'))
		return {
			...base,
			status: 'in-progress',
			summary: stack.status,
			detail: `Stack ${stack.name} is ${stack.status}; press R to look again.`,
		};
	return {
		...base,
		status: 'attention',
		summary: stack.status,
		detail:
			stack.status === 'ROLLBACK_COMPLETE'
				? `Stack ${stack.name} failed to create and was rolled back: it can only be deleted (Cleanup), then deployed again.`
				: `Stack ${stack.name} is ${stack.status}${stack.statusReason ? `: ${stack.statusReason}` : ''}.`,
	};
}

/** Words for what KMS said about the .env file's key (LifecycleSnapshot.envKeyState). */
const envKeyStateWords = {
	'not-found': 'a key that no longer exists',
	'pending-deletion': 'a key that is pending deletion',
} as const;

export type StaleEnv = {
	/** The variables that are out of date, for the list row. */
	readonly names: readonly string[];
	/** One sentence per variable: what the file says and what it should say. */
	readonly reasons: readonly string[];
	/** True when the stack holds a key, so `kms-tui outputs --write-env` fixes the file. */
	readonly isFixable: boolean;
};

/**
 * What is out of date in the .env file: KMS_KEY_ID, KMS_KEY_ARN or KMS_KEY_ALIAS differ from the
 * stack's outputs, or KMS_KEY_ID names a key that is gone or pending deletion while the stack (if
 * any) has another. Undefined when the file is current, or has no KMS_KEY_ID at all.
 */
export function staleEnv(snapshot: LifecycleSnapshot, envFile: string): StaleEnv | undefined {
	const {envValues, envKeyId, stackOutputs, stackKeyId, envKeyState} = snapshot;
	if (!envKeyId) return undefined;
	// Written from another stack (a migration's second one): this stack's outputs say nothing of
	// it, and writing them over it would point the file back at this stack's key (envStep says so).
	if (envOfOtherStack(snapshot)) return undefined;
	const names: string[] = [];
	const reasons: string[] = [];
	const state = envKeyState ? ` (${envKeyStateWords[envKeyState]})` : '';
	// A variable the file leaves out is not stale (a hand-written .env may hold KMS_KEY_ID alone).
	for (const name of envKeyVariables) {
		const expected = stackOutputs?.[stackOutputOf[name]];
		const actual = envValues[name];
		if (expected === undefined || actual === undefined || actual === expected) continue;
		names.push(name);
		reasons.push(
			`${name} in ${envFile} is ${terminalSafeLine(actual)}${name === 'KMS_KEY_ID' ? state : ''}, but the stack's ${stackOutputOf[name]} is ${expected}.`,
		);
	}
	// No stack key to compare with: the file is stale if its key is gone or going.
	if (!stackKeyId && envKeyState) {
		names.push('KMS_KEY_ID');
		reasons.push(
			`KMS_KEY_ID in ${envFile} points at ${envKeyStateWords[envKeyState]}: ${terminalSafeLine(envKeyId)}.`,
		);
	}
	if (names.length === 0) return undefined;
	return {names, reasons, isFixable: stackKeyId !== undefined};
}

/** KMS_STACK_NAME in the .env file when it names another stack than the session's. */
function envOfOtherStack(snapshot: LifecycleSnapshot): string | undefined {
	const {envStackName, stackName} = snapshot;
	return envStackName && envStackName !== stackName ? envStackName : undefined;
}

/** What to do about a stale .env file, around the command that does it. */
export function staleEnvAction(stale: StaleEnv, writeEnvCommand: string): string {
	return stale.isFixable
		? `Run \`${writeEnvCommand}\` (or open Write .env) to take the stack's values.`
		: `Deploy the stack again, then run \`${writeEnvCommand}\`; or remove KMS_KEY_ID from the file.`;
}

function envStep(snapshot: LifecycleSnapshot, envFile: string): Step {
	const base = {
		id: 'env',
		title: 'Write .env',
		route: {name: 'outputs'},
		cli: ['outputs', '--write-env'],
	} as const;
	const {stackKeyId, envKeyId} = snapshot;
	const otherStack = envOfOtherStack(snapshot);
	if (otherStack)
		return {
			...base,
			// Not --write-env: that would write this stack's values over the other stack's.
			cli: ['outputs'],
			status: 'attention',
			summary: `.env follows stack ${terminalSafeLine(otherStack)}`,
			detail: `${envFile} was written from stack ${terminalSafeLine(otherStack)} (KMS_STACK_NAME), not ${snapshot.stackName}: start kms-tui again here (it reads KMS_STACK_NAME) or pass --stack-name ${terminalSafeLine(otherStack)} to follow it.`,
		};
	const stale = staleEnv(snapshot, envFile);
	if (stale)
		return {
			...base,
			status: 'attention',
			summary: `${stale.names.join(', ')} ${stale.names.length > 1 ? 'are' : 'is'} stale`,
			// The reasons are on Home's stale-.env line, whichever step is focused.
			detail: stale.isFixable
				? `${envFile} does not match the stack: enter shows its outputs and writes them into the file.`
				: `${envFile} names a key the stack no longer has: deploy the stack again, then write its outputs.`,
		};
	if (!stackKeyId)
		return {
			...base,
			status: 'blocked',
			summary: envKeyId ? 'no stack key to match' : 'deploy first',
			detail: `The stack's outputs go into ${envFile}; there is no stack key yet.`,
		};
	if (envKeyId === stackKeyId)
		return {
			...base,
			status: 'done',
			summary: 'KMS_KEY_ID matches',
			detail: `KMS_KEY_ID in ${envFile} is the stack's key ${stackKeyId}.`,
		};
	return {
		...base,
		status: 'todo',
		summary: `no KMS_KEY_ID in ${envFile}`,
		detail: `Write KMS_KEY_ID, KMS_KEY_ARN and the alias from the stack outputs into ${envFile}.`,
	};
}

function keyBlocked(snapshot: LifecycleSnapshot): {summary: string; detail: string} | undefined {
	if (snapshot.keyError) return {summary: 'key unreadable', detail: snapshot.keyError.message};
	if (!snapshot.overview)
		return {
			summary: 'no key yet',
			detail: 'There is no key to work on yet: deploy the stack first.',
		};
	return undefined;
}

function rotationStep(snapshot: LifecycleSnapshot): Step {
	const base = {
		id: 'rotation',
		title: 'Enable rotation',
		route: {name: 'key'},
		cli: ['rotation', 'enable'],
	} as const;
	const blocked = keyBlocked(snapshot);
	if (blocked) return {...base, status: snapshot.keyError ? 'attention' : 'blocked', ...blocked};
	const rotation = snapshot.overview?.rotation;
	if (!rotation)
		return {
			...base,
			status: 'blocked',
			summary: 'not available',
			detail: 'This key does not support automatic rotation.',
		};
	if (rotation.enabled)
		return {
			...base,
			status: 'done',
			summary: `on, every ${rotation.periodDays ?? '?'} days`,
			detail: `Automatic rotation is on; next rotation ${formatDate(rotation.nextRotation)}.`,
		};
	return {
		...base,
		status: 'todo',
		summary: 'off',
		detail: 'Automatic rotation is off: turn it on so KMS renews the key material.',
	};
}

function aliasStep(snapshot: LifecycleSnapshot): Step {
	const base = {
		id: 'alias',
		title: 'Create an alias',
		route: {name: 'aliases'},
		cli: ['alias', 'create', 'alias/NAME'],
	} as const;
	const blocked = keyBlocked(snapshot);
	if (blocked) return {...base, status: snapshot.keyError ? 'attention' : 'blocked', ...blocked};
	const aliases = snapshot.overview?.aliases ?? [];
	if (aliases.length > 0)
		return {
			...base,
			status: 'done',
			summary: aliases.map((alias) => alias.name).join(', '),
			detail: `The key is reachable as ${aliases.map((alias) => alias.name).join(', ')}.`,
		};
	return {
		...base,
		status: 'todo',
		summary: 'no alias',
		detail: 'Give the key a name such as alias/my-app so that code never hard-codes its id.',
	};
}

function encryptStep(snapshot: LifecycleSnapshot, scan: EnvelopeScan | undefined): Step {
	const base = {id: 'encrypt', title: 'Encrypt a file', route: {name: 'encrypt'}} as const;
	const blocked = keyBlocked(snapshot);
	if (blocked)
		return {
			...base,
			status: snapshot.keyError ? 'attention' : 'blocked',
			...blocked,
			cli: ['encrypt', 'FILE'],
		};
	const [first, ...rest] = scan?.envelopes ?? [];
	if (first)
		return {
			...base,
			status: 'done',
			summary: `${rest.length + 1} envelope${rest.length > 0 ? 's' : ''} here`,
			detail: `${first.relativePath}${rest.length > 0 ? ` and ${rest.length} more` : ''} under this directory ${rest.length > 0 ? 'are' : 'is'} encrypted under this key. Encrypt another, or decrypt one.`,
			cli: ['encrypt', 'FILE'],
		};
	return {
		...base,
		status: 'todo',
		summary: 'no envelope yet',
		detail:
			'Encrypt a file with a data key from KMS (envelope encryption): FILE.kms next to it. l on Home shows how, step by step.',
		cli: ['encrypt', 'FILE'],
	};
}

function decryptStep(snapshot: LifecycleSnapshot, scan: EnvelopeScan | undefined): Step {
	const base = {id: 'decrypt', title: 'Decrypt it', route: {name: 'decrypt'}} as const;
	const envelopes = scan?.envelopes ?? [];
	const first = envelopes[0];
	if (keyBlocked(snapshot) || !first)
		return {
			...base,
			status: 'blocked',
			summary: 'encrypt first',
			detail: 'There is no envelope made with this key under this directory yet.',
			cli: ['decrypt', 'FILE.kms'],
		};
	const decrypted = envelopes.find((envelope) => envelope.decryptedPath);
	if (decrypted)
		return {
			...base,
			status: 'done',
			summary: `decrypted ${decrypted.relativePath}`,
			detail: `${decrypted.relativePath} was decrypted into a private (0600) copy. Decrypt again, or move on.`,
			cli: ['decrypt', decrypted.relativePath],
		};
	return {
		...base,
		status: 'todo',
		summary: `${envelopes.length} to decrypt`,
		detail: `Decrypt ${first.relativePath}: see its header first, then one KMS Decrypt gets the data key back.`,
		cli: ['decrypt', first.relativePath],
	};
}

function deletionStep(snapshot: LifecycleSnapshot): Step {
	const base = {
		id: 'deletion',
		title: 'Schedule deletion (or cancel)',
		route: {name: 'deletion'},
		cli: ['delete-key', '--days', String(defaultPendingWindowDays)],
	} as const;
	const blocked = keyBlocked(snapshot);
	if (blocked) return {...base, status: snapshot.keyError ? 'attention' : 'blocked', ...blocked};
	const key = snapshot.overview?.key;
	if (key?.state === 'PendingDeletion')
		return {
			...base,
			status: 'done',
			summary: 'pending deletion',
			detail: `KMS deletes the key ${formatDate(key.deletionDate)}; you can still cancel.`,
			cli: ['delete-key', '--cancel'],
		};
	if (key?.state === 'Disabled')
		return {
			...base,
			status: 'attention',
			summary: 'key Disabled',
			detail: 'The key is Disabled: enable it again, or schedule its deletion.',
			cli: ['delete-key', '--enable'],
		};
	return {
		...base,
		status: 'todo',
		summary: `key ${key?.state ?? '?'}`,
		detail: 'Schedule the deletion of the key (7–30 days), and see how to cancel it.',
	};
}

function cleanupStep(snapshot: LifecycleSnapshot, stackName: string): Step {
	const base = {
		id: 'cleanup',
		title: 'Delete the stack',
		route: {name: 'cleanup'},
		cli: ['destroy'],
	} as const;
	if (snapshot.stack)
		return {
			...base,
			status: 'todo',
			summary: `stack ${snapshot.stack.status}`,
			detail: `Delete stack ${stackName}; its key is scheduled for deletion, not deleted at once.`,
		};
	if (snapshot.key)
		return {
			...base,
			status: 'done',
			summary: 'no stack left',
			detail: `There is no stack ${stackName}; the key from ${snapshot.key.source} remains until KMS deletes it.`,
		};
	return {...base, status: 'blocked', summary: 'no stack', detail: 'Nothing to delete yet.'};
}

/** The seeds' manual rotation: an alias moved to a new key, the envelopes re-wrapped (migration screen). */
function migrateStep(snapshot: LifecycleSnapshot): Step {
	const base = {
		id: 'migrate',
		title: 'Migrate to a new key',
		route: {name: 'migration'},
		cli: ['rewrap', '.', '--recursive', '--to', 'NEW_KEY'],
	} as const;
	const alias = snapshot.overview?.aliases[0]?.name;
	if (keyBlocked(snapshot) || !alias || snapshot.overview?.key.state !== 'Enabled')
		return {
			...base,
			status: 'blocked',
			summary: alias ? `key ${snapshot.overview?.key.state ?? '?'}` : 'needs an alias',
			detail:
				'Moves the key’s alias to a new key and re-wraps the envelopes; it needs an enabled key with an alias.',
		};
	return {
		...base,
		status: 'todo',
		summary: 'optional',
		detail: `Manual rotation, made safe: a new key, ${alias} pointed at it, the envelopes here re-wrapped, and the old key's deletion offered only once none needs it.`,
	};
}

export function lifecycleSteps(
	snapshot: LifecycleSnapshot,
	settings: {readonly stackName: string; readonly envFile: string},
	/** Envelopes under cwd made with the current key (steps 5 and 6). */
	envelopes?: EnvelopeScan,
): Step[] {
	return [
		deployStep(snapshot, settings.stackName),
		envStep(snapshot, settings.envFile),
		rotationStep(snapshot),
		aliasStep(snapshot),
		encryptStep(snapshot, envelopes),
		decryptStep(snapshot, envelopes),
		deletionStep(snapshot),
		cleanupStep(snapshot, settings.stackName),
		migrateStep(snapshot),
	];
}

/** The step to do next: the first that is running, needs attention or is still to do. */
export function nextStepIndex(steps: readonly Step[]): number {
	const index = steps.findIndex((step) =>
		['in-progress', 'attention', 'todo'].includes(step.status),
	);
	return index === -1 ? 0 : index;
}
