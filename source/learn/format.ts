/**
 * How lessons show byte values: a secret is never turned into more than a mask or a one-way
 * fingerprint; non-secret bytes get a short hex preview.
 */
import {createHash} from 'node:crypto';

/** What the lessons encrypt and must get back. */
export const sampleText = 'Meet me at the old oak tree at noon. Bring the map.';

/** `a1 b2 •••• (32 bytes)`: the first two bytes only, enough to see it change, never to use it. */
export function maskKey(key: Uint8Array): string {
	const head = Array.from(key.subarray(0, 2), (byte) => byte.toString(16).padStart(2, '0'));
	return `${head.join(' ')} •••• (${key.length} bytes)`;
}

/**
 * `sha256:1a2b3c4d5e6f7a8b`: the first 8 bytes of the key's SHA-256. Two equal fingerprints say
 * two Decrypts gave the same key; the hash cannot be turned back into the key.
 */
export function fingerprint(key: Uint8Array): string {
	return `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** `00 00 00 … (32 bytes)`: the first bytes of a NON-secret (or wiped) buffer. */
export function hexPreview(bytes: Uint8Array, count = 3): string {
	const head = Array.from(bytes.subarray(0, count), (byte) => byte.toString(16).padStart(2, '0'));
	return `${head.join(' ')}${bytes.length > count ? ' …' : ''} (${bytes.length} bytes)`;
}

export function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A key material id (64 hex characters) short enough for a row, still telling two apart. */
export function shortId(id: string | undefined): string {
	return id === undefined ? 'not reported by this endpoint' : truncate(id, 17);
}
