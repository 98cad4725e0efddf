/**
 * The one service layer: every screen and every command reaches KMS and CloudFormation through
 * `Services`, built here from a Connection. Only this folder imports the AWS SDK.
 */
import {KMSClient} from '@aws-sdk/client-kms';
import {type Connection, createKmsClient, silenceSdkNodeVersionNotice} from './clients.js';
import {KeyService, type SceneDefaults} from './key-service.js';
import {regionalClients} from './regional-clients.js';
import type {StackService} from './stack-service.js';
import type {KeyEventsQuery, TrailService} from './trail-service.js';

export type {Connection} from './clients.js';
export {ServiceError, type ServiceErrorKind, toServiceError} from './errors.js';
export {defaultMaxEvents, type KeyActivity, readKeyActivity} from './key-activity.js';
export {KeyService} from './key-service.js';
export type {StackService} from './stack-service.js';
export type {KeyEventsQuery} from './trail-service.js';
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

/** What screens and commands use of TrailService. */
export type Trail = Pick<TrailService, 'keyEvents'>;

export type Services = {
	readonly keys: KeyService;
	readonly stacks: Stacks;
	readonly trail: Trail;
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

/** The CloudTrail client loads on the first call, as LazyStacks: only activity reads it. */
class LazyTrail implements Trail {
	readonly #load: () => Promise<TrailService>;
	#loading: Promise<TrailService> | undefined;
	#isClosed = false;

	constructor(load: () => Promise<TrailService>) {
		this.#load = load;
	}

	keyEvents = async (keyArn: string, query: KeyEventsQuery) => {
		this.#loading ??= this.#load().then((service) => {
			if (this.#isClosed) service.close();
			return service;
		});
		return (await this.#loading).keyEvents(keyArn, query);
	};

	close(): void {
		if (this.#isClosed) return;
		this.#isClosed = true;
		void this.#loading?.then((service) => service.close());
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
	const trail = new LazyTrail(async () =>
		(await import('./trail-service.js')).createTrailService(connection, scene),
	);
	return {
		keys: new KeyService(kms, scene, regional),
		stacks,
		trail,
		close: () => {
			kms.destroy();
			regional.close();
			stacks.close();
			trail.close();
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
