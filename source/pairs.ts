/**
 * One `NAME=VALUE` pair (an encryption-context entry, a stack parameter), split and checked the
 * same way by the CLI's --context/--param and the TUI's context field, so that a pair the TUI
 * takes is one its "CLI:" hint can pass on. The name is everything before the first `=` and may
 * be any string (`__proto__` included); the value is the rest and may hold `=`, but not be empty.
 */
export type SplitPair =
	| {readonly key: string; readonly value: string}
	| {readonly problem: 'not-a-pair' | 'empty-value'};

export function splitPair(text: string): SplitPair {
	const index = text.indexOf('=');
	if (index <= 0) return {problem: 'not-a-pair'};
	const value = text.slice(index + 1);
	return value === '' ? {problem: 'empty-value'} : {key: text.slice(0, index), value};
}
