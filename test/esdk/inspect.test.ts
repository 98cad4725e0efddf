/**
 * `kms-tui inspect` of AWS Encryption SDK messages made by the real SDK: the format and version,
 * the suite, content type and frame length, every data key (provider and key ARN), the context
 * and the sizes, read without any KMS call (no endpoint, no credentials), in text with every
 * value escaped for the terminal, and in JSON.
 */
import {randomBytes} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {
	type EsdkFixture,
	kmsKeyring,
	nonFramedMessage,
	rawAesKeyring,
	sdkEncrypt,
	startEsdkFixture,
} from './decrypt-helpers.js';

let fx: EsdkFixture;
let first: string;
let second: string;

beforeAll(async () => {
	fx = await startEsdkFixture('inspect');
	first = await fx.newKey();
	second = await fx.newKey();
});
afterAll(async () => {
	await fx?.close();
});

/** inspect with no KMS target and no AWS configuration at all. */
async function inspect(message: Buffer, ...flags: string[]) {
	const file = path.join(fx.work, `inspect-${randomBytes(4).toString('hex')}.encrypted`);
	await writeFile(file, message);
	return runCli(['inspect', file, ...flags], {env: cleanEnv(fx.work), cwd: fx.work});
}

describe('kms-tui inspect of AWS Encryption SDK messages', () => {
	it('shows suite, frames, every data key, the context (escaped) and sizes, without KMS', async () => {
		const encryptionContext = {purpose: 'backup', title: '\u001b]0;pwned\u0007'};
		const message = await sdkEncrypt(kmsKeyring(fx.kms, [first, second]), randomBytes(10_000), {
			frameLength: 4096,
			encryptionContext,
		});
		const result = await inspect(message);
		expect(result.code, result.stderr).toBe(0);
		const out = result.stdout;
		expect(out).toContain('AWS Encryption SDK message v2');
		expect(out).toContain('0x0578 AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384');
		expect(out).toContain(`1. ${first}`);
		expect(out).toContain(`2. ${second}`);
		expect(out).toContain('purpose=backup');
		expect(out).toContain('title=\\e]0;pwned\\u{0007}');
		expect(out).not.toContain('\u001b');
		expect(out).toContain("aws-crypto-public-key=(the signature's public key)");
		expect(out).toContain('framed, 3 frame(s) of up to 4,096 bytes');
		expect(out).toContain('plaintext    10,000 bytes');
		expect(out).toContain(`message      ${message.length.toLocaleString('en-US')} bytes`);
		expect(out).toContain('nothing is verified until you decrypt');
	});

	it('--json gives the same as data', async () => {
		const message = await sdkEncrypt(kmsKeyring(fx.kms, [first]), randomBytes(65_537), {
			suiteId: 0x0478,
			frameLength: 65536,
			encryptionContext: {purpose: 'json'},
		});
		const result = await inspect(message, '--json');
		expect(result.code, result.stderr).toBe(0);
		expect(JSON.parse(result.stdout)).toMatchObject({
			format: 'aws-encryption-sdk',
			messageFormatVersion: 2,
			suite: {
				id: '0x0478',
				name: 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY',
				committing: true,
				signed: false,
			},
			contentType: 'framed',
			frameLength: 65536,
			encryptedDataKeys: [{providerId: 'aws-kms', keyArn: first}],
			encryptionContext: {purpose: 'json'},
			fileSize: message.length,
			frameCount: 2,
			plaintextSize: 65_537,
			lengthConsistent: true,
		});
	});

	it('names other providers, the legacy v1 suites, non-framed content and a cut-off file', async () => {
		const raw = await inspect(
			await sdkEncrypt(rawAesKeyring('kms-tui-bench', 'bench-key'), randomBytes(10)),
		);
		expect(raw.code, raw.stderr).toBe(0);
		expect(raw.stdout).toContain(
			'raw AES keyring (provider "kms-tui-bench", key "bench-key") — not supported by kms-tui',
		);

		const legacy = await inspect(
			await sdkEncrypt(kmsKeyring(fx.kms, [first]), randomBytes(5000), {suiteId: 0x0378}),
		);
		expect(legacy.stdout).toContain('AWS Encryption SDK message v1');
		expect(legacy.stdout).toContain('0x0378 AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384');
		expect(legacy.stdout).toContain('--allow-non-committing');
		expect(legacy.stdout).toContain('plaintext    5,000 bytes');

		const nonFramed = await inspect(await nonFramedMessage(fx.kms, first, randomBytes(1234)));
		expect(nonFramed.stdout).toContain('non-framed');
		expect(nonFramed.stdout).toContain('plaintext    1,234 bytes');

		const full = await sdkEncrypt(kmsKeyring(fx.kms, [first]), randomBytes(20_000));
		const cut = await inspect(full.subarray(0, full.length - 500), '--json');
		expect(JSON.parse(cut.stdout)).toMatchObject({lengthConsistent: false});
		expect((await inspect(full.subarray(0, full.length - 500))).stdout).toContain(
			'cut off or extended',
		);
	});

	it('a header cut short is an error, exit 1', async () => {
		const message = await sdkEncrypt(kmsKeyring(fx.kms, [first]), randomBytes(10));
		const result = await inspect(message.subarray(0, 60));
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('ends inside its header');
	});
});
