/**
 * A CloudFormation parameter's value constraints (Type, AllowedValues, AllowedPattern,
 * Min/MaxLength, Min/MaxValue, ConstraintDescription) and the check CloudFormation makes, with
 * its messages. One implementation for both sides of the wire: the sandbox's CloudFormation
 * refuses a stack with it, and the service checks values with it before any call, so the
 * Deploy form and `kms-tui deploy --param` say what is wrong before anything is planned.
 */

export type ParameterRules = {
	/** String, Number, CommaDelimitedList, List<Number>, AWS-specific types… */
	readonly type: string;
	readonly allowedValues?: readonly string[];
	readonly allowedPattern?: string;
	readonly minLength?: number;
	readonly maxLength?: number;
	readonly minValue?: number;
	readonly maxValue?: number;
	/** Replaces CloudFormation's own message for a broken constraint (not for a non-number). */
	readonly constraintDescription?: string;
};

function text(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	return typeof value === 'string' ? value : String(value);
}

function number(value: unknown): number | undefined {
	const written = text(value);
	return written === undefined || Number.isNaN(Number(written)) ? undefined : Number(written);
}

/** The rules of one declaration from a template's Parameters section: only what it says. */
export function rulesOf(declaration: Readonly<Record<string, unknown>>): ParameterRules {
	const allowedValues = Array.isArray(declaration.AllowedValues)
		? declaration.AllowedValues.map((value) => text(value) ?? '')
		: undefined;
	const allowedPattern = text(declaration.AllowedPattern);
	const minLength = number(declaration.MinLength);
	const maxLength = number(declaration.MaxLength);
	const minValue = number(declaration.MinValue);
	const maxValue = number(declaration.MaxValue);
	const constraintDescription = text(declaration.ConstraintDescription);
	return {
		type: text(declaration.Type) ?? 'String',
		...(allowedValues ? {allowedValues} : {}),
		...(allowedPattern !== undefined ? {allowedPattern} : {}),
		...(minLength !== undefined ? {minLength} : {}),
		...(maxLength !== undefined ? {maxLength} : {}),
		...(minValue !== undefined ? {minValue} : {}),
		...(maxValue !== undefined ? {maxValue} : {}),
		...(constraintDescription !== undefined ? {constraintDescription} : {}),
	};
}

function isList(type: string): boolean {
	return type === 'CommaDelimitedList' || type.startsWith('List<');
}

/**
 * What CloudFormation says about `value` for parameter `key`, or undefined when it is allowed.
 * List types are checked item by item; lengths apply to the whole value.
 */
export function parameterProblem(
	key: string,
	rules: ParameterRules,
	value: string,
): string | undefined {
	const broken = (message: string) =>
		rules.constraintDescription
			? `Parameter ${key} failed to satisfy constraint: ${rules.constraintDescription}`
			: message;
	const isNumber = rules.type === 'Number' || rules.type === 'List<Number>';
	for (const item of isList(rules.type) ? value.split(',') : [value]) {
		if (isNumber) {
			const parsed = Number(item);
			// Not covered by ConstraintDescription: the type itself is wrong.
			if (item.trim() === '' || Number.isNaN(parsed)) return `Parameter '${key}' must be a number`;
			if (rules.minValue !== undefined && parsed < rules.minValue) {
				return broken(`Parameter '${key}' must be a number not less than ${rules.minValue}`);
			}
			if (rules.maxValue !== undefined && parsed > rules.maxValue) {
				return broken(`Parameter '${key}' must be a number not greater than ${rules.maxValue}`);
			}
		}
		if (rules.allowedValues && !rules.allowedValues.includes(item)) {
			return broken(`Parameter '${key}' must be one of AllowedValues`);
		}
		if (
			rules.allowedPattern !== undefined &&
			!new RegExp(`^(?:${rules.allowedPattern})$`).test(item)
		) {
			return broken(`Parameter '${key}' must match pattern ${rules.allowedPattern}`);
		}
	}
	if (rules.minLength !== undefined && value.length < rules.minLength) {
		return broken(`Parameter '${key}' must contain at least ${rules.minLength} characters`);
	}
	if (rules.maxLength !== undefined && value.length > rules.maxLength) {
		return broken(`Parameter '${key}' must contain at most ${rules.maxLength} characters`);
	}
	return undefined;
}

/** A short reading of the rules for a form: "7–30", "one of a, b", "7–256 characters". */
export function describeRules(rules: ParameterRules): string | undefined {
	const parts: string[] = [];
	if (rules.minValue !== undefined || rules.maxValue !== undefined) {
		parts.push(
			rules.minValue !== undefined && rules.maxValue !== undefined
				? `${rules.minValue}–${rules.maxValue}`
				: rules.minValue !== undefined
					? `≥ ${rules.minValue}`
					: `≤ ${rules.maxValue}`,
		);
	} else if (rules.type === 'Number') {
		parts.push('a number');
	}
	if (rules.allowedValues) parts.push(`one of ${rules.allowedValues.join(', ')}`);
	if (rules.minLength !== undefined || rules.maxLength !== undefined) {
		parts.push(`${rules.minLength ?? 0}–${rules.maxLength ?? '∞'} characters`);
	}
	return parts.length > 0 ? parts.join(', ') : undefined;
}
