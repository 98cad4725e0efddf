/**
 * Raised when the sandbox state or its directory cannot be used: not sandbox state, not a
 * directory, not writable. Never answered by a silent reset; the message says what to do.
 */
export class SandboxStateError extends Error {
	override name = 'SandboxStateError';
}
