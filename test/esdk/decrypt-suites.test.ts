/**
 * kms-tui's table of AWS Encryption SDK suites (source/esdk/suites.ts, written from the
 * specification) against the real SDK's own suite definitions: same ids, key lengths, KDFs,
 * commitment, signature curves and message format versions. And the header parser on a message
 * of every suite the SDK writes.
 */
import {randomBytes} from 'node:crypto';
import {AlgorithmSuiteIdentifier, NodeAlgorithmSuite} from '@aws-crypto/client-node';
import {describe, expect, it} from 'vitest';
import {parseEsdkHeader} from '../../source/esdk/header-parse.js';
import {ESDK_DEFAULT_SUITE, ESDK_SUITES, ESDK_UNSIGNED_SUITE} from '../../source/esdk/suites.js';
import {rawAesKeyring, sdkEncrypt} from './decrypt-helpers.js';

const sdkIds = Object.values(AlgorithmSuiteIdentifier).filter(
	(id): id is number => typeof id === 'number',
);
const curves = {secp256r1: 'P-256', prime256v1: 'P-256', secp384r1: 'P-384'} as const;

describe('ESDK suites', () => {
	it('match the SDK’s definitions, suite by suite', () => {
		expect([...ESDK_SUITES.keys()].sort()).toEqual([...sdkIds].sort());
		for (const id of sdkIds) {
			const sdk = new NodeAlgorithmSuite(id as AlgorithmSuiteIdentifier);
			const ours = ESDK_SUITES.get(id);
			expect(ours, `0x${id.toString(16)}`).toBeDefined();
			expect(ours?.keyBytes).toBe(sdk.keyLengthBytes);
			expect(ours?.messageFormatVersion).toBe(sdk.messageFormat);
			expect(ours?.committing).toBe(sdk.commitment !== 'NONE');
			expect(ours?.kdf).toBe(sdk.kdf === 'HKDF' ? `hkdf-${sdk.kdfHash}` : 'identity');
			const signature = sdk.signatureCurve
				? {curve: curves[sdk.signatureCurve as keyof typeof curves], hash: sdk.signatureHash}
				: undefined;
			expect(ours?.signature).toEqual(signature);
		}
		expect(ESDK_SUITES.get(ESDK_DEFAULT_SUITE)?.name).toBe(
			'AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
		);
		expect(ESDK_SUITES.get(ESDK_UNSIGNED_SUITE)?.signature).toBeUndefined();
	});

	it('the header parser reads a message of every suite, and asks for more when cut', async () => {
		for (const id of sdkIds) {
			const message = await sdkEncrypt(rawAesKeyring('kms-tui-test', 'k'), randomBytes(100), {
				suiteId: id,
				frameLength: 64,
				encryptionContext: {purpose: 'suites'},
			});
			const header = parseEsdkHeader(message, {label: 'm'});
			expect(header?.suite.id).toBe(id);
			expect(header?.version).toBe(ESDK_SUITES.get(id)?.messageFormatVersion);
			expect(header?.frameLength).toBe(64);
			expect(header?.contentType).toBe('framed');
			expect(header?.encryptionContext.purpose).toBe('suites');
			expect(header?.encryptedDataKeys[0]?.providerId).toBe('kms-tui-test');
			const size = header?.headerBytes as number;
			for (const cut of [1, 2, 20, size - 1]) {
				expect(parseEsdkHeader(message.subarray(0, cut), {label: 'm'})).toBeUndefined();
			}
		}
	});

	it('the header parser refuses what the specification does not allow', async () => {
		const message = await sdkEncrypt(rawAesKeyring('kms-tui-test', 'k'), randomBytes(10), {
			suiteId: 0x0478,
		});
		const header = parseEsdkHeader(message, {label: 'm'});
		if (!header) throw new Error('no header');
		const set = (at: number, byte: number) => {
			const copy = Buffer.from(message);
			copy[at] = byte;
			return copy;
		};
		expect(() => parseEsdkHeader(set(0, 0x03), {label: 'm'})).toThrow(/version 3 is not supported/);
		expect(() => parseEsdkHeader(set(2, 0x79), {label: 'm'})).toThrow(
			/0x0479 is not an AWS Encryption SDK suite/,
		);
		expect(() => parseEsdkHeader(set(1, 0x01), {label: 'm'})).toThrow(
			/belongs to message format version 1/,
		);
		// The content type byte sits right before the frame length and the 32-byte commit key.
		const contentType = header.bodyBytes - 32 - 4 - 1;
		expect(() => parseEsdkHeader(set(contentType, 0x03), {label: 'm'})).toThrow(
			/unknown content type/,
		);
		expect(() => parseEsdkHeader(set(contentType, 0x01), {label: 'm'})).toThrow(
			/non-framed message must have frame length 0/,
		);
		// No encrypted data key: the count (after the empty context's two zero bytes) set to 0.
		expect(() => parseEsdkHeader(set(1 + 2 + 32 + 2 + 1, 0), {label: 'm'})).toThrow(
			/no encrypted data key/,
		);
	});
});
