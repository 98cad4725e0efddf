/**
 * The contract shared by every part of the embedded sandbox: the per-request context, the
 * error type that becomes an AWS error response, and the shape of the persisted state.
 *
 * The KMS engine (`kms/`) and the CloudFormation engine (`cfn/`) are pure functions over this
 * state; `store.ts` loads and saves it under a cross-process lock and `server.ts` speaks HTTP.
 */
import type {CfnState} from './cfn/index.js';
import type {KmsState} from './kms/index.js';
import {rawOf} from './store-tracking.js';

/** The account every sandbox resource belongs to. Distinctive so that a sandbox ARN is recognisable. */
export const sandboxAccountId = '000000000000';

export type RequestContext = {
	/** Region taken from the request's SigV4 credential scope (or the server's default). */
	readonly region: string;
	readonly accountId: string;
	/** The sandbox clock in epoch milliseconds: real time plus whatever `sandbox advance` added. */
	readonly now: number;
	readonly requestId: string;
	/**
	 * Spacing in milliseconds between the steps of a stack operation, so that a person watching
	 * sees events arrive one by one. Tests use 0: every due step then runs on the next request.
	 */
	readonly stackStepMs: number;
};

/**
 * An error that the server turns into the AWS error response of the protocol it speaks:
 * `{"__type": code, "message": …}` for KMS, `<ErrorResponse><Error><Code>…` for CloudFormation.
 */
export class AwsError extends Error {
	readonly code: string;
	readonly status: number;

	constructor(code: string, message: string, status = 400) {
		super(message);
		this.name = code;
		this.code = code;
		this.status = status;
	}
}

/**
 * `record[name]` for a name that came from a request: only the record's own entries, so that a
 * region, key, alias or stack named `constructor` or `__proto__` finds nothing instead of
 * Object.prototype's members.
 */
export function ownEntry<T>(record: Record<string, T>, name: string): T | undefined {
	return Object.hasOwn(record, name) ? record[name] : undefined;
}

/**
 * Sets `record[name]` as an own, ordinary entry, even for a name such as `__proto__` (an
 * assignment would change the prototype instead): for state and records built from untrusted
 * names.
 */
export function defineEntry(target: Record<string, unknown>, name: string, value: unknown): void {
	Object.defineProperty(target, name, {
		value,
		enumerable: true,
		writable: true,
		configurable: true,
	});
}

/**
 * A deep copy of part of the state. Inside a transaction the engines see the state through the
 * store's change-tracking proxies, which structuredClone cannot copy: this copies what is behind.
 */
export function cloneState<T>(value: T): T {
	return structuredClone(rawOf(value));
}

export type RegionState = {
	kms: KmsState;
	cfn: CfnState;
};

export type SandboxState = {
	/** Format marker: a file without it is not sandbox state and is refused, never overwritten. */
	format: 'kms-tui-sandbox';
	version: 1;
	/** Milliseconds added to the real clock by `kms-tui sandbox advance`. */
	clockOffsetMs: number;
	regions: Record<string, RegionState>;
};
