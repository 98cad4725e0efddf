/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases (fact sheet §2, §5). */
import {AwsError, ownEntry, type RequestContext} from '../context.js';
import {kmsIndex} from '../store-kms-index.js';
import {checkKeyState} from './key-state.js';
import {pageFields, paginate} from './pagination.js';
import {aliasArnFor, aliasByName, resolveKey} from './resolve.js';
import {type KmsAlias, type KmsState, toWireTime} from './state.js';
import {type Input, optionalString, requiredKeyId, requiredString} from './validation.js';

const aliasPattern = /^[a-zA-Z0-9:/_-]+$/;
const maxAliasesPerKey = 50;

/**
 * The model's length and pattern checks come first (they are front-end validation), then the
 * service's own rules: the `alias/` prefix and the reserved `alias/aws/` prefix.
 */
function readAliasName(input: Input): string {
	const name = requiredString(input, 'AliasName', {min: 1, max: 256, pattern: aliasPattern});
	if (!name.startsWith('alias/')) {
		throw new AwsError(
			'ValidationException',
			'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
		);
	}
	if (name.startsWith('alias/aws/')) {
		// Unverified against AWS (fact sheet §11); the model offers InvalidAliasNameException.
		throw new AwsError(
			'InvalidAliasNameException',
			'Alias names cannot begin with alias/aws/. That prefix is reserved for AWS managed keys.',
		);
	}
	if (name === 'alias/') {
		throw new AwsError('InvalidAliasNameException', 'Alias name must not be empty after "alias/".');
	}
	return name;
}

export function createAlias(state: KmsState, ctx: RequestContext, input: Input) {
	const aliasName = readAliasName(input);
	const key = resolveKey(state, ctx, requiredKeyId(input, 'TargetKeyId'), 'key');
	checkKeyState(key, 'manage');
	if (ownEntry(state.aliases, aliasName)) {
		throw new AwsError(
			'AlreadyExistsException',
			`An alias with the name ${aliasArnFor(ctx, aliasName)} already exists`,
		);
	}
	const count =
		kmsIndex(state)?.aliasCountOf(key.keyId) ??
		Object.values(state.aliases).filter((a) => a.targetKeyId === key.keyId).length;
	if (count >= maxAliasesPerKey) {
		throw new AwsError(
			'LimitExceededException',
			`${key.arn} already has ${maxAliasesPerKey} aliases, the most a key may have.`,
		);
	}
	state.aliases[aliasName] = {
		aliasName,
		targetKeyId: key.keyId,
		creationDate: ctx.now,
		lastUpdatedDate: ctx.now,
	};
	return {};
}

export function updateAlias(state: KmsState, ctx: RequestContext, input: Input) {
	const aliasName = readAliasName(input);
	const targetKeyId = requiredKeyId(input, 'TargetKeyId');
	const alias = aliasByName(state, ctx, aliasName);
	const key = resolveKey(state, ctx, targetKeyId, 'key');
	// Only the new target's state matters (§3). Every sandbox key is symmetric ENCRYPT_DECRYPT,
	// so the "same key type and usage" rule always holds; it is checked anyway for the future.
	checkKeyState(key, 'manage');
	const current = ownEntry(state.keys, alias.targetKeyId);
	if (current && (current.keySpec !== key.keySpec || current.keyUsage !== key.keyUsage)) {
		throw new AwsError(
			'ValidationException',
			`${key.arn} has a different key type or usage than the alias's current key.`,
		);
	}
	alias.targetKeyId = key.keyId;
	alias.lastUpdatedDate = ctx.now;
	return {};
}

export function deleteAlias(state: KmsState, ctx: RequestContext, input: Input) {
	const aliasName = readAliasName(input);
	aliasByName(state, ctx, aliasName);
	delete state.aliases[aliasName];
	return {};
}

export function listAliases(state: KmsState, ctx: RequestContext, input: Input) {
	const keyIdInput = optionalString(input, 'KeyId', {min: 1, max: 2048});
	const key = keyIdInput === undefined ? undefined : resolveKey(state, ctx, keyIdInput, 'key');
	// The store's index holds the order; only the page's aliases are read.
	const names =
		kmsIndex(state)?.sortedAliasNames(key?.keyId) ??
		Object.values(state.aliases)
			.filter((alias) => key === undefined || alias.targetKeyId === key.keyId)
			.map((alias) => alias.aliasName)
			.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	const page = paginate(input, {
		list: 'aliases',
		items: names,
		sortKey: (name) => name,
		keyKind: 'string',
		maxLimit: 100,
		defaultLimit: 50,
	});
	return {
		Aliases: page.items
			.map((name) => state.aliases[name] as KmsAlias)
			.map((alias) => ({
				AliasName: alias.aliasName,
				AliasArn: aliasArnFor(ctx, alias.aliasName),
				TargetKeyId: alias.targetKeyId,
				CreationDate: toWireTime(alias.creationDate),
				LastUpdatedDate: toWireTime(alias.lastUpdatedDate),
			})),
		...pageFields(page),
	};
}
