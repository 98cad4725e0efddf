/**
 * The one service layer: every screen and every command reaches KMS and CloudFormation through
 * `Services`, built here from a Connection. Only this folder imports the AWS SDK.
 */
import {KMSClient} from '@aws-sdk/client-kms';
import {type Connection, createKmsClient, silenceSdkNodeVersionNotice} from './clients.js';
import {KeyService, type SceneDefaults} from './key-service.js';
import {regionalClients} from './regional-clients.js';
import type {StackService} from './stack-service.js';

export type {Connection} from './clients.js';
export {ServiceError, type ServiceErrorKind, toServiceError} from './errors.js';
export {KeyService} from './key-service.js';
export type {StackService} from './stack-service.js';
export * from './types.js';
export {
	defaultPendingWindowDays,
	validateAliasName,
	validatePendingWindow,
	validateRotationPeriod,
} from './validation.js';

/** What screens and commands use of StackService. */
export type Stacks = Pick<
	StackService,
	'findStack' | 'requireStack' | 'keyOutputs' | 'templateParameters' | 'deploy' | 'destroy'
>;

export type Services = {
	readonly keys: KeyService;
	readonly stacks: Stacks;
	/** Releases sockets; call once when the command or the app ends. */
	close(): void;
};

/**
 * Stacks whose module (and with it the CloudFormation SDK client, ~25 ms of start-up) loads on
 * the first call. Most commands (encrypt, decrypt, key, alias, rotation, delete-key) never make
 * one.
 */
class LazyStacks implements Stacks {
	readonly #load: () => Promise<StackService>;
	#loading: Promise<StackService> | undefined;
	#isClosed = false;
	#isReleased = false;

	constructor(load: () => Promise<StackService>) {
		this.#load = load;
	}

	#service(): Promise<StackService> {
		this.#loading ??= this.#load().then((service) => {
			// Closed before it loaded: release it at once; the call still gets its answer or error.
			if (this.#isClosed) this.#release(service);
			return service;
		});
		return this.#loading;
	}

	findStack: StackService['findStack'] = async (...args) =>
		(await this.#service()).findStack(...args);
	requireStack: StackService['requireStack'] = async (...args) =>
		(await this.#service()).requireStack(...args);
	keyOutputs: StackService['keyOutputs'] = async (...args) =>
		(await this.#service()).keyOutputs(...args);
	templateParameters: StackService['templateParameters'] = async (...args) =>
		(await this.#service()).templateParameters(...args);
	deploy: StackService['deploy'] = async (...args) => (await this.#service()).deploy(...args);
	destroy: StackService['destroy'] = async (...args) => (await this.#service()).destroy(...args);

	#release(service: StackService): void {
		if (this.#isReleased) return;
		this.#isReleased = true;
		service.close();
	}

	close(): void {
		this.#isClosed = true;
		void this.#loading?.then((service) => this.#release(service));
	}
}

export function createServices(connection: Connection & {readonly pollMs?: number}): Services {
	const kms = createKmsClient(connection);
	const scene: SceneDefaults = {
		region: connection.region,
		profile: connection.profile,
		isLocal: connection.isLocal,
	};
	// Local servers answer at once; AWS is polled gently, as the AWS CLI's waiters do.
	const pollMs = connection.pollMs ?? (connection.isLocal ? 150 : 3000);
	const stacks = new LazyStacks(async () =>
		(await import('./stack-service.js')).createStackService(connection, scene, pollMs),
	);
	// Data keys under keys of other regions (an envelope wrapped for another region) get a client
	// of that region, made on first use.
	const regional = regionalClients(kms, connection);
	return {
		keys: new KeyService(kms, scene, regional),
		stacks,
		close: () => {
			kms.destroy();
			regional.close();
			stacks.close();
		},
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
