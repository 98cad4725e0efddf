/**
 * Domain types of the one service layer. Screens and commands see only these; no AWS SDK shape
 * leaks past `source/service/`.
 */
import type {ParameterRules} from '../template/parameter-rules.js';

export type KeyState =
	| 'Creating'
	| 'Enabled'
	| 'Disabled'
	| 'PendingDeletion'
	| 'PendingImport'
	| 'PendingReplicaDeletion'
	| 'Unavailable'
	| 'Updating';

export type KeyInfo = {
	readonly keyId: string;
	readonly arn: string;
	readonly region: string;
	readonly accountId: string;
	readonly state: KeyState;
	readonly enabled: boolean;
	readonly description: string;
	readonly createdAt?: Date;
	/** Only while the key is pending deletion. */
	readonly deletionDate?: Date;
	readonly keySpec: string;
	readonly keyUsage: string;
	readonly origin: string;
	readonly keyManager: string;
	readonly currentKeyMaterialId?: string;
};

export type RotationStatus = {
	readonly enabled: boolean;
	readonly periodDays?: number;
	readonly nextRotation?: Date;
	/** Set while an on-demand rotation runs. */
	readonly onDemandStartedAt?: Date;
};

export type RotationRecord = {
	readonly date: Date;
	readonly type: 'AUTOMATIC' | 'ON_DEMAND';
	readonly keyMaterialId?: string;
};

/** AWS allows 25 on-demand rotations per key over its lifetime, and the limit cannot be raised. */
export const onDemandRotationLimit = 25;

export type AliasInfo = {
	readonly name: string;
	readonly arn: string;
	/** Undefined for an alias that points at nothing (AWS managed aliases not yet used). */
	readonly targetKeyId?: string;
	readonly createdAt?: Date;
	readonly updatedAt?: Date;
};

export type KeyOverview = {
	readonly key: KeyInfo;
	readonly aliases: readonly AliasInfo[];
	/** Undefined when the key's state does not allow reading it (e.g. pending import). */
	readonly rotation?: RotationStatus;
	readonly onDemandRotationsUsed?: number;
};

export type DeletionSchedule = {
	readonly keyId: string;
	readonly keyArn: string;
	readonly deletionDate: Date;
	readonly pendingWindowInDays: number;
};

export type StackStatus = string;

export type StackInfo = {
	readonly name: string;
	readonly id: string;
	readonly status: StackStatus;
	readonly statusReason?: string;
	readonly createdAt?: Date;
	readonly updatedAt?: Date;
	readonly outputs: Readonly<Record<string, string>>;
	readonly parameters: Readonly<Record<string, string>>;
};

export type StackEvent = {
	readonly id: string;
	readonly timestamp: Date;
	readonly logicalId: string;
	readonly physicalId?: string;
	readonly resourceType: string;
	readonly status: string;
	readonly reason?: string;
};

export type PlannedChange = {
	readonly action: 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic' | string;
	readonly logicalId: string;
	readonly physicalId?: string;
	readonly resourceType: string;
	/** 'True' | 'False' | 'Conditional' as CloudFormation reports it, when relevant. */
	readonly replacement?: string;
};

export type TemplateParameter = {
	readonly key: string;
	readonly defaultValue?: string;
	readonly description?: string;
	readonly noEcho: boolean;
	/** Its constraints, read from the template (ValidateTemplate does not report them). */
	readonly rules: ParameterRules;
};

export type DataKey = {
	readonly plaintext: Buffer;
	readonly ciphertextBlob: Uint8Array;
	readonly keyArn: string;
	/** The key material that wrapped it, when KMS says (GenerateDataKey's KeyMaterialId). */
	readonly keyMaterialId?: string;
};

/** GetKeyLastUsage, or why it is not known. */
export type KeyLastUsage =
	| {
			readonly isReported: true;
			/** Absent when the key was not used since tracking started. */
			readonly operation?: string;
			readonly at?: Date;
			readonly cloudTrailEventId?: string;
			/** Uses before this date are not tracked. */
			readonly trackingStartDate?: Date;
			readonly keyCreationDate?: Date;
	  }
	| {readonly isReported: false; readonly reason: string};

/** One CloudTrail management event about a key (LookupEvents), without key material. */
export type TrailEvent = {
	readonly eventId: string;
	readonly time: Date;
	/** The API operation, e.g. GenerateDataKey. */
	readonly name: string;
	/** e.g. kms.amazonaws.com */
	readonly source: string;
	/** The user name CloudTrail reports, else the caller's ARN or principal id. */
	readonly principal: string;
	readonly accessKeyId?: string;
	readonly userAgent?: string;
	readonly sourceIp?: string;
	readonly isReadOnly: boolean;
	/**
	 * The request's parameters with every member that could carry key material, a plaintext or a
	 * credential removed (trail-service.ts), and a one-line summary of them.
	 */
	readonly requestParameters?: Readonly<Record<string, unknown>>;
	readonly requestSummary: string;
	readonly errorCode?: string;
	readonly errorMessage?: string;
};

export type TrailEventPage = {
	/** Newest first. */
	readonly events: readonly TrailEvent[];
	/** Pass back as `pageToken` for the next (older) page; absent on the last page. */
	readonly nextToken?: string;
};

export type CallOptions = {readonly signal?: AbortSignal};

export function isTerminalStackStatus(status: string): boolean {
	return (
		status.endsWith('_COMPLETE') || status.endsWith('_FAILED') || status === 'REVIEW_IN_PROGRESS'
	);
}

export function isFailedStackStatus(status: string): boolean {
	return status.includes('ROLLBACK') || status.endsWith('_FAILED');
}

export type DeployPlan = {
	readonly stackName: string;
	readonly changeSetId: string;
	readonly changeSetType: 'CREATE' | 'UPDATE';
	readonly changes: readonly PlannedChange[];
};

export type DeployRequest = CallOptions & {
	readonly stackName: string;
	readonly templateBody: string;
	readonly parameters: Readonly<Record<string, string>>;
	/** Shown the planned changes; resolves true to execute them. */
	readonly confirm: (plan: DeployPlan) => Promise<boolean>;
	readonly onEvent?: (event: StackEvent) => void;
};

export type DeployResult =
	| {readonly outcome: 'no-changes'; readonly stack: StackInfo}
	| {readonly outcome: 'declined'; readonly plan: DeployPlan}
	| {readonly outcome: 'succeeded'; readonly plan: DeployPlan; readonly stack: StackInfo}
	| {
			readonly outcome: 'failed';
			readonly plan: DeployPlan;
			readonly stack: StackInfo;
			readonly failures: readonly StackEvent[];
	  };

export type DestroyResult = {
	readonly stack: StackInfo;
	readonly keyIds: readonly string[];
	readonly failures: readonly StackEvent[];
};
