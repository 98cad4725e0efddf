/** The names a template value refers to, found without resolving anything (validation, dependencies). */
import {getAttTarget, subReferences} from './intrinsics.js';

export type References = {refs: string[]; getAtts: Array<[string, string]>; conditions: string[]};

/** Every name `value` refers to, without resolving anything (for validation and dependencies). */
export function collectReferences(
	value: unknown,
	into: References = {refs: [], getAtts: [], conditions: []},
): References {
	if (Array.isArray(value)) {
		for (const item of value) {
			collectReferences(item, into);
		}
		return into;
	}
	if (typeof value !== 'object' || value === null) {
		return into;
	}
	const entries = Object.entries(value);
	const [name, argument] = entries[0] ?? [];
	if (entries.length === 1 && name === 'Ref' && typeof argument === 'string') {
		into.refs.push(argument);
		return into;
	}
	if (entries.length === 1 && name === 'Fn::GetAtt') {
		into.getAtts.push(getAttTarget(argument));
		return into;
	}
	if (entries.length === 1 && name === 'Fn::Sub') {
		const text = Array.isArray(argument) ? argument[0] : argument;
		const local =
			Array.isArray(argument) && typeof argument[1] === 'object' && argument[1] !== null
				? Object.keys(argument[1] as object)
				: [];
		if (typeof text === 'string') {
			for (const ref of subReferences(text)) {
				if (local.includes(ref)) {
					continue;
				}
				const dot = ref.indexOf('.');
				if (dot > 0 && !ref.startsWith('AWS::')) {
					into.getAtts.push([ref.slice(0, dot), ref.slice(dot + 1)]);
				} else {
					into.refs.push(ref);
				}
			}
		}
		if (Array.isArray(argument)) {
			collectReferences(argument[1], into);
		}
		return into;
	}
	if (entries.length === 1 && name === 'Fn::If' && Array.isArray(argument)) {
		if (typeof argument[0] === 'string') {
			into.conditions.push(argument[0]);
		}
		collectReferences(argument.slice(1), into);
		return into;
	}
	if (entries.length === 1 && name === 'Condition' && typeof argument === 'string') {
		into.conditions.push(argument);
		return into;
	}
	for (const [, item] of entries) {
		collectReferences(item, into);
	}
	return into;
}
