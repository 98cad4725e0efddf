/**
 * Verifying the footer signature of the signed suites (data-format/message-footer.md): ECDSA
 * over the header and the body, DER-encoded; the verification key is the compressed point
 * (SEC 1 §2.3.3, base64) stored in the encryption context under `aws-crypto-public-key`.
 * The hash runs as the bytes are read, so no part of the message is kept for it.
 */
import {createPublicKey, createVerify, ECDH, type KeyObject, type Verify} from 'node:crypto';
import {ESDK_PUBLIC_KEY_CONTEXT_KEY, type EsdkSuite} from './suites.js';

const curves = {
	'P-256': {openssl: 'prime256v1', bytes: 32},
	'P-384': {openssl: 'secp384r1', bytes: 48},
} as const;

export type EsdkVerifier = {
	/** Feeds the next message bytes (header, then body), in order. */
	update(bytes: Buffer): void;
	/** True when `signature` (DER) signs everything fed. Call once. */
	verify(signature: Buffer): boolean;
};

/**
 * The public key of `suite` from its context value, or a reason it is unusable (not base64, not a
 * compressed point, not on the curve).
 */
export function esdkVerificationKey(
	suite: EsdkSuite,
	value: string,
): {key: KeyObject} | {invalid: string} {
	const signature = suite.signature;
	if (!signature) return {invalid: 'the suite has no signature'};
	const curve = curves[signature.curve];
	const point = Buffer.from(value, 'base64');
	if (
		point.toString('base64') !== value ||
		point.length !== curve.bytes + 1 ||
		(point[0] !== 2 && point[0] !== 3)
	) {
		return {
			invalid: `${ESDK_PUBLIC_KEY_CONTEXT_KEY} is not a compressed ${signature.curve} point in base64`,
		};
	}
	try {
		// OpenSSL decompresses (and checks the point is on the curve); JWK then makes the key.
		const raw = ECDH.convertKey(
			point,
			curve.openssl,
			undefined,
			undefined,
			'uncompressed',
		) as Buffer;
		const x = raw.subarray(1, 1 + curve.bytes).toString('base64url');
		const y = raw.subarray(1 + curve.bytes).toString('base64url');
		return {key: createPublicKey({key: {kty: 'EC', crv: signature.curve, x, y}, format: 'jwk'})};
	} catch {
		return {invalid: `${ESDK_PUBLIC_KEY_CONTEXT_KEY} is not a point on ${signature.curve}`};
	}
}

export function createEsdkVerifier(suite: EsdkSuite, key: KeyObject): EsdkVerifier {
	const signature = suite.signature;
	if (!signature) throw new Error('createEsdkVerifier: the suite is not signed');
	const verifier: Verify = createVerify(signature.hash);
	return {
		update(bytes) {
			verifier.update(bytes);
		},
		verify(der) {
			try {
				return verifier.verify({key, dsaEncoding: 'der'}, der);
			} catch {
				return false;
			}
		},
	};
}
