import {parse} from 'yaml';
import {rulesOf} from '../template/parameter-rules.js';
import type {TemplateParameter} from './types.js';

/**
 * The Parameters section of a JSON or YAML template, read locally. CloudFormation's short-form
 * tags (!Ref, !Sub…) are kept as plain values: parameter declarations never need them resolved.
 */
export function parametersDeclaredIn(templateBody: string): TemplateParameter[] {
	let template: unknown;
	try {
		template = parse(templateBody, {logLevel: 'silent', uniqueKeys: false});
	} catch {
		return [];
	}
	const declared = (template as {Parameters?: Record<string, Record<string, unknown>>} | null)
		?.Parameters;
	if (!declared || typeof declared !== 'object') return [];
	return Object.entries(declared).map(([key, definition]) => ({
		key,
		defaultValue: definition?.Default === undefined ? undefined : String(definition.Default),
		description: typeof definition?.Description === 'string' ? definition.Description : undefined,
		noEcho: definition?.NoEcho === true || definition?.NoEcho === 'true',
		rules: rulesOf(definition ?? {}),
	}));
}
