import type {StackInfo} from '../service/types.js';

/** The .env variables kms-tui owns, from the stack's outputs. */
export function envValuesFromStack(
	stack: StackInfo,
	region: string | undefined,
): Record<string, string> {
	const values: Record<string, string> = {};
	if (stack.outputs.KeyId) values.KMS_KEY_ID = stack.outputs.KeyId;
	if (stack.outputs.KeyArn) values.KMS_KEY_ARN = stack.outputs.KeyArn;
	if (stack.outputs.AliasName) values.KMS_KEY_ALIAS = stack.outputs.AliasName;
	const stackRegion = region ?? stack.id.split(':')[3];
	if (stackRegion) values.AWS_REGION = stackRegion;
	values.KMS_STACK_NAME = stack.name;
	return values;
}
