/**
 * A KMS client per region, for the data-key calls of an envelope under keys in several regions
 * (`kms-tui encrypt --key K --key arn:aws:kms:eu-west-1:…`). KMS only serves keys of its own
 * region — an ARN of another one is "Invalid arn <region>" (fact sheet §2) — so a key ARN names
 * the client: the connection's own for its region (and for ids and aliases, which have none),
 * else one more client of the same connection for the ARN's region, made once and reused, as the
 * AWS Encryption SDK's KMS keyrings do.
 */
import type {KMSClient} from '@aws-sdk/client-kms';
import {type Connection, createKmsClient} from './clients.js';

export type RegionalClients = {
	/** The client for `keyRef` and the region it speaks to (undefined: the SDK's own choice). */
	forKey(keyRef: string): Promise<{client: KMSClient; region: string | undefined}>;
	/** Releases the clients made here (not the home client). */
	close(): void;
};

const arnRegion = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/;

/** The region of a key or alias ARN; undefined for a key id or an alias name. */
export function regionOfKeyRef(keyRef: string): string | undefined {
	return arnRegion.exec(keyRef)?.[1];
}

export function regionalClients(home: KMSClient, connection: Connection): RegionalClients {
	const clients = new Map<string, KMSClient>();
	let homeRegion: Promise<string | undefined> | undefined;
	const homeRegionOf = () => {
		// The SDK resolves it (AWS_REGION, the profile) when the connection does not say.
		homeRegion ??= home.config.region().then(
			(region) => region,
			() => undefined,
		);
		return homeRegion;
	};
	return {
		async forKey(keyRef) {
			const region = regionOfKeyRef(keyRef);
			const own = connection.region ?? (await homeRegionOf());
			if (region === undefined || region === own) return {client: home, region: own};
			let client = clients.get(region);
			if (!client) {
				client = createKmsClient({...connection, region});
				clients.set(region, client);
			}
			return {client, region};
		},
		close() {
			for (const client of clients.values()) client.destroy();
			clients.clear();
		},
	};
}
