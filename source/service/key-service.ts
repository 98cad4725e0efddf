/**
 * Key, alias, rotation, deletion and data-key operations over the KMS client. Every method
 * takes a key reference a user would type (key id, key ARN, alias name or alias ARN); the
 * operations that AWS only accepts a key id for resolve the alias first with DescribeKey.
 */
import {
	CancelKeyDeletionCommand,
	CreateAliasCommand,
	DecryptCommand,
	DeleteAliasCommand,
	DescribeKeyCommand,
	DisableKeyCommand,
	DisableKeyRotationCommand,
	EnableKeyCommand,
	EnableKeyRotationCommand,
	EncryptCommand,
	GenerateDataKeyCommand,
	GenerateDataKeyWithoutPlaintextCommand,
	GetKeyLastUsageCommand,
	GetKeyPolicyCommand,
	GetKeyRotationStatusCommand,
	type KeyMetadata,
	type KMSClient,
	PutKeyPolicyCommand,
	paginateListAliases,
	paginateListKeyRotations,
	paginateListKeys,
	ReEncryptCommand,
	RotateKeyOnDemandCommand,
	ScheduleKeyDeletionCommand,
	UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import {captureDataKey, type DataKeyCapture} from './data-key-capture.js';
import {type ErrorScene, isUnimplemented, mapErrors, ServiceError} from './errors.js';
import type {RegionalClients} from './regional-clients.js';
import type {
	AliasInfo,
	CallOptions,
	DataKey,
	DeletionSchedule,
	KeyInfo,
	KeyLastUsage,
	KeyOverview,
	KeyState,
	RotationRecord,
	RotationStatus,
} from './types.js';
import {validateAliasName, validatePendingWindow, validateRotationPeriod} from './validation.js';

/** DescribeKey calls in flight at once while listing keys (KMS throttles bursts per account). */
const describeBatch = 8;

/** A key ARN (not an alias ARN): `arn:<partition>:kms:<region>:<account>:key/<id>`. */
const keyArnPattern = /^arn:[\w-]+:kms:[\w-]+:\d{12}:key\/[\w-]+$/;

export type SceneDefaults = Omit<ErrorScene, 'action' | 'operation' | 'resource'>;

export class KeyService {
	private readonly kms: KMSClient;
	private readonly scene: SceneDefaults;
	private readonly regional: RegionalClients | undefined;

	/**
	 * `regional` gives the data-key calls (GenerateDataKey, Encrypt, Decrypt) a client for a key
	 * ARN of another region: an envelope may be wrapped under keys in several. Without it every
	 * call goes to `kms`.
	 */
	constructor(kms: KMSClient, scene: SceneDefaults, regional?: RegionalClients) {
		this.kms = kms;
		this.scene = scene;
		this.regional = regional;
	}

	async describeKey(keyRef: string, options: CallOptions = {}): Promise<KeyInfo> {
		return this.call('DescribeKey', 'describe the key', keyRef, async () => {
			const output = await this.kms.send(new DescribeKeyCommand({KeyId: keyRef}), {
				abortSignal: options.signal,
			});
			return toKeyInfo(required(output.KeyMetadata, 'KeyMetadata'));
		});
	}

	/** Key metadata with its aliases, rotation status and on-demand rotations used. */
	async overview(keyRef: string, options: CallOptions = {}): Promise<KeyOverview> {
		const key = await this.describeKey(keyRef, options);
		const aliases = await this.listAliases(key.keyId, options);
		if (key.state === 'PendingImport' || key.keySpec !== 'SYMMETRIC_DEFAULT') return {key, aliases};
		const [rotation, history] = await Promise.all([
			this.rotationStatus(key.keyId, options),
			this.rotationHistory(key.keyId, options),
		]);
		return {
			key,
			aliases,
			rotation,
			onDemandRotationsUsed: history.filter((record) => record.type === 'ON_DEMAND').length,
		};
	}

	async listAliases(keyId?: string, options: CallOptions = {}): Promise<AliasInfo[]> {
		return this.call('ListAliases', 'list aliases', keyId, async () => {
			const aliases: AliasInfo[] = [];
			const pages = paginateListAliases({client: this.kms}, {KeyId: keyId});
			for await (const page of pages) {
				options.signal?.throwIfAborted();
				for (const alias of page.Aliases ?? []) {
					aliases.push({
						name: required(alias.AliasName, 'AliasName'),
						arn: alias.AliasArn ?? '',
						targetKeyId: alias.TargetKeyId,
						createdAt: alias.CreationDate,
						updatedAt: alias.LastUpdatedDate,
					});
				}
			}
			return aliases.sort((a, b) => a.name.localeCompare(b.name));
		});
	}

	/**
	 * The keys of this account and region, described. ListKeys gives ids only, so each key is read
	 * with DescribeKey, a few at a time; one the caller may not describe is left out rather than
	 * failing the list (pickers offer what can be used).
	 */
	async listKeys(options: CallOptions = {}): Promise<KeyInfo[]> {
		const ids = await this.call('ListKeys', 'list the keys', undefined, async () => {
			const found: string[] = [];
			for await (const page of paginateListKeys({client: this.kms}, {})) {
				options.signal?.throwIfAborted();
				for (const key of page.Keys ?? []) if (key.KeyId) found.push(key.KeyId);
			}
			return found;
		});
		const keys: KeyInfo[] = [];
		for (let start = 0; start < ids.length; start += describeBatch) {
			const batch = ids.slice(start, start + describeBatch);
			const results = await Promise.allSettled(batch.map((id) => this.describeKey(id, options)));
			options.signal?.throwIfAborted();
			for (const result of results) if (result.status === 'fulfilled') keys.push(result.value);
		}
		return keys;
	}

	async createAlias(name: string, keyRef: string, options: CallOptions = {}): Promise<AliasInfo> {
		validateAliasName(name);
		const key = await this.describeKey(keyRef, options);
		await this.call('CreateAlias', 'create the alias', name, () =>
			this.kms.send(new CreateAliasCommand({AliasName: name, TargetKeyId: key.keyId}), {
				abortSignal: options.signal,
			}),
		);
		return {name, arn: aliasArn(key, name), targetKeyId: key.keyId};
	}

	async updateAlias(name: string, keyRef: string, options: CallOptions = {}): Promise<AliasInfo> {
		validateAliasName(name);
		const key = await this.describeKey(keyRef, options);
		await this.call('UpdateAlias', 'update the alias', name, () =>
			this.kms.send(new UpdateAliasCommand({AliasName: name, TargetKeyId: key.keyId}), {
				abortSignal: options.signal,
			}),
		);
		return {name, arn: aliasArn(key, name), targetKeyId: key.keyId};
	}

	async deleteAlias(name: string, options: CallOptions = {}): Promise<void> {
		validateAliasName(name);
		await this.call('DeleteAlias', 'delete the alias', name, () =>
			this.kms.send(new DeleteAliasCommand({AliasName: name}), {abortSignal: options.signal}),
		);
	}

	async rotationStatus(keyRef: string, options: CallOptions = {}): Promise<RotationStatus> {
		const keyId = await this.keyIdOf(keyRef, options);
		return this.call('GetKeyRotationStatus', 'read the rotation status', keyRef, async () => {
			const output = await this.kms.send(new GetKeyRotationStatusCommand({KeyId: keyId}), {
				abortSignal: options.signal,
			});
			return {
				enabled: output.KeyRotationEnabled ?? false,
				periodDays: output.RotationPeriodInDays,
				nextRotation: output.NextRotationDate,
				onDemandStartedAt: output.OnDemandRotationStartDate,
			};
		});
	}

	async enableRotation(
		keyRef: string,
		periodDays?: number,
		options: CallOptions = {},
	): Promise<RotationStatus> {
		if (periodDays !== undefined) validateRotationPeriod(periodDays);
		const keyId = await this.keyIdOf(keyRef, options);
		await this.call('EnableKeyRotation', 'enable rotation', keyRef, () =>
			this.kms.send(
				new EnableKeyRotationCommand({KeyId: keyId, RotationPeriodInDays: periodDays}),
				{
					abortSignal: options.signal,
				},
			),
		);
		return this.rotationStatus(keyId, options);
	}

	async disableRotation(keyRef: string, options: CallOptions = {}): Promise<RotationStatus> {
		const keyId = await this.keyIdOf(keyRef, options);
		await this.call('DisableKeyRotation', 'disable rotation', keyRef, () =>
			this.kms.send(new DisableKeyRotationCommand({KeyId: keyId}), {abortSignal: options.signal}),
		);
		return this.rotationStatus(keyId, options);
	}

	async rotateNow(keyRef: string, options: CallOptions = {}): Promise<{keyArn: string}> {
		const keyId = await this.keyIdOf(keyRef, options);
		return this.call('RotateKeyOnDemand', 'rotate the key now', keyRef, async () => {
			const output = await this.kms.send(new RotateKeyOnDemandCommand({KeyId: keyId}), {
				abortSignal: options.signal,
			});
			return {keyArn: output.KeyId ?? keyId};
		});
	}

	/** Oldest first. */
	async rotationHistory(keyRef: string, options: CallOptions = {}): Promise<RotationRecord[]> {
		const keyId = await this.keyIdOf(keyRef, options);
		return this.call('ListKeyRotations', 'read the rotation history', keyRef, async () => {
			const records: RotationRecord[] = [];
			for await (const page of paginateListKeyRotations({client: this.kms}, {KeyId: keyId})) {
				for (const rotation of page.Rotations ?? []) {
					records.push({
						date: required(rotation.RotationDate, 'RotationDate'),
						type: rotation.RotationType === 'AUTOMATIC' ? 'AUTOMATIC' : 'ON_DEMAND',
						keyMaterialId: rotation.KeyMaterialId,
					});
				}
			}
			return records.sort((a, b) => a.date.getTime() - b.date.getTime());
		});
	}

	async scheduleDeletion(
		keyRef: string,
		days: number,
		options: CallOptions = {},
	): Promise<DeletionSchedule> {
		validatePendingWindow(days);
		const keyId = await this.keyIdOf(keyRef, options);
		return this.call('ScheduleKeyDeletion', 'schedule the key deletion', keyRef, async () => {
			const output = await this.kms.send(
				new ScheduleKeyDeletionCommand({
					KeyId: await this.stateKeyId(keyId, options),
					PendingWindowInDays: days,
				}),
				{
					abortSignal: options.signal,
				},
			);
			return {
				keyId,
				keyArn: output.KeyId ?? keyId,
				deletionDate: required(output.DeletionDate, 'DeletionDate'),
				pendingWindowInDays: output.PendingWindowInDays ?? days,
			};
		});
	}

	/** Cancels a scheduled deletion. The key is left Disabled, as KMS does. */
	async cancelDeletion(keyRef: string, options: CallOptions = {}): Promise<KeyInfo> {
		const keyId = await this.keyIdOf(keyRef, options);
		await this.call('CancelKeyDeletion', 'cancel the key deletion', keyRef, async () =>
			this.kms.send(new CancelKeyDeletionCommand({KeyId: await this.stateKeyId(keyId, options)}), {
				abortSignal: options.signal,
			}),
		);
		return this.describeKey(keyId, options);
	}

	async enableKey(keyRef: string, options: CallOptions = {}): Promise<KeyInfo> {
		const keyId = await this.keyIdOf(keyRef, options);
		await this.call('EnableKey', 'enable the key', keyRef, async () =>
			this.kms.send(new EnableKeyCommand({KeyId: await this.stateKeyId(keyId, options)}), {
				abortSignal: options.signal,
			}),
		);
		return this.describeKey(keyId, options);
	}

	/** One GenerateDataKey (AES_256). The caller owns `plaintext` and must zero it. */
	async generateDataKey(request: {
		keyId: string;
		encryptionContext: Readonly<Record<string, string>>;
		signal?: AbortSignal;
	}): Promise<DataKey> {
		const {client, region} = await this.clientFor(request.keyId);
		return this.callIn(
			region,
			'GenerateDataKey',
			'generate a data key',
			request.keyId,
			async () => {
				const command = new GenerateDataKeyCommand({
					KeyId: request.keyId,
					KeySpec: 'AES_256',
					EncryptionContext: emptyToUndefined(request.encryptionContext),
				});
				const capture = captureDataKey(command);
				try {
					const output = await client.send(command, {abortSignal: request.signal});
					return {
						plaintext: ownedKey(capture, output.Plaintext),
						ciphertextBlob: required(output.CiphertextBlob, 'CiphertextBlob'),
						keyArn: output.KeyId ?? request.keyId,
						...(output.KeyMaterialId ? {keyMaterialId: output.KeyMaterialId} : {}),
					};
				} finally {
					capture.dispose();
				}
			},
		);
	}

	/**
	 * One Encrypt of an existing data key under another key, for an envelope with several keys.
	 * `plaintext` stays the caller's (not zeroed here). The SDK serializes it into the request body
	 * as base64, a string this code cannot wipe — the same exposure as any KMS Encrypt call.
	 */
	async encryptDataKey(request: {
		plaintext: Buffer;
		keyId: string;
		encryptionContext: Readonly<Record<string, string>>;
		signal?: AbortSignal;
	}): Promise<{ciphertextBlob: Uint8Array; keyArn: string}> {
		const {client, region} = await this.clientFor(request.keyId);
		return this.callIn(region, 'Encrypt', 'encrypt the data key', request.keyId, async () => {
			const output = await client.send(
				new EncryptCommand({
					KeyId: request.keyId,
					Plaintext: request.plaintext,
					EncryptionContext: emptyToUndefined(request.encryptionContext),
				}),
				{abortSignal: request.signal},
			);
			return {
				ciphertextBlob: required(output.CiphertextBlob, 'CiphertextBlob'),
				keyArn: output.KeyId ?? request.keyId,
			};
		});
	}

	/** One Decrypt. The caller owns `plaintext` and must zero it. */
	async decryptDataKey(request: {
		ciphertextBlob: Uint8Array;
		encryptionContext: Readonly<Record<string, string>>;
		keyArn: string;
		signal?: AbortSignal;
	}): Promise<{plaintext: Buffer; keyArn: string; keyMaterialId?: string}> {
		const {client, region} = await this.clientFor(request.keyArn);
		return this.callIn(region, 'Decrypt', 'decrypt the data key', request.keyArn, async () => {
			const command = new DecryptCommand({
				CiphertextBlob: request.ciphertextBlob,
				EncryptionContext: emptyToUndefined(request.encryptionContext),
				KeyId: request.keyArn,
			});
			const capture = captureDataKey(command);
			try {
				const output = await client.send(command, {abortSignal: request.signal});
				return {
					plaintext: ownedKey(capture, output.Plaintext),
					keyArn: output.KeyId ?? request.keyArn,
					...(output.KeyMaterialId ? {keyMaterialId: output.KeyMaterialId} : {}),
				};
			} finally {
				capture.dispose();
			}
		});
	}

	/**
	 * One ReEncrypt: the data key inside `ciphertextBlob` gets wrapped under `destinationKeyId`
	 * (or, given the same key, under its current key material) without its plaintext ever leaving
	 * KMS. The call goes to the source key's region; KMS reaches the destination key itself.
	 */
	async reEncryptDataKey(request: {
		ciphertextBlob: Uint8Array;
		sourceKeyArn: string;
		destinationKeyId: string;
		sourceEncryptionContext: Readonly<Record<string, string>>;
		/** @default the source context */
		destinationEncryptionContext?: Readonly<Record<string, string>>;
		signal?: AbortSignal;
	}): Promise<{
		ciphertextBlob: Uint8Array;
		keyArn: string;
		sourceKeyArn: string;
		keyMaterialId?: string;
		sourceKeyMaterialId?: string;
	}> {
		const {client, region} = await this.clientFor(request.sourceKeyArn);
		return this.callIn(
			region,
			'ReEncrypt',
			're-encrypt the data key',
			request.destinationKeyId,
			async () => {
				const output = await client.send(
					new ReEncryptCommand({
						CiphertextBlob: request.ciphertextBlob,
						SourceKeyId: request.sourceKeyArn,
						SourceEncryptionContext: emptyToUndefined(request.sourceEncryptionContext),
						DestinationKeyId: request.destinationKeyId,
						DestinationEncryptionContext: emptyToUndefined(
							request.destinationEncryptionContext ?? request.sourceEncryptionContext,
						),
					}),
					{abortSignal: request.signal},
				);
				return {
					ciphertextBlob: required(output.CiphertextBlob, 'CiphertextBlob'),
					keyArn: output.KeyId ?? request.destinationKeyId,
					sourceKeyArn: output.SourceKeyId ?? request.sourceKeyArn,
					...(output.DestinationKeyMaterialId
						? {keyMaterialId: output.DestinationKeyMaterialId}
						: {}),
					...(output.SourceKeyMaterialId ? {sourceKeyMaterialId: output.SourceKeyMaterialId} : {}),
				};
			},
		);
	}

	/**
	 * GenerateDataKeyWithoutPlaintext: a data key that only KMS can open, for a producer that
	 * stores it now and encrypts later (after a Decrypt). Nothing secret comes back.
	 */
	async generateDataKeyWithoutPlaintext(request: {
		keyId: string;
		encryptionContext: Readonly<Record<string, string>>;
		signal?: AbortSignal;
	}): Promise<{ciphertextBlob: Uint8Array; keyArn: string; keyMaterialId?: string}> {
		return this.call(
			'GenerateDataKeyWithoutPlaintext',
			'generate a data key',
			request.keyId,
			async () => {
				const output = await this.kms.send(
					new GenerateDataKeyWithoutPlaintextCommand({
						KeyId: request.keyId,
						KeySpec: 'AES_256',
						EncryptionContext: emptyToUndefined(request.encryptionContext),
					}),
					{abortSignal: request.signal},
				);
				return {
					ciphertextBlob: required(output.CiphertextBlob, 'CiphertextBlob'),
					keyArn: output.KeyId ?? request.keyId,
					...(output.KeyMaterialId ? {keyMaterialId: output.KeyMaterialId} : {}),
				};
			},
		);
	}

	/** DisableKey: reversible (EnableKey), and what AWS advises before scheduling a deletion. */
	async disableKey(keyRef: string, options: CallOptions = {}): Promise<KeyInfo> {
		const keyId = await this.keyIdOf(keyRef, options);
		await this.call('DisableKey', 'disable the key', keyRef, async () =>
			this.kms.send(new DisableKeyCommand({KeyId: await this.stateKeyId(keyId, options)}), {
				abortSignal: options.signal,
			}),
		);
		return this.describeKey(keyId, options);
	}

	/** The key policy (GetKeyPolicy, policy name "default"), as the JSON text KMS stores. */
	async keyPolicy(keyRef: string, options: CallOptions = {}): Promise<string> {
		const keyId = await this.keyIdOf(keyRef, options);
		return this.call('GetKeyPolicy', 'read the key policy', keyRef, async () => {
			const output = await this.kms.send(
				new GetKeyPolicyCommand({KeyId: keyId, PolicyName: 'default'}),
				{abortSignal: options.signal},
			);
			return required(output.Policy, 'Policy');
		});
	}

	/**
	 * PutKeyPolicy. KMS's own lockout safety check stays on unless `bypassLockoutCheck` (the
	 * caller's own check, and a typed confirmation, come first: see source/policy/).
	 */
	async putKeyPolicy(
		keyRef: string,
		policy: string,
		options: CallOptions & {readonly bypassLockoutCheck?: boolean} = {},
	): Promise<void> {
		const keyId = await this.keyIdOf(keyRef, options);
		await this.call('PutKeyPolicy', 'update the key policy', keyRef, () =>
			this.kms.send(
				new PutKeyPolicyCommand({
					KeyId: keyId,
					PolicyName: 'default',
					Policy: policy,
					BypassPolicyLockoutSafetyCheck: options.bypassLockoutCheck || undefined,
				}),
				{abortSignal: options.signal},
			),
		);
	}

	/**
	 * GetKeyLastUsage: the key's most recent cryptographic use, as KMS tracks it. An endpoint that
	 * does not implement the operation (moto answers 500) gives `{isReported: false}` with why,
	 * rather than an error: callers show "not reported".
	 */
	async keyLastUsage(keyRef: string, options: CallOptions = {}): Promise<KeyLastUsage> {
		const keyId = await this.keyIdOf(keyRef, options);
		try {
			const output = await this.kms.send(new GetKeyLastUsageCommand({KeyId: keyId}), {
				abortSignal: options.signal,
			});
			const usage = output.KeyLastUsage;
			return {
				isReported: true,
				...(usage?.Operation ? {operation: usage.Operation} : {}),
				...(usage?.Timestamp ? {at: usage.Timestamp} : {}),
				...(usage?.CloudTrailEventId ? {cloudTrailEventId: usage.CloudTrailEventId} : {}),
				...(output.TrackingStartDate ? {trackingStartDate: output.TrackingStartDate} : {}),
				...(output.KeyCreationDate ? {keyCreationDate: output.KeyCreationDate} : {}),
			};
		} catch (error) {
			if (this.scene.isLocal && isUnimplemented(error)) {
				return {
					isReported: false,
					reason: 'this endpoint does not implement GetKeyLastUsage',
				};
			}
			return this.call('GetKeyLastUsage', 'read when the key was last used', keyRef, () =>
				Promise.reject(error),
			);
		}
	}

	/** Rotation and deletion calls accept only a key id or ARN: resolve aliases first. */
	private async keyIdOf(keyRef: string, options: CallOptions): Promise<string> {
		if (!keyRef.startsWith('alias/') && !keyRef.includes(':alias/')) return keyRef;
		return (await this.describeKey(keyRef, options)).keyId;
	}

	/**
	 * The KeyId sent to DisableKey, EnableKey, ScheduleKeyDeletion and CancelKeyDeletion. KMS (and
	 * the sandbox) take a key id or a key ARN there, but moto 5 looks an ARN up as if it were an id
	 * and answers HTTP 500 (a KeyError; its rotation, policy and data-key calls take either). So on
	 * a local target a key ARN becomes the KeyId DescribeKey gives for it: the same key, and for a
	 * key that is not there (or an ARN of another region) the same error as before — it runs inside
	 * the operation's `call`, so the error is worded for the operation. On AWS the ARN goes as it
	 * is: no extra call, nothing changed.
	 */
	private async stateKeyId(keyId: string, options: CallOptions): Promise<string> {
		if (!this.scene.isLocal || !keyArnPattern.test(keyId)) return keyId;
		const output = await this.kms.send(new DescribeKeyCommand({KeyId: keyId}), {
			abortSignal: options.signal,
		});
		return output.KeyMetadata?.KeyId ?? keyId;
	}

	/** The client for a data-key call under `keyRef`, and its region when it is not the home one. */
	private async clientFor(
		keyRef: string,
	): Promise<{client: KMSClient; region: string | undefined}> {
		if (!this.regional) return {client: this.kms, region: undefined};
		const {client, region} = await this.regional.forKey(keyRef);
		return {client, region: client === this.kms ? undefined : region};
	}

	/** `operation` is the KMS operation `work` calls: it tells some errors apart (errors.ts). */
	private call<T>(
		operation: string,
		action: string,
		resource: string | undefined,
		work: () => Promise<T>,
	): Promise<T> {
		return mapErrors({...this.scene, operation, action, resource}, work);
	}

	/** As `call`, for a call that went to another region's client: errors name that region. */
	private callIn<T>(
		region: string | undefined,
		operation: string,
		action: string,
		resource: string,
		work: () => Promise<T>,
	): Promise<T> {
		const scene = region === undefined ? this.scene : {...this.scene, region};
		return mapErrors({...scene, operation, action, resource}, work);
	}
}

export function toKeyInfo(metadata: KeyMetadata): KeyInfo {
	const arn = required(metadata.Arn, 'Arn');
	const [, , , region = '', accountId = ''] = arn.split(':');
	return {
		keyId: required(metadata.KeyId, 'KeyId'),
		arn,
		region,
		accountId: metadata.AWSAccountId ?? accountId,
		state: (metadata.KeyState ?? 'Enabled') as KeyState,
		enabled: metadata.Enabled ?? false,
		description: metadata.Description ?? '',
		createdAt: metadata.CreationDate,
		deletionDate: metadata.DeletionDate,
		keySpec: metadata.KeySpec ?? 'SYMMETRIC_DEFAULT',
		keyUsage: metadata.KeyUsage ?? 'ENCRYPT_DECRYPT',
		origin: metadata.Origin ?? 'AWS_KMS',
		keyManager: metadata.KeyManager ?? 'CUSTOMER',
		currentKeyMaterialId: metadata.CurrentKeyMaterialId,
	};
}

/**
 * The data key as one Buffer the caller owns, and the SDK's copy wiped: the key captured from the
 * response bytes (data-key-capture.ts), else, when the response could not be read that way, a copy
 * of the SDK's `Plaintext`.
 */
function ownedKey(capture: DataKeyCapture, sdkPlaintext: Uint8Array | undefined): Buffer {
	const captured = capture.take();
	if (captured) {
		sdkPlaintext?.fill(0);
		return captured;
	}
	const plaintext = required(sdkPlaintext, 'Plaintext');
	const key = Buffer.from(plaintext);
	plaintext.fill(0);
	return key;
}

function aliasArn(key: KeyInfo, name: string): string {
	return key.arn.replace(/:key\/.*$/, `:${name}`);
}

function emptyToUndefined(
	context: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
	return Object.keys(context).length > 0 ? {...context} : undefined;
}

function required<T>(value: T | undefined, field: string): T {
	if (value === undefined || value === null) {
		throw new ServiceError(
			'unknown',
			`The KMS response had no ${field}.`,
			'The endpoint is not behaving like KMS; check --endpoint-url.',
		);
	}
	return value;
}
