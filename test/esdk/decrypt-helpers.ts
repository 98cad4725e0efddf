/**
 * Fixtures for the ESDK reader's tests: `kms-tui sandbox serve` as the KMS both the real AWS
 * Encryption SDK (@aws-crypto/client-node, KMS keyring) and the built CLI talk to, and the SDK's
 * encrypt for every suite it writes.
 */
import {spawn} from 'node:child_process';
import {mkdtemp, readdir, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {
	AlgorithmSuiteIdentifier,
	buildClient,
	CommitmentPolicy,
	KmsKeyringNode,
	RawAesKeyringNode,
	RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import {CreateKeyCommand, KMS} from '@aws-sdk/client-kms';
import {type CliResult, cleanEnv, cliNode, cliPath} from '../helpers/cli.js';
import {type ServedSandbox, serveSandbox} from '../helpers/serve.js';

export const credentials = {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'};

const committing = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
// The only policy under which the SDK still writes the legacy (message format v1) suites.
const legacy = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);

export type EsdkFixture = {
	readonly work: string;
	readonly endpoint: string;
	readonly kms: KMS;
	newKey(): Promise<string>;
	/** The built CLI against the served sandbox, in `work`; `input` (bytes) on its stdin. */
	cli(args: readonly string[], input?: Buffer): Promise<CliResult & {stdoutBytes: Buffer}>;
	/** Writes `bytes` to `name` in `work`; returns the path. */
	write(name: string, bytes: Buffer): Promise<string>;
	/** Files in `work` whose name starts with `prefix` (temp files are `.NAME.kms-tui-…`). */
	leftovers(prefix: string): Promise<string[]>;
	close(): Promise<void>;
};

export async function startEsdkFixture(name: string): Promise<EsdkFixture> {
	const work = await mkdtemp(path.join(tmpdir(), `kms-tui-esdk-${name}-`));
	const env = cleanEnv(work);
	const served: ServedSandbox = await serveSandbox(path.join(work, 'sandbox'), work);
	const kms = new KMS({endpoint: served.endpoint, region: 'us-east-1', credentials});
	return {
		work,
		endpoint: served.endpoint,
		kms,
		newKey: async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string,
		cli: (args, input) =>
			new Promise((resolve, reject) => {
				const child = spawn(
					cliNode,
					[cliPath, '--endpoint-url', served.endpoint, '--region', 'us-east-1', ...args],
					{
						cwd: work,
						env,
					},
				);
				const stdout: Buffer[] = [];
				let stderr = '';
				child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
				child.stderr.on('data', (chunk: Buffer) => {
					stderr += chunk.toString();
				});
				child.once('error', reject);
				child.once('close', (code) => {
					const bytes = Buffer.concat(stdout);
					resolve({code, stdout: bytes.toString(), stderr, stdoutBytes: bytes});
				});
				child.stdin.on('error', () => {});
				child.stdin.end(input ?? Buffer.alloc(0));
			}),
		write: async (file, bytes) => {
			const target = path.join(work, file);
			await writeFile(target, bytes);
			return target;
		},
		leftovers: async (prefix) =>
			(await readdir(work)).filter(
				(entry) => entry.startsWith(prefix) || entry.startsWith(`.${prefix}`),
			),
		close: async () => {
			kms.destroy();
			await served.stop();
			await rm(work, {recursive: true, force: true});
		},
	};
}

/** The SDK's KMS keyring: the first key generates the data key, each other one wraps it too. */
export function kmsKeyring(kms: KMS, keyArns: readonly string[]) {
	const [generatorKeyId, ...keyIds] = keyArns;
	return new KmsKeyringNode({generatorKeyId, keyIds, clientProvider: () => kms});
}

export async function sdkEncrypt(
	keyring: KmsKeyringNode | RawAesKeyringNode,
	plaintext: Buffer,
	options: {
		suiteId?: number;
		frameLength?: number;
		encryptionContext?: Record<string, string>;
	} = {},
): Promise<Buffer> {
	const suiteId = (options.suiteId ?? 0x0578) as AlgorithmSuiteIdentifier;
	const client = suiteId >= 0x0478 ? committing : legacy;
	const {result} = await client.encrypt(keyring, plaintext, {
		suiteId,
		frameLength: options.frameLength ?? 4096,
		encryptionContext: options.encryptionContext ?? {},
	});
	return Buffer.from(result);
}

export function rawAesKeyring(namespace: string, keyName: string) {
	return new RawAesKeyringNode({
		keyName,
		keyNamespace: namespace,
		unencryptedMasterKey: new Uint8Array(32).fill(7),
		wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
	});
}

export {AlgorithmSuiteIdentifier};

const u16 = (n: number) => {
	const out = Buffer.alloc(2);
	out.writeUInt16BE(n);
	return out;
};
const u32 = (n: number) => {
	const out = Buffer.alloc(4);
	out.writeUInt32BE(n);
	return out;
};

/**
 * A non-framed message (content type 0x01) of suite 0x0478, built here from the specification
 * (data-format/message-header.md, message-body.md, message-body-aad.md and the HKDF rules of
 * framework/transitive-requirements.md) because the SDK no longer writes non-framed content.
 */
export async function nonFramedMessage(
	kms: KMS,
	keyArn: string,
	plaintext: Buffer,
	encryptionContext: Record<string, string> = {},
): Promise<Buffer> {
	const {createCipheriv, hkdfSync, randomBytes} = await import('node:crypto');
	const generated = await kms.generateDataKey({
		KeyId: keyArn,
		NumberOfBytes: 32,
		EncryptionContext: encryptionContext,
	});
	const dataKey = Buffer.from(generated.Plaintext as Uint8Array);
	const messageId = randomBytes(32);
	const suite = u16(0x0478);
	const key = Buffer.from(
		hkdfSync('sha512', dataKey, messageId, Buffer.concat([suite, Buffer.from('DERIVEKEY')]), 32),
	);
	const commitKey = Buffer.from(
		hkdfSync('sha512', dataKey, messageId, Buffer.from('COMMITKEY'), 32),
	);
	const pairs = Object.entries(encryptionContext).sort(([a], [b]) =>
		Buffer.compare(Buffer.from(a), Buffer.from(b)),
	);
	const context =
		pairs.length === 0
			? Buffer.alloc(0)
			: Buffer.concat([
					u16(pairs.length),
					...pairs.flatMap(([k, v]) => [
						u16(Buffer.byteLength(k)),
						Buffer.from(k),
						u16(Buffer.byteLength(v)),
						Buffer.from(v),
					]),
				]);
	const provider = Buffer.from('aws-kms');
	const info = Buffer.from(generated.KeyId as string);
	const blob = Buffer.from(generated.CiphertextBlob as Uint8Array);
	const headerBody = Buffer.concat([
		Buffer.from([0x02]),
		suite,
		messageId,
		u16(context.length),
		context,
		u16(1),
		u16(provider.length),
		provider,
		u16(info.length),
		info,
		u16(blob.length),
		blob,
		Buffer.from([0x01]), // non-framed
		u32(0), // frame length 0
		commitKey,
	]);
	const headerCipher = createCipheriv('aes-256-gcm', key, Buffer.alloc(12));
	headerCipher.setAAD(headerBody);
	headerCipher.final();
	const header = Buffer.concat([headerBody, headerCipher.getAuthTag()]);
	const iv = Buffer.alloc(12);
	iv.writeUInt32BE(1, 8);
	const length = Buffer.alloc(8);
	length.writeBigUInt64BE(BigInt(plaintext.length));
	const aad = Buffer.concat([
		messageId,
		Buffer.from('AWSKMSEncryptionClient Single Block'),
		u32(1),
		length,
	]);
	const cipher = createCipheriv('aes-256-gcm', key, iv);
	cipher.setAAD(aad);
	const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
	return Buffer.concat([header, iv, length, ciphertext, cipher.getAuthTag()]);
}
