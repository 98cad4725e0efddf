import type {Parameter} from '@aws-sdk/client-cloudformation';
import {parse} from 'yaml';
import {describeRules, parameterProblem, rulesOf} from '../template/parameter-rules.js';
import {ServiceError} from './errors.js';
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

/**
 * Checks the values `given` the way CloudFormation would, before any call: names the template
 * declares, values its rules allow.
 */
export function checkGivenParameters(
	declared: readonly TemplateParameter[],
	given: Readonly<Record<string, string>>,
): void {
	const known = new Set(declared.map((parameter) => parameter.key));
	const unknown = Object.keys(given).filter((key) => !known.has(key));
	if (unknown.length > 0) {
		throw new ServiceError(
			'validation',
			`The template has no parameter ${unknown.join(', ')}.`,
			known.size > 0
				? `Its parameters are: ${[...known].join(', ')}.`
				: 'This template takes no parameters.',
		);
	}
	for (const parameter of declared) {
		const value = given[parameter.key];
		const problem =
			value === undefined ? undefined : parameterProblem(parameter.key, parameter.rules, value);
		if (problem) {
			const allowed = describeRules(parameter.rules);
			throw new ServiceError(
				'validation',
				`${problem}.`,
				`Give ${parameter.key} a value${allowed ? ` in ${allowed}` : ' the template allows'}${parameter.description ? ` (${parameter.description})` : ''}.`,
			);
		}
	}
}

/**
 * The change set's Parameters for checked values `given`. `previous` is the stack's current
 * parameters on an update (undefined on a create): those not given keep their value
 * (UsePreviousValue). A parameter with no default, no value and no previous value is an error.
 */
export function changeSetParameters(
	declared: readonly TemplateParameter[],
	given: Readonly<Record<string, string>>,
	previous: Readonly<Record<string, string>> | undefined,
): Parameter[] {
	const missing = declared.filter(
		(parameter) =>
			parameter.defaultValue === undefined &&
			given[parameter.key] === undefined &&
			previous?.[parameter.key] === undefined,
	);
	if (missing.length > 0) {
		throw new ServiceError(
			'validation',
			`The template needs a value for ${missing.map((parameter) => parameter.key).join(', ')}.`,
			`Pass it with --param ${missing[0]?.key}=VALUE.`,
		);
	}
	return declared
		.map((parameter) =>
			given[parameter.key] === undefined && previous?.[parameter.key] !== undefined
				? {ParameterKey: parameter.key, UsePreviousValue: true}
				: {ParameterKey: parameter.key, ParameterValue: given[parameter.key]},
		)
		.filter((parameter) => parameter.UsePreviousValue || parameter.ParameterValue !== undefined);
}
