/**
 * Per-message keys. The KMS data key never encrypts anything itself: HKDF-SHA-512 (salt = the
 * random message id) turns it into an AES-256 key, a 32-byte key commitment and a 12-byte nonce
 * base, each under its own label. The commitment is stored in the header and checked before any
 * frame is opened, so a wrong data key (or a header pointing at another key) fails cleanly, and
 * no envelope can decrypt to two different plaintexts under two keys (AES-GCM alone is not
 * key-committing).
 */
import {
	type CipherGCM,
	createSecretKey,
	type DecipherGCM,
	hkdfSync,
	type KeyObject,
	timingSafeEqual,
} from 'node:crypto';
import {EnvelopeError} from './errors.js';
import {COMMITMENT_BYTES, DATA_KEY_BYTES, type FormatVersion, NONCE_BYTES} from './format.js';

/**
 * Each version has its own labels, so one data key and message id never give the same AES key
 * and nonces in two versions: re-sealing a v1 envelope's frames as v2 (issue 13's conversion),
 * which keeps both, would otherwise reuse every (key, nonce) pair with another AAD — and two
 * GCM tags under one nonce give away the authentication key.
 */
const label = (version: FormatVersion, name: string) => `kms-tui-envelope/v${version} ${name}`;

export type MessageKeys = {
	/** The AES-256-GCM key. The raw bytes were zeroed once the KeyObject was made. */
	readonly key: KeyObject;
	readonly commitment: Buffer;
	readonly nonceBase: Buffer;
};

function expand(
	dataKey: Buffer,
	messageId: Buffer,
	version: FormatVersion,
	name: string,
	length: number,
): Buffer {
	return Buffer.from(hkdfSync('sha512', dataKey, messageId, label(version, name), length));
}

/**
 * Derives the message keys. Does not zero `dataKey` (the caller owns it and zeroes it right
 * after this returns, also when it throws).
 */
export function deriveMessageKeys(
	dataKey: Buffer,
	messageId: Buffer,
	version: FormatVersion,
): MessageKeys {
	if (dataKey.length !== DATA_KEY_BYTES) {
		throw new EnvelopeError(
			'kms',
			`KMS returned a ${dataKey.length}-byte data key, expected ${DATA_KEY_BYTES} (AES_256) — check the key service.`,
		);
	}
	const raw = expand(dataKey, messageId, version, 'data key', 32);
	try {
		return {
			// One KeyObject for all frames: Node copies the key once instead of once per frame.
			key: createSecretKey(raw),
			commitment: expand(dataKey, messageId, version, 'key commitment', COMMITMENT_BYTES),
			nonceBase: expand(dataKey, messageId, version, 'nonce base', NONCE_BYTES),
		};
	} finally {
		raw.fill(0);
	}
}

export function commitmentMatches(derived: Buffer, stored: Buffer): boolean {
	return stored.length === derived.length && timingSafeEqual(derived, stored);
}

/**
 * Nonce of frame `n`: the nonce base XOR the 32-bit big-endian frame number in its last four bytes.
 * Deterministic nonces are safe because the key is unique to the message (random message id),
 * and a frame number is never used twice within one message. Written into `out` (reused).
 */
export function frameNonce(nonceBase: Buffer, frameNumber: number, out: Buffer): Buffer {
	nonceBase.copy(out, 0, 0, 8);
	out.writeUInt32BE((nonceBase.readUInt32BE(8) ^ frameNumber) >>> 0, 8);
	return out;
}

/**
 * Bytes per cipher.update(). Node allocates a fresh output Buffer per call; with default glibc
 * settings, 1 MiB allocations churn mmap/brk (page faults, sys time), while 64 KiB ones are reused
 * from the heap. GCM is a stream, so slicing a frame changes nothing in the output.
 */
export const UPDATE_SLICE_BYTES = 64 * 1024;

/** Runs `data` through `cipher` in slices, appending each output piece to `out`. */
export function updateSliced(cipher: CipherGCM | DecipherGCM, data: Buffer, out: Buffer[]): number {
	for (let at = 0; at < data.length; at += UPDATE_SLICE_BYTES) {
		out.push(cipher.update(data.subarray(at, Math.min(at + UPDATE_SLICE_BYTES, data.length))));
	}
	return data.length;
}
