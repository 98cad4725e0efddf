/**
 * The one service layer: every screen and every command reaches KMS and CloudFormation through
 * `Services`, built here from a Connection. Only this folder imports the AWS SDK.
 */
import {KMSClient} from '@aws-sdk/client-kms';
import {type Connection, createClients, silenceSdkNodeVersionNotice} from './clients.js';
import {KeyService} from './key-service.js';
import {StackService} from './stack-service.js';

export type {Connection} from './clients.js';
export {ServiceError, type ServiceErrorKind, toServiceError} from './errors.js';
export {KeyService, validatePendingWindow, validateRotationPeriod} from './key-service.js';
export {
	type DeployPlan,
	type DeployResult,
	type DestroyResult,
	StackService,
} from './stack-service.js';
export * from './types.js';
export {validateAliasName} from './validation.js';

export type Services = {
	readonly keys: KeyService;
	readonly stacks: StackService;
	/** Releases sockets; call once when the command or the app ends. */
	close(): void;
};

export function createServices(connection: Connection & {readonly pollMs?: number}): Services {
	const clients = createClients(connection);
	const scene = {
		region: connection.region,
		profile: connection.profile,
		isLocal: connection.isLocal,
	};
	return {
		keys: new KeyService(clients.kms, scene),
		// Local servers answer at once; AWS is polled gently, as the AWS CLI's waiters do.
		stacks: new StackService(
			clients.cfn,
			scene,
			connection.pollMs ?? (connection.isLocal ? 150 : 3000),
		),
		close: () => clients.destroy(),
	};
}

/**
 * The region the SDK would use for a profile (AWS_REGION, then the profile's config), or
 * undefined when none is configured: shown in the target line and in "not found in <region>".
 */
export async function resolveRegion(profile?: string): Promise<string | undefined> {
	silenceSdkNodeVersionNotice();
	const probe = new KMSClient({profile});
	try {
		return await probe.config.region();
	} catch {
		return undefined;
	} finally {
		probe.destroy();
	}
}
