import {Box, Text} from 'ink';
import {displayKey} from '../key-press.js';
import {type Binding, type Scope, visibleBindings} from '../keymap.js';

export type HelpOverlayProps = {
	readonly isReadOnly: boolean;
	/** The scope of the screen underneath, listed first. */
	readonly screenScope: Scope;
	readonly screenTitle: string;
};

const generic: readonly Scope[] = ['list', 'form', 'task', 'confirm'];

function Row({binding}: {readonly binding: Binding}) {
	return (
		<Box>
			<Box width={16} flexShrink={0}>
				<Text bold>{binding.keys.map(displayKey).join(' ')}</Text>
			</Box>
			<Text wrap="truncate-end">{binding.description}</Text>
		</Box>
	);
}

/** Every key, from the same table that drives input; dangerous ones are absent under --read-only. */
export function HelpOverlay({isReadOnly, screenScope, screenTitle}: HelpOverlayProps) {
	const visible = visibleBindings(isReadOnly);
	const groups: Array<[string, readonly Binding[]]> = [
		[screenTitle, visible.filter((binding) => binding.scope === screenScope)],
		['Lists, forms and running work', visible.filter((binding) => generic.includes(binding.scope))],
		['Everywhere', visible.filter((binding) => binding.scope === 'global')],
	];
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1}>
			<Text bold>Keys{isReadOnly ? ' (read-only: changes are hidden)' : ''}</Text>
			{groups
				.filter(([, list]) => list.length > 0)
				.map(([title, list]) => (
					<Box key={title} flexDirection="column" marginTop={1}>
						<Text underline>{title}</Text>
						{list.map((binding) => (
							<Row key={binding.id} binding={binding} />
						))}
					</Box>
				))}
			<Box marginTop={1}>
				<Text dimColor>
					? or esc closes this. Letter keys are off while a text field has focus.
				</Text>
			</Box>
		</Box>
	);
}
