/**
 * The one configuration of AWS SDK clients: one KMS and one CloudFormation client per connection,
 * each reused for every call (aws-sdk-js-v3 EFFECTIVE_PRACTICES). The CloudFormation client is
 * built by stack-service.ts from the same config, when a stack is first needed (service/index.ts).
 */
import {KMSClient} from '@aws-sdk/client-kms';

export type Connection = {
	/** Undefined lets the SDK read AWS_REGION / the profile. */
	readonly region?: string;
	/** Undefined lets the SDK read AWS_ENDPOINT_URL* / the profile's endpoint_url. */
	readonly endpoint?: string;
	readonly profile?: string;
	/** Static credentials for local servers that accept any (sandbox, moto, LocalStack). */
	readonly staticCredentials?: {readonly accessKeyId: string; readonly secretAccessKey: string};
	/** Sandbox or another local endpoint: changes the wording of network errors. */
	readonly isLocal: boolean;
	/** Total attempts including the first, in the SDK's standard retry mode (default 3). */
	readonly maxAttempts?: number;
};

/**
 * The pinned SDK supports Node 20; its notice that future SDK releases will need Node 22 is not
 * actionable for a kms-tui user and would sit in every command's stderr.
 */
export function silenceSdkNodeVersionNotice(): void {
	process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/**
 * What every client of a connection is built with. Timeouts keep an unreachable endpoint from
 * hanging: a TCP connection must open within 3 s (1 s locally), and a request must be answered
 * within 30 s.
 */
export function clientConfig(connection: Connection) {
	silenceSdkNodeVersionNotice();
	return {
		region: connection.region,
		endpoint: connection.endpoint,
		profile: connection.profile,
		credentials: connection.staticCredentials,
		maxAttempts: connection.maxAttempts ?? Number(process.env.AWS_MAX_ATTEMPTS ?? 3),
		retryMode: 'standard',
		requestHandler: {connectionTimeout: connection.isLocal ? 1000 : 3000, requestTimeout: 30_000},
	} as const;
}

export function createKmsClient(connection: Connection): KMSClient {
	return new KMSClient(clientConfig(connection));
}
