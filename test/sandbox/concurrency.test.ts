/**
 * Two `kms-tui sandbox serve` processes share one state directory, as a TUI and a CLI would:
 * 200 CreateKey calls through each must leave 400 keys.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, KMSClient, paginateListKeys} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {dummyCredentials} from '../helpers/sandbox.js';
import {type ServedSandbox, serveSandbox} from '../helpers/serve.js';

let dir: string;
let servers: ServedSandbox[] = [];

beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-concurrency-'));
	servers = await Promise.all([
		serveSandbox(path.join(dir, 'state'), dir),
		serveSandbox(path.join(dir, 'state'), dir),
	]);
});
afterAll(async () => {
	await Promise.all(servers.map(async (server) => server.stop()));
	await rm(dir, {recursive: true, force: true});
});

it('loses no key when two server processes each create 200 keys at once', async () => {
	const clients = servers.map(
		(server) =>
			new KMSClient({
				endpoint: server.endpoint,
				region: 'us-east-1',
				credentials: dummyCredentials,
			}),
	);
	await Promise.all(
		clients.map(async (client, index) => {
			// Eight requests in flight per process keeps both lock holders contending the whole time.
			for (let batch = 0; batch < 25; batch++) {
				await Promise.all(
					Array.from({length: 8}, (_, n) =>
						client.send(new CreateKeyCommand({Description: `p${index}-${batch}-${n}`})),
					),
				);
			}
		}),
	);
	const keyIds = new Set<string>();
	for await (const page of paginateListKeys({client: clients[0] as KMSClient}, {Limit: 1000})) {
		for (const key of page.Keys ?? []) keyIds.add(key.KeyId ?? '');
	}
	expect(keyIds.size).toBe(400);
	for (const client of clients) client.destroy();
}, 120_000);

it('stops on SIGTERM with status 0 and keeps the state', async () => {
	const server = servers.pop() as ServedSandbox;
	expect(await server.stop()).toBe(0);
});
