/**
 * Sealing and opening one frame (docs/FORMAT.md §5): AES-256-GCM under the message key, nonce
 * and AAD from the frame number. One place for the streaming loops (encrypt.ts, decrypt.ts) and
 * the frame jobs (frame-job.ts), so every path writes and accepts exactly the same bytes.
 */
import {createCipheriv, createDecipheriv, type KeyObject} from 'node:crypto';
import {frameNonce, updateSliced} from './derive.js';
import {EnvelopeError} from './errors.js';
import {AAD_BYTES, frameAad, NONCE_BYTES, TAG_BYTES} from './format.js';

export type FrameCipher = {
	/** Appends the ciphertext and the tag of frame `frame` to `out`; returns the plaintext bytes. */
	seal(plain: Buffer, frame: number, isFinal: boolean, out: Buffer[]): number;
	/**
	 * Appends the plaintext of the sealed frame (ciphertext ‖ tag, ≥ 16 bytes) to `out` once its
	 * tag verified; returns the plaintext bytes, or undefined (and appends nothing) if it did not.
	 */
	open(sealed: Buffer, frame: number, isFinal: boolean, out: Buffer[]): number | undefined;
};

/** A cipher for one message's frames; it reuses its nonce and AAD scratch buffers (one thread). */
export function frameCipher(
	keys: {readonly key: KeyObject; readonly nonceBase: Buffer},
	digest: Buffer,
): FrameCipher {
	const nonce = Buffer.alloc(NONCE_BYTES);
	const aad = Buffer.alloc(AAD_BYTES);
	const options = {authTagLength: TAG_BYTES};
	return {
		seal(plain, frame, isFinal, out) {
			const iv = frameNonce(keys.nonceBase, frame, nonce);
			const cipher = createCipheriv('aes-256-gcm', keys.key, iv, options);
			cipher.setAAD(frameAad(digest, frame, isFinal, aad));
			updateSliced(cipher, plain, out);
			cipher.final();
			out.push(cipher.getAuthTag());
			return plain.length;
		},
		open(sealed, frame, isFinal, out) {
			const iv = frameNonce(keys.nonceBase, frame, nonce);
			const decipher = createDecipheriv('aes-256-gcm', keys.key, iv, options);
			decipher.setAAD(frameAad(digest, frame, isFinal, aad));
			decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
			const plain: Buffer[] = [];
			const bytes = updateSliced(decipher, sealed.subarray(0, sealed.length - TAG_BYTES), plain);
			try {
				decipher.final();
			} catch {
				return undefined;
			}
			// Only now, verified, does this frame's plaintext join what is to be written.
			out.push(...plain);
			return bytes;
		},
	};
}

/** `x.kms: frame 3 failed authentication — …` followed by what became of the output. */
export function frameFailed(
	label: string,
	frame: number,
	isFinal: boolean,
	outcome: string,
): EnvelopeError {
	const which = isFinal ? `the final frame (${frame})` : `frame ${frame}`;
	return new EnvelopeError(
		'tampered',
		`${label}: ${which} failed authentication — the file was modified, truncated or is corrupt. ${outcome}`,
	);
}
