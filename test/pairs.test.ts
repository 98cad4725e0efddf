import {describe, expect, it} from 'vitest';
import {splitPair} from '../source/pairs.js';
import {parsePair} from '../source/screens/use-encrypt-state.js';

describe('NAME=VALUE pairs, one rule for the CLI and the TUI', () => {
	it('splits at the first = and keeps any name', () => {
		expect(splitPair('__proto__=a=b')).toEqual({key: '__proto__', value: 'a=b'});
		expect(splitPair('=x')).toEqual({problem: 'not-a-pair'});
		expect(splitPair('name')).toEqual({problem: 'not-a-pair'});
		expect(splitPair('name=')).toEqual({problem: 'empty-value'});
	});

	it('the encrypt screen refuses what --context refuses, so its CLI hint runs', () => {
		expect(parsePair('purpose=backup')).toEqual(['purpose', 'backup']);
		expect(parsePair('purpose')).toContain('expects NAME=VALUE');
		expect(parsePair('purpose=')).toContain('empty value');
	});
});
