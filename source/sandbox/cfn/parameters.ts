/**
 * Stack parameters: the values given (or UsePreviousValue on updates) checked against the
 * template's declarations with the messages CloudFormation returns.
 */
import {parameterProblem, rulesOf} from '../../template/parameter-rules.js';
import {AwsError, ownEntry} from '../context.js';
import type {StackParameter} from './state.js';
import type {Template} from './template.js';

export type ParameterInput = {key: string; value?: string; usePrevious: boolean};

function invalid(message: string): AwsError {
	return new AwsError('ValidationError', message);
}

function text(value: unknown): string | undefined {
	if (value === undefined || value === null) {
		return undefined;
	}
	return typeof value === 'string' ? value : String(value);
}

function isList(type: string): boolean {
	return type === 'CommaDelimitedList' || type.startsWith('List<');
}

function checkValue(key: string, declaration: Record<string, unknown>, value: string): void {
	const problem = parameterProblem(key, rulesOf(declaration), value);
	if (problem) throw invalid(problem);
}

function isNoEcho(declaration: Record<string, unknown>): boolean {
	return declaration.NoEcho === true || declaration.NoEcho === 'true';
}

/**
 * The stack's parameter values for `template`: given values, else the previous value when
 * UsePreviousValue is set, else the Default. `previous` is undefined for a new stack.
 */
export function resolveParameters(
	template: Template,
	given: readonly ParameterInput[],
	previous: readonly StackParameter[] | undefined,
): StackParameter[] {
	const declared = template.Parameters;
	const unknown = given
		.filter((input) => !Object.hasOwn(declared, input.key))
		.map((input) => input.key);
	if (unknown.length > 0) {
		throw invalid(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
	}
	const result: StackParameter[] = [];
	const missing: string[] = [];
	for (const [key, declaration] of Object.entries(declared)) {
		const input = given.find((candidate) => candidate.key === key);
		let value: string | undefined;
		if (input?.usePrevious) {
			const old = previous?.find((parameter) => parameter.key === key);
			if (!old) {
				throw invalid(
					`Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
				);
			}
			value = old.value;
		} else {
			value = input?.value ?? text(declaration.Default);
		}
		if (value === undefined) {
			missing.push(key);
			continue;
		}
		checkValue(key, declaration, value);
		result.push({key, value, noEcho: isNoEcho(declaration)});
	}
	if (missing.length > 0) {
		throw invalid(`Parameters: [${missing.join(', ')}] must have values`);
	}
	return result;
}

/** The values intrinsics see: list types become arrays. */
export function parameterValues(
	template: Template,
	parameters: readonly StackParameter[],
): Record<string, string | string[]> {
	const values: Record<string, string | string[]> = {};
	for (const parameter of parameters) {
		const type = String(ownEntry(template.Parameters, parameter.key)?.Type ?? 'String');
		values[parameter.key] = isList(type) ? parameter.value.split(',') : parameter.value;
	}
	return values;
}

/** ValidateTemplate's view of the declarations. */
export function declaredParameters(template: Template): Array<Record<string, unknown>> {
	return Object.entries(template.Parameters).map(([key, declaration]) => ({
		ParameterKey: key,
		DefaultValue: text(declaration.Default),
		NoEcho: isNoEcho(declaration),
		Description: text(declaration.Description),
	}));
}
