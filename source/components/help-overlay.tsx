import {Box, Text} from 'ink';
import {useState} from 'react';
import {displayKey} from '../key-press.js';
import {type Binding, type Scope, visibleBindings} from '../keymap.js';
import {ScrollArea, type ScrollMetrics} from './scroll-area.js';

export type HelpOverlayProps = {
	readonly isReadOnly: boolean;
	/** The scope of the screen underneath, listed first. */
	readonly screenScope: Scope;
	readonly screenTitle: string;
	/** The rows it may take, border included. @default 40 */
	readonly maxRows?: number;
	/** The first row of the key list shown (the list scrolls when it is taller than the rows). */
	readonly offset?: number;
	readonly onMeasure?: (metrics: ScrollMetrics) => void;
};

const generic: readonly Scope[] = ['list', 'form', 'task', 'confirm'];

/** Border (2) and the title row: what is not the scrolled list. */
const frameRows = 3;

function Row({binding}: {readonly binding: Binding}) {
	return (
		<Box>
			<Box width={16} flexShrink={0}>
				<Text bold>{binding.keys.map(displayKey).join(' ')}</Text>
			</Box>
			<Text wrap="wrap">{binding.description}</Text>
		</Box>
	);
}

/**
 * Every key, from the same table that drives input; dangerous ones are absent under --read-only.
 * The title stays on the first row; the list below it scrolls in whatever rows are left.
 */
export function HelpOverlay({
	isReadOnly,
	screenScope,
	screenTitle,
	maxRows = 40,
	offset = 0,
	onMeasure,
}: HelpOverlayProps) {
	const [metrics, setMetrics] = useState<ScrollMetrics | undefined>(undefined);
	const visible = visibleBindings(isReadOnly);
	const groups: Array<[string, readonly Binding[]]> = [
		[screenTitle, visible.filter((binding) => binding.scope === screenScope)],
		['Lists, forms and running work', visible.filter((binding) => generic.includes(binding.scope))],
		['Everywhere', visible.filter((binding) => binding.scope === 'global')],
	];
	// A list taller than the rows gives its last row to the position line (decided from the
	// list's height alone, so no frame is a row too tall while it settles).
	const rows = Math.max(2, maxRows - frameRows);
	const isScrolling = metrics !== undefined && metrics.total > rows;
	const listRows = isScrolling ? rows - 1 : rows;
	const first = Math.min(offset, metrics ? Math.max(0, metrics.total - listRows) : 0);
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1} flexShrink={0}>
			<Text bold wrap="truncate-end">
				Keys{isReadOnly ? ' (read-only: changes are hidden)' : ''}
			</Text>
			<ScrollArea
				maxHeight={listRows}
				offset={offset}
				onMeasure={(measured) => {
					setMetrics(measured);
					onMeasure?.(measured);
				}}
			>
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
			</ScrollArea>
			{isScrolling && metrics ? (
				<Text dimColor wrap="truncate-end">
					rows {first + 1}–{first + listRows} of {metrics.total} · ↑↓ PgUp PgDn scroll · ? or esc
					closes
				</Text>
			) : null}
		</Box>
	);
}
