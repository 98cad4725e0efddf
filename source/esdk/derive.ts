/**
 * ESDK per-message keys (framework/transitive-requirements.md, "HKDF Encryption Key" and
 * "HKDF Commit Key"). Non-committing HKDF suites: salt = hash-length zeros, info = suite id ‖
 * message id. Committing suites: salt = the 32-byte message id, info = suite id ‖ "DERIVEKEY" for
 * the AES key and "COMMITKEY" for the commit key. Identity suites use the data key as is.
 */
import {hkdfSync} from 'node:crypto';
import {EnvelopeError} from '../envelope/errors.js';
import {
	ESDK_COMMIT_KEY_BYTES,
	ESDK_MESSAGE_ID_BYTES,
	type EsdkSuite,
	suiteIdHex,
} from './suites.js';

const hashBytes = {sha256: 32, sha384: 48, sha512: 64} as const;
const DERIVE_KEY_LABEL = Buffer.from('DERIVEKEY', 'utf8');
const COMMIT_KEY_LABEL = Buffer.from('COMMITKEY', 'utf8');

function suiteIdBytes(suite: EsdkSuite): Buffer {
	const out = Buffer.alloc(2);
	out.writeUInt16BE(suite.id, 0);
	return out;
}

/**
 * Derives the AES-GCM key (and the commit key of committing suites). Does not zero `dataKey`:
 * the caller owns it and zeroes it right after this returns (also when it throws). The returned
 * buffers are fresh copies the caller zeroes when done.
 */
export function deriveEsdkKeys(
	suite: EsdkSuite,
	dataKey: Buffer,
	messageId: Buffer,
): {encryptionKey: Buffer; commitKey?: Buffer} {
	if (dataKey.length !== suite.keyBytes) {
		throw new EnvelopeError(
			'kms',
			`the key provider returned a ${dataKey.length}-byte data key, but suite ${suiteIdHex(suite.id)} needs ${suite.keyBytes} bytes — check the key service.`,
		);
	}
	const idBytes = ESDK_MESSAGE_ID_BYTES[suite.messageFormatVersion];
	if (messageId.length !== idBytes) {
		throw new EnvelopeError(
			'invalid-argument',
			`a message format v${suite.messageFormatVersion} message id is ${idBytes} bytes, got ${messageId.length}.`,
		);
	}
	if (suite.kdf === 'identity') return {encryptionKey: Buffer.from(dataKey)};
	const hash = suite.kdf.slice('hkdf-'.length) as keyof typeof hashBytes;
	const id = suiteIdBytes(suite);
	if (!suite.committing) {
		const salt = Buffer.alloc(hashBytes[hash]);
		const info = Buffer.concat([id, messageId]);
		return {encryptionKey: Buffer.from(hkdfSync(hash, dataKey, salt, info, suite.keyBytes))};
	}
	return {
		encryptionKey: Buffer.from(
			hkdfSync(hash, dataKey, messageId, Buffer.concat([id, DERIVE_KEY_LABEL]), suite.keyBytes),
		),
		commitKey: Buffer.from(
			hkdfSync(hash, dataKey, messageId, COMMIT_KEY_LABEL, ESDK_COMMIT_KEY_BYTES),
		),
	};
}
