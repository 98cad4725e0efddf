/**
 * The flag scanner and readers on their own: what the registry gets from a command line before
 * it decides which command may take what (test/cli/command-line.test.ts runs the whole CLI).
 */
import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/commands/command-error.js';
import {closest, readPairs} from '../../source/commands/flags.js';
import {parseCommandLine} from '../../source/commands/registry.js';

const usage = (run: () => unknown) => {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as UsageError).message;
	}
	throw new Error('expected a usage error');
};

describe('readPairs', () => {
	it('stores any name exactly, __proto__ and constructor included', () => {
		const pairs = readPairs(['__proto__=x', 'constructor=y', 'k=a=b'], '--context');
		expect(Object.getPrototypeOf(pairs)).toBeNull();
		expect(Object.entries(pairs)).toEqual([
			['__proto__', 'x'],
			['constructor', 'y'],
			['k', 'a=b'],
		]);
		expect(JSON.stringify(pairs)).toBe('{"__proto__":"x","constructor":"y","k":"a=b"}');
	});

	it('refuses a repeated name, an empty value and a missing =', () => {
		expect(usage(() => readPairs(['a=1', 'a=1'], '--param'))).toContain('given twice');
		expect(usage(() => readPairs(['a='], '--param'))).toContain('has an empty value');
		expect(usage(() => readPairs(['a'], '--param'))).toContain('expects KEY=VALUE');
	});
});

describe('closest', () => {
	it('takes a swap of neighbours as one typo and ignores what is far', () => {
		expect(closest('encrpyt', ['encrypt', 'decrypt'])).toBe('encrypt');
		expect(closest('--jsn', ['--json', '--yes'])).toBe('--json');
		expect(closest('--zzz', ['--json', '--yes'])).toBeUndefined();
	});
});

describe('parseCommandLine', () => {
	it('reads typed values: -o -, a negative number, -- before a dash-named file', () => {
		const parsed = parseCommandLine(['decrypt', '-o', '-', '--', '-weird.kms']);
		expect(parsed.kind).toBe('command');
		expect(usage(() => parseCommandLine(['delete-key', '--days', '-5x']))).toContain(
			'"-5x" is not a number',
		);
		expect(parseCommandLine(['--env-file-path=x.env', 'outputs'])).toMatchObject({
			kind: 'command',
			// No flag default for the stack: KMS_STACK_NAME (environment, then .env) comes first,
			// resolved when the command runs (session-context.ts resolveStackName).
			globals: {envFile: 'x.env', stackName: undefined},
		});
	});

	it('answers help and version before anything else', () => {
		expect(parseCommandLine(['-V', 'encrpyt'])).toEqual({kind: 'version'});
		expect(parseCommandLine(['help'])).toMatchObject({kind: 'help'});
		expect(parseCommandLine(['rotation', 'enable', '-h'])).toMatchObject({kind: 'help'});
	});
});
