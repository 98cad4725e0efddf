/**
 * Turning a `KeyId`-style member into a key, with the NotFoundException messages of fact sheet §2.
 *
 * Which operations take aliases is fixed by §2. When an alias name or alias ARN reaches an
 * operation that accepts only a key ID or key ARN, we answer NotFoundException
 * "Invalid keyId '<value>'": to such an operation an alias is simply not a well-formed key ID,
 * and §2 records exactly that message for a malformed ID. (An alias ARN for another Region still
 * gets "Invalid arn <region>" first, as every ARN does.)
 */
import {AwsError, ownEntry, type RequestContext} from '../context.js';
import {partitionOf} from '../regions.js';
import type {KmsAlias, KmsKey, KmsState} from './state.js';

export type IdMode = 'key' | 'keyOrAlias';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const multiRegionPattern = /^mrk-[0-9a-f]{32}$/;

export function keyArnFor(ctx: RequestContext, keyId: string): string {
	return `arn:${partitionOf(ctx.region).partition}:kms:${ctx.region}:${ctx.accountId}:key/${keyId}`;
}

export function aliasArnFor(ctx: RequestContext, aliasName: string): string {
	return `arn:${partitionOf(ctx.region).partition}:kms:${ctx.region}:${ctx.accountId}:${aliasName}`;
}

function notFound(message: string): AwsError {
	return new AwsError('NotFoundException', message);
}

function invalidKeyId(value: string): AwsError {
	return notFound(`Invalid keyId '${value}'`);
}

function keyById(state: KmsState, keyId: string, arnForMessage: string): KmsKey {
	const key = ownEntry(state.keys, keyId);
	if (!key) {
		throw notFound(`Key '${arnForMessage}' does not exist`);
	}
	return key;
}

/** The alias record for a name, or NotFoundException "Alias <aliasArn> is not found." */
export function aliasByName(state: KmsState, ctx: RequestContext, aliasName: string): KmsAlias {
	const alias = ownEntry(state.aliases, aliasName);
	if (!alias) {
		throw notFound(`Alias ${aliasArnFor(ctx, aliasName)} is not found.`);
	}
	return alias;
}

function keyOfAlias(state: KmsState, ctx: RequestContext, aliasName: string): KmsKey {
	const alias = aliasByName(state, ctx, aliasName);
	return keyById(state, alias.targetKeyId, keyArnFor(ctx, alias.targetKeyId));
}

export function resolveKey(
	state: KmsState,
	ctx: RequestContext,
	value: string,
	mode: IdMode,
): KmsKey {
	if (value.startsWith('arn:')) {
		// arn:<partition>:kms:<region>:<account>:<resource>; alias names may themselves hold ':'.
		const parts = value.split(':');
		const region = parts[3];
		const account = parts[4];
		const resource = parts.slice(5).join(':');
		// The partition must be the request region's own: `arn:xyz:kms:…` names no AWS key.
		if (
			parts.length < 6 ||
			parts[1] !== partitionOf(ctx.region).partition ||
			parts[2] !== 'kms' ||
			region === undefined ||
			region === ''
		) {
			throw invalidKeyId(value);
		}
		if (region !== ctx.region) {
			throw notFound(`Invalid arn ${region}`);
		}
		if (resource.startsWith('key/')) {
			const keyId = resource.slice('key/'.length);
			if (account !== ctx.accountId) {
				throw notFound(`Key '${value}' does not exist`);
			}
			return keyById(state, keyId, value);
		}
		if (resource.startsWith('alias/') && mode === 'keyOrAlias') {
			if (account !== ctx.accountId) {
				throw notFound(`Alias ${value} is not found.`);
			}
			return keyOfAlias(state, ctx, resource);
		}
		throw invalidKeyId(value);
	}
	if (value.startsWith('alias/')) {
		if (mode === 'key') {
			throw invalidKeyId(value);
		}
		return keyOfAlias(state, ctx, value);
	}
	if (!uuidPattern.test(value) && !multiRegionPattern.test(value)) {
		throw invalidKeyId(value);
	}
	return keyById(state, value, keyArnFor(ctx, value));
}
