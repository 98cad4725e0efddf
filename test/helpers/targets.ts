/**
 * The servers the conformance suites run against: the embedded sandbox always, and moto's
 * server when it starts. Each target hands out real SDK clients pointed at it.
 */
import {
	CloudFormationClient,
	type CloudFormationClientConfig,
} from '@aws-sdk/client-cloudformation';
import {KMSClient, type KMSClientConfig} from '@aws-sdk/client-kms';
import {startMoto} from './moto.js';
import {dummyCredentials, startTestSandbox, testRegion} from './sandbox.js';

export type ConformanceTarget = {
	readonly name: 'sandbox' | 'moto';
	readonly endpoint: string;
	readonly region: string;
	kms(overrides?: Partial<KMSClientConfig>): KMSClient;
	cfn(overrides?: Partial<CloudFormationClientConfig>): CloudFormationClient;
	close(): Promise<void>;
};

/** Starts every target that can run here; prints why moto is skipped when it is. */
export async function conformanceTargets(): Promise<ConformanceTarget[]> {
	const sandbox = await startTestSandbox();
	const targets: ConformanceTarget[] = [{name: 'sandbox', ...sandbox, close: sandbox.close}];
	const moto = await startMoto();
	if ('skipped' in moto) {
		console.warn(`[conformance] moto skipped: ${moto.skipped}`);
		return targets;
	}
	const clients: Array<{destroy(): void}> = [];
	const endpoint = moto.server.endpoint;
	targets.push({
		name: 'moto',
		endpoint,
		region: testRegion,
		kms: (overrides) => {
			const client = new KMSClient({
				endpoint,
				region: testRegion,
				credentials: dummyCredentials,
				...overrides,
			});
			clients.push(client);
			return client;
		},
		cfn: (overrides) => {
			const client = new CloudFormationClient({
				endpoint,
				region: testRegion,
				credentials: dummyCredentials,
				...overrides,
			});
			clients.push(client);
			return client;
		},
		close: async () => {
			for (const client of clients) client.destroy();
			await moto.server.close();
		},
	});
	return targets;
}
