/**
 * Envelope encryption for files and streams with a KMS data key (docs/FORMAT.md).
 *
 * - encryptFile: one GenerateDataKey per file (plus one Encrypt per extra key, wrapped-keys.ts);
 *   format v2; binary (default) or JSON encoding.
 * - decryptFile: one Decrypt per wrapped key tried, in order, until one opens; v1 and v2;
 *   detects the encoding; verifies every frame.
 * - inspectEnvelope: reads the header only; no KMS call, nothing verified.
 *
 * Every failure is an EnvelopeError with a stable `code` and a message that says what to do.
 */
export type {DataKey, DataKeyProvider} from './data-key-provider.js';
export {type DecryptOptions, type DecryptResult, decryptFile} from './decrypt.js';
export {type EncryptOptions, type EnvelopeResult, encryptFile} from './encrypt.js';
export {EnvelopeError, type EnvelopeErrorCode} from './errors.js';
export {
	DEFAULT_FRAME_SIZE,
	type EnvelopeEncoding,
	type EnvelopeHeader,
	JSON_MAX_PLAINTEXT,
	MAX_FRAME_SIZE,
	MIN_FRAME_SIZE,
} from './format.js';
export {type EnvelopeSummary, inspectEnvelope} from './inspect.js';
export {type ProgressCallback, throughput} from './progress.js';
