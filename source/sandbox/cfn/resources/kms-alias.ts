/**
 * AWS::KMS::Alias (fact sheet §9): Ref → the alias name; no GetAtt attributes. A new AliasName
 * means a new alias (replacement); a new TargetKeyId is an UpdateAlias.
 */
import {checkProperties, kmsCall, kmsCallUnless, type ResourceType} from './common.js';

export const kmsAlias: ResourceType = {
	attributes: [],

	validate(logicalId, properties) {
		checkProperties(
			logicalId,
			properties,
			{
				AliasName: {type: 'string', min: 1, max: 256, pattern: /^(alias\/)[a-zA-Z0-9:/_-]+$/},
				TargetKeyId: {type: 'string', min: 1, max: 256},
			},
			['AliasName', 'TargetKeyId'],
		);
	},

	recreation: (property) => (property === 'AliasName' ? 'Always' : 'Never'),

	create(rc, properties) {
		const aliasName = properties.AliasName as string;
		kmsCall(rc, 'CreateAlias', {AliasName: aliasName, TargetKeyId: properties.TargetKeyId});
		return {physicalId: aliasName, attributes: {}};
	},

	update(rc, aliasName, before, after) {
		if (before.TargetKeyId !== after.TargetKeyId) {
			kmsCall(rc, 'UpdateAlias', {AliasName: aliasName, TargetKeyId: after.TargetKeyId});
		}
		return {};
	},

	delete(rc, aliasName) {
		kmsCallUnless(
			rc,
			'DeleteAlias',
			{AliasName: aliasName},
			(error) => error.code === 'NotFoundException',
		);
	},
};
