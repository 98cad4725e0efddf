/**
 * The footer signature of the signed suites (data-format/message-footer.md): a fresh ECDSA key
 * pair per message, its public key in the encryption context under `aws-crypto-public-key` (the
 * compressed point, base64: what the SDK stores and reads), and a DER signature over the
 * header and the body. The hash runs as the bytes are written, so nothing is kept for it.
 */
import {createSign, generateKeyPairSync} from 'node:crypto';
import type {EsdkSuite} from './suites.js';

const curves = {'P-256': 'prime256v1', 'P-384': 'secp384r1'} as const;

export type EsdkSigner = {
	/** The context value for `aws-crypto-public-key`. */
	readonly publicKey: string;
	/** Feeds the next bytes of the message (header, then body), in order. */
	update(bytes: Buffer): void;
	/** The footer: UInt16 length ‖ DER signature. Call once, after the last body byte. */
	footer(): Buffer;
};

export function createEsdkSigner(signature: NonNullable<EsdkSuite['signature']>): EsdkSigner {
	const {privateKey, publicKey} = generateKeyPairSync('ec', {
		namedCurve: curves[signature.curve],
	});
	const jwk = publicKey.export({format: 'jwk'});
	const x = Buffer.from(jwk.x as string, 'base64url');
	const y = Buffer.from(jwk.y as string, 'base64url');
	// SEC 1 compressed point: 0x02 for an even y, 0x03 for an odd one, then x.
	const compressed = Buffer.concat([Buffer.from([0x02 | ((y.at(-1) as number) & 1)]), x]);
	const signer = createSign(signature.hash);
	return {
		publicKey: compressed.toString('base64'),
		update(bytes) {
			signer.update(bytes);
		},
		footer() {
			const der = signer.sign({key: privateKey, dsaEncoding: 'der'});
			const length = Buffer.alloc(2);
			length.writeUInt16BE(der.length, 0);
			return Buffer.concat([length, der]);
		},
	};
}
