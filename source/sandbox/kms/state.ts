// Placeholder: the KMS engine owns this file.
export type KmsState = Record<string, unknown>;
export function emptyKmsState(): KmsState {
	return {};
}
