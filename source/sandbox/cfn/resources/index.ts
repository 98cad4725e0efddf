/** The resource types the sandbox can deploy. Anything else is refused when a template is read. */
import type {ResourceType} from './common.js';
import {kmsAlias} from './kms-alias.js';
import {kmsKey} from './kms-key.js';

export type {ResourceContext, ResourceType} from './common.js';
export {ResourceFailure} from './common.js';

export const resourceTypes: Readonly<Record<string, ResourceType>> = {
	'AWS::KMS::Key': kmsKey,
	'AWS::KMS::Alias': kmsAlias,
};

export function resourceType(type: string): ResourceType {
	const handler = Object.hasOwn(resourceTypes, type) ? resourceTypes[type] : undefined;
	if (!handler) {
		throw new Error(`unsupported resource type ${type} reached the engine`);
	}
	return handler;
}
