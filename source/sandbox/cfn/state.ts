// Placeholder: the CloudFormation engine owns this file.
export type CfnState = Record<string, unknown>;
export function emptyCfnState(): CfnState {
	return {};
}
