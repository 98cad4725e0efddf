/** CloudFormation's parameter constraints, checked the way CloudFormation words them. */
import {describe, expect, it} from 'vitest';
import {describeRules, parameterProblem, rulesOf} from '../../source/template/parameter-rules.js';

describe('rulesOf', () => {
	it('reads only what the declaration says, numbers as numbers', () => {
		expect(rulesOf({Type: 'Number', MinValue: 7, MaxValue: '30', Default: 7})).toEqual({
			type: 'Number',
			minValue: 7,
			maxValue: 30,
		});
		expect(rulesOf({})).toEqual({type: 'String'});
		expect(rulesOf({Type: 'String', AllowedValues: ['a', 1]})).toEqual({
			type: 'String',
			allowedValues: ['a', '1'],
		});
	});
});

describe('parameterProblem', () => {
	const window = rulesOf({Type: 'Number', MinValue: 7, MaxValue: 30});
	it('checks numbers and their range', () => {
		expect(parameterProblem('Days', window, '7')).toBeUndefined();
		expect(parameterProblem('Days', window, '30')).toBeUndefined();
		expect(parameterProblem('Days', window, 'seven')).toBe("Parameter 'Days' must be a number");
		expect(parameterProblem('Days', window, ' ')).toBe("Parameter 'Days' must be a number");
		expect(parameterProblem('Days', window, '6')).toBe(
			"Parameter 'Days' must be a number not less than 7",
		);
		expect(parameterProblem('Days', window, '31')).toBe(
			"Parameter 'Days' must be a number not greater than 30",
		);
	});

	it('checks patterns (anchored), allowed values and lengths', () => {
		const alias = rulesOf({AllowedPattern: 'alias/[a-z]+', MinLength: 7, MaxLength: 12});
		expect(parameterProblem('A', alias, 'alias/ab')).toBeUndefined();
		expect(parameterProblem('A', alias, 'x alias/ab')).toBe(
			"Parameter 'A' must match pattern alias/[a-z]+",
		);
		expect(parameterProblem('A', alias, 'alias/abcdefgh')).toBe(
			"Parameter 'A' must contain at most 12 characters",
		);
		const short = rulesOf({MinLength: 3});
		expect(parameterProblem('S', short, 'ab')).toBe(
			"Parameter 'S' must contain at least 3 characters",
		);
		const env = rulesOf({AllowedValues: ['dev', 'prod']});
		expect(parameterProblem('Env', env, 'prod')).toBeUndefined();
		expect(parameterProblem('Env', env, 'test')).toBe(
			"Parameter 'Env' must be one of AllowedValues",
		);
	});

	it('checks list items one by one', () => {
		const ports = rulesOf({Type: 'List<Number>', MaxValue: 100});
		expect(parameterProblem('P', ports, '1,2,100')).toBeUndefined();
		expect(parameterProblem('P', ports, '1,x')).toBe("Parameter 'P' must be a number");
		expect(parameterProblem('P', ports, '1,101')).toBe(
			"Parameter 'P' must be a number not greater than 100",
		);
	});

	it('uses ConstraintDescription for a broken constraint, not for a non-number', () => {
		const rules = rulesOf({Type: 'Number', MinValue: 7, ConstraintDescription: 'at least a week'});
		expect(parameterProblem('D', rules, '3')).toBe(
			'Parameter D failed to satisfy constraint: at least a week',
		);
		expect(parameterProblem('D', rules, 'x')).toBe("Parameter 'D' must be a number");
	});
});

describe('describeRules', () => {
	it('reads the rules in a few words', () => {
		expect(describeRules(rulesOf({Type: 'Number', MinValue: 7, MaxValue: 30}))).toBe('7–30');
		expect(describeRules(rulesOf({Type: 'Number'}))).toBe('a number');
		expect(describeRules(rulesOf({AllowedValues: ['a', 'b']}))).toBe('one of a, b');
		expect(describeRules(rulesOf({MinLength: 7, MaxLength: 256}))).toBe('7–256 characters');
		expect(describeRules(rulesOf({Type: 'String'}))).toBeUndefined();
	});
});
