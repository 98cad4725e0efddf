/**
 * The persisted shape of one Region's KMS. Plain JSON only (base64 strings, epoch-ms numbers,
 * nulls) because the store writes it to disk as-is and reloads it in another process.
 */

export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';

export type KmsKeyMaterial = {
	/** 64 lowercase hex characters, the `KeyMaterialId` AWS reports. */
	id: string;
	/** 32 random bytes, base64: the AES-256 key. */
	material: string;
	createdAt: number;
};

export type KmsRotationType = 'AUTOMATIC' | 'ON_DEMAND';

export type KmsRotationRecord = {
	keyMaterialId: string;
	rotationDate: number;
	rotationType: KmsRotationType;
};

export type KmsTag = {TagKey: string; TagValue: string};

export type KmsKey = {
	keyId: string;
	arn: string;
	accountId: string;
	/** Creation order; ListKeys pages by it so that a marker survives deletions. */
	seq: number;
	creationDate: number;
	description: string;
	keyUsage: string;
	keySpec: string;
	origin: string;
	keyState: KmsKeyState;
	/** Set only while PendingDeletion. */
	deletionDate: number | null;
	pendingWindowInDays: number | null;
	policy: string;
	/** Oldest first; the last entry is the current material. Never pruned: old blobs must decrypt. */
	materials: KmsKeyMaterial[];
	rotationEnabled: boolean;
	rotationPeriodInDays: number;
	/**
	 * When automatic rotation is enabled: the instant the schedule counts from (the enable time,
	 * then each automatic rotation). NextRotationDate = anchor + period.
	 */
	rotationAnchor: number | null;
	rotations: KmsRotationRecord[];
	onDemandRotationCount: number;
	tags: KmsTag[];
};

export type KmsAlias = {
	aliasName: string;
	targetKeyId: string;
	creationDate: number;
	lastUpdatedDate: number;
};

/** The last successful cryptographic use of a key, for GetKeyLastUsage. */
export type KmsKeyUsage = {
	operation: string;
	timestamp: number;
	cloudTrailEventId: string;
	kmsRequestId: string;
};

export type KmsState = {
	nextSeq: number;
	keys: Record<string, KmsKey>;
	aliases: Record<string, KmsAlias>;
	/**
	 * Per key id, apart from the key itself: a Decrypt then journals this small entity, not the
	 * whole key with its policy and materials. Absent in state from builds before last-use tracking.
	 */
	keyUsage?: Record<string, KmsKeyUsage>;
	/** When this Region began tracking key use (the first request of a build that tracks it). */
	usageTrackingSince?: number;
};

export function emptyKmsState(): KmsState {
	return {nextSeq: 1, keys: {}, aliases: {}};
}

/** State written by an older build (the placeholder was `{}`) gets the missing members. */
export function normaliseKmsState(state: KmsState): void {
	const loose = state as Partial<KmsState>;
	loose.nextSeq ??= 1;
	loose.keys ??= {};
	loose.aliases ??= {};
}

export const dayMs = 24 * 60 * 60 * 1000;

/** Epoch ms → the epoch-seconds number awsJson1_1 puts on the wire. */
export function toWireTime(ms: number): number {
	return ms / 1000;
}
