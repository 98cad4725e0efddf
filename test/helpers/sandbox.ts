/**
 * A real sandbox on an ephemeral loopback port with its own temporary state directory, and
 * the real AWS SDK clients pointed at it: the same request/response code that runs against AWS.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {
	CloudFormationClient,
	type CloudFormationClientConfig,
} from '@aws-sdk/client-cloudformation';
import {KMSClient, type KMSClientConfig} from '@aws-sdk/client-kms';
import {
	advanceSandboxClock,
	type RunningSandbox,
	startSandbox,
} from '../../source/sandbox/index.js';

export const testRegion = 'us-east-1';
export const dummyCredentials = {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'};

export type TestSandbox = {
	readonly endpoint: string;
	readonly region: string;
	readonly dir: string;
	readonly running: RunningSandbox;
	kms(overrides?: Partial<KMSClientConfig>): KMSClient;
	cfn(overrides?: Partial<CloudFormationClientConfig>): CloudFormationClient;
	/** Moves the sandbox clock forward by `ms`. */
	advance(ms: number): Promise<void>;
	close(): Promise<void>;
};

export async function startTestSandbox(
	options: {stackStepMs?: number; dir?: string} = {},
): Promise<TestSandbox> {
	const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'kms-tui-sandbox-')));
	const running = await startSandbox({dir, stackStepMs: options.stackStepMs ?? 0});
	const clients: Array<{destroy(): void}> = [];
	const track = <T extends {destroy(): void}>(client: T): T => {
		clients.push(client);
		return client;
	};
	return {
		endpoint: running.endpoint,
		region: testRegion,
		dir,
		running,
		kms: (overrides) =>
			track(
				new KMSClient({
					endpoint: running.endpoint,
					region: testRegion,
					credentials: dummyCredentials,
					...overrides,
				}),
			),
		cfn: (overrides) =>
			track(
				new CloudFormationClient({
					endpoint: running.endpoint,
					region: testRegion,
					credentials: dummyCredentials,
					...overrides,
				}),
			),
		advance: async (ms) => {
			await advanceSandboxClock(running.store, ms);
		},
		close: async () => {
			for (const client of clients) client.destroy();
			await running.close();
			if (!options.dir) await rm(dir, {recursive: true, force: true});
		},
	};
}
