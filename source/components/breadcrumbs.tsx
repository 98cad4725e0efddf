import {Text} from 'ink';

export type BreadcrumbsProps = {readonly items: readonly string[]};

/** Where the user is: the route stack, the current screen in bold. */
export function Breadcrumbs({items}: BreadcrumbsProps) {
	const parents = items.slice(0, -1);
	return (
		<Text wrap="truncate-end">
			{parents.length > 0 ? <Text dimColor>{`${parents.join(' › ')} › `}</Text> : null}
			<Text bold>{items.at(-1) ?? ''}</Text>
		</Text>
	);
}
