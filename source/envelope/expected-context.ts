import {EnvelopeError} from './errors.js';

/**
 * `decrypt --context k=v`: each pair must be in the stored context with that value, checked
 * before KMS is called (the stored context may hold more pairs). `what` names the file's kind in
 * the message: a kms-tui envelope or an AWS Encryption SDK message.
 */
export function checkExpectedContext(
	stored: Readonly<Record<string, string>>,
	expected: Readonly<Record<string, string>>,
	label: string,
	what: 'envelope' | 'message',
): void {
	const wrong = Object.entries(expected).filter(
		([key, value]) => !Object.hasOwn(stored, key) || stored[key] !== value,
	);
	if (wrong.length === 0) return;
	const pairs = wrong.map(([key, value]) => `${key}=${value}`).join(', ');
	throw new EnvelopeError(
		'context-mismatch',
		`${label}: the ${what}'s encryption context does not contain ${pairs}; KMS was not asked and nothing was written — check --context (\`kms-tui inspect\` shows the stored context).`,
	);
}
