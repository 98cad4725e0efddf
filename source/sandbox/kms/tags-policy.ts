/** Tags and key policies: TagResource, UntagResource, ListResourceTags, GetKeyPolicy, PutKeyPolicy. */
import {checkLockout, lockoutMessage} from '../../policy/lockout.js';
import {parsePolicy} from '../../policy/parse.js';
import {AwsError, type RequestContext} from '../context.js';
import {checkKeyState} from './key-state.js';
import {pageFields, paginate} from './pagination.js';
import {resolveKey} from './resolve.js';
import type {KmsState, KmsTag} from './state.js';
import {
	checkString,
	constraint,
	type Input,
	optionalBoolean,
	optionalList,
	optionalString,
	requiredKeyId,
	requiredString,
} from './validation.js';

const maxTags = 50;

function tagError(message: string): AwsError {
	return new AwsError('TagException', message);
}

/** Shape-checks a `Tags` list ([{TagKey 1–128, TagValue 0–256}]) and the TagException rules. */
export function readTags(input: Input, required: boolean): KmsTag[] {
	const list = optionalList(input, 'Tags');
	if (list === undefined) {
		if (required) {
			throw constraint(null, 'tags', 'Member must not be null');
		}
		return [];
	}
	const tags = list.map((entry, index): KmsTag => {
		const path = `tags.${index + 1}.member`;
		const member = (typeof entry === 'object' && entry !== null ? entry : {}) as Input;
		return {
			TagKey: requiredString(member, 'TagKey', {min: 1, max: 128, path: `${path}.tagKey`}),
			TagValue: requiredString(member, 'TagValue', {min: 0, max: 256, path: `${path}.tagValue`}),
		};
	});
	const seen = new Set<string>();
	for (const tag of tags) {
		if (tag.TagKey.startsWith('aws:')) {
			throw tagError('Tags beginning with aws: are reserved');
		}
		if (seen.has(tag.TagKey)) {
			throw tagError('Duplicate tag keys');
		}
		seen.add(tag.TagKey);
	}
	if (tags.length > maxTags) {
		throw tagError('Too many tags');
	}
	return tags;
}

/** Existing keys are overwritten in place; new ones are appended. */
export function mergeTags(existing: readonly KmsTag[], added: readonly KmsTag[]): KmsTag[] {
	const merged = existing.map((tag) => ({...tag}));
	for (const tag of added) {
		const current = merged.find((candidate) => candidate.TagKey === tag.TagKey);
		if (current) {
			current.TagValue = tag.TagValue;
		} else {
			merged.push({...tag});
		}
	}
	if (merged.length > maxTags) {
		throw tagError('Too many tags');
	}
	return merged;
}

export function tagResource(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const tags = readTags(input, true);
	checkKeyState(key, 'manage');
	key.tags = mergeTags(key.tags, tags);
	return {};
}

export function untagResource(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const list = optionalList(input, 'TagKeys');
	if (list === undefined) {
		throw constraint(null, 'tagKeys', 'Member must not be null');
	}
	const tagKeys = list.map((entry, index) => {
		const path = `tagKeys.${index + 1}.member`;
		if (typeof entry !== 'string') {
			throw constraint(entry, path, 'Member must not be null');
		}
		return checkString(entry, path, {min: 1, max: 128});
	});
	checkKeyState(key, 'manage');
	// Unknown tag keys are ignored, as in KMS.
	key.tags = key.tags.filter((tag) => !tagKeys.includes(tag.TagKey));
	return {};
}

export function listResourceTags(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const sorted = [...key.tags].sort((a, b) =>
		a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0,
	);
	const page = paginate(input, {
		list: 'tags',
		items: sorted,
		sortKey: (tag) => tag.TagKey,
		keyKind: 'string',
		maxLimit: 50,
		defaultLimit: 50,
	});
	return {Tags: page.items.map((tag) => ({...tag})), ...pageFields(page)};
}

export function defaultKeyPolicy(accountId: string): string {
	return JSON.stringify(
		{
			Version: '2012-10-17',
			Id: 'key-default-1',
			Statement: [
				{
					Sid: 'Enable IAM User Permissions',
					Effect: 'Allow',
					Principal: {AWS: `arn:aws:iam::${accountId}:root`},
					Action: 'kms:*',
					Resource: '*',
				},
			],
		},
		null,
		2,
	);
}

/**
 * The policy must be a JSON object with a Statement; the sandbox does not evaluate policies, but
 * a policy AWS would reject must not be accepted here and then fail on the real service.
 */
export function readPolicy(input: Input, required: boolean): string | undefined {
	const policy = required
		? requiredString(input, 'Policy', {min: 1, max: 131072})
		: optionalString(input, 'Policy', {min: 1, max: 131072});
	if (policy === undefined) {
		return undefined;
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(policy);
	} catch {
		throw new AwsError('MalformedPolicyDocumentException', 'The policy is not valid JSON.');
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new AwsError('MalformedPolicyDocumentException', 'The policy must be a JSON object.');
	}
	if (!('Statement' in parsed)) {
		throw new AwsError(
			'MalformedPolicyDocumentException',
			'The policy must contain a Statement element.',
		);
	}
	if (Buffer.byteLength(policy, 'utf8') > 32 * 1024) {
		throw new AwsError('LimitExceededException', 'The key policy exceeds the 32 KB size quota.');
	}
	return policy;
}

/**
 * KMS's policy lockout safety check, unless the request bypasses it: the new policy must let the
 * caller call PutKeyPolicy again. The sandbox has no IAM, so every caller is the account root,
 * and the rule is the one `kms-tui policy put` checks first (source/policy/lockout.ts).
 */
export function checkPolicyLockout(ctx: RequestContext, policy: string, input: Input): void {
	if (optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck') === true) return;
	if (!checkLockout(parsePolicy(policy), {account: ctx.accountId}).isSafe)
		throw new AwsError('MalformedPolicyDocumentException', lockoutMessage);
}

function readPolicyName(input: Input): string {
	const name = optionalString(input, 'PolicyName', {min: 1, max: 128, pattern: /^[\w]+$/});
	if (name !== undefined && name !== 'default') {
		// KMS keys have exactly one policy, named "default".
		throw new AwsError('NotFoundException', `Policy ${name} does not exist.`);
	}
	return 'default';
}

export function getKeyPolicy(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	const policyName = readPolicyName(input);
	return {Policy: key.policy, PolicyName: policyName};
}

export function putKeyPolicy(state: KmsState, ctx: RequestContext, input: Input) {
	const key = resolveKey(state, ctx, requiredKeyId(input), 'key');
	readPolicyName(input);
	const policy = readPolicy(input, true) as string;
	checkPolicyLockout(ctx, policy, input);
	checkKeyState(key, 'manage');
	key.policy = policy;
	return {};
}
