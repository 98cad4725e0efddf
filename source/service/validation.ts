import {ServiceError} from './service-error.js';

const aliasPattern = /^[a-zA-Z0-9:/_-]+$/;

/**
 * Checks an alias name before any call, with the rules KMS applies, so a typo costs no round trip
 * and the message can say exactly which rule failed.
 */
export function validateAliasName(name: string): void {
	const fail = (problem: string) =>
		new ServiceError(
			'invalid-alias-name',
			`"${name}" is not a valid alias name: ${problem}.`,
			'Alias names look like alias/my-app-key: they start with alias/, use only letters, digits and / _ - :, are at most 256 characters, and may not start with alias/aws/.',
		);
	if (!name.startsWith('alias/')) throw fail('it must start with alias/');
	if (name.length === 'alias/'.length) throw fail('it needs a name after alias/');
	if (name.length > 256) throw fail(`it is ${name.length} characters long, the limit is 256`);
	if (!aliasPattern.test(name)) {
		const bad = [
			...new Set([...name].filter((character) => !/[a-zA-Z0-9:/_-]/.test(character))),
		].join(' ');
		throw fail(`it contains characters KMS does not allow (${bad})`);
	}
	if (name.startsWith('alias/aws/'))
		throw fail('the alias/aws/ prefix is reserved for AWS managed keys');
}

/** KMS's range for automatic rotation, checked before any call. */
export function validateRotationPeriod(days: number): void {
	if (!Number.isInteger(days) || days < 90 || days > 2560) {
		throw new ServiceError(
			'validation',
			`A rotation period of ${days} days is out of range.`,
			'KMS rotates automatically every 90 to 2560 days (default 365). Example: --period 180',
		);
	}
}

/**
 * The deletion waiting period kms-tui proposes everywhere (CLI default, the TUI's form, hints):
 * KMS's own default, and the longest, so that a mistake has the most time to be taken back.
 */
export const defaultPendingWindowDays = 30;

/** KMS's range for the deletion waiting period, checked before any call. */
export function validatePendingWindow(days: number): void {
	if (!Number.isInteger(days) || days < 7 || days > 30) {
		throw new ServiceError(
			'validation',
			`A deletion waiting period of ${days} days is out of range.`,
			`KMS waits 7 to 30 days (default ${defaultPendingWindowDays}) before it deletes a key. Example: --days 7`,
		);
	}
}
