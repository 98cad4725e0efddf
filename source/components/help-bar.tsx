import {Text} from 'ink';
import {useActiveKeys} from '../hooks/use-keymap.js';
import {displayKey} from '../key-press.js';
import {type Binding, bindings} from '../keymap.js';

export type HelpBarProps = {
	readonly isReadOnly: boolean;
	/** False on the first screen: esc has nowhere to go back to. */
	readonly canGoBack: boolean;
};

/** The keys that work right now, generated from the keymap and the top screen's registrations. */
export function HelpBar({isReadOnly, canGoBack}: HelpBarProps) {
	const {ids, isTextFocused} = useActiveKeys();
	const shown = helpBarBindings(new Set(ids), {isReadOnly, canGoBack, isTextFocused});
	return (
		<Text wrap="truncate-end" dimColor>
			{shown
				.map((binding) => `${binding.barKey ?? displayKey(binding.keys[0] ?? '')} ${binding.label}`)
				.join(' · ')}
		</Text>
	);
}

export function helpBarBindings(
	ids: ReadonlySet<string>,
	options: {isReadOnly: boolean; canGoBack: boolean; isTextFocused: boolean},
): Binding[] {
	const all = bindings as readonly Binding[];
	const screen = all.filter(
		(binding) =>
			binding.scope !== 'global' &&
			ids.has(binding.id) &&
			!binding.isHiddenInBar &&
			!(options.isReadOnly && binding.isDangerous),
	);
	const taken = new Set(screen.flatMap((binding) => binding.keys));
	const global = all.filter(
		(binding) =>
			binding.scope === 'global' &&
			!binding.keys.some((spec) => taken.has(spec)) &&
			!(binding.id === 'back' && !options.canGoBack) &&
			// While typing, letters go to the field: q and ? are not shortcuts then.
			!(options.isTextFocused && binding.id !== 'back'),
	);
	return [...screen, ...global];
}
