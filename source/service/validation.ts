import {ServiceError} from './errors.js';

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
