import {Box, Text} from 'ink';
import {useColor} from '../hooks/use-theme.js';
import type {DeployPlan} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';

export type ChangeSetPreviewProps = {readonly plan: DeployPlan};

/** The change set CloudFormation planned, before anything runs. */
export function ChangeSetPreview({plan}: ChangeSetPreviewProps) {
	const color = useColor();
	const tokens = {Add: 'success', Remove: 'danger', Modify: 'warning'} as const;
	return (
		<Box flexDirection="column">
			<Text bold>
				Planned changes to stack {plan.stackName} (
				{plan.changeSetType === 'CREATE' ? 'new stack' : 'update'}):
			</Text>
			{plan.changes.length === 0 ? <Text dimColor>(no resource changes)</Text> : null}
			{plan.changes.map((change) => (
				<Box key={`${change.action}-${change.logicalId}`}>
					<Box width={10} flexShrink={0}>
						<Text color={color(tokens[change.action as keyof typeof tokens] ?? 'info')}>
							{' '}
							{terminalSafeLine(change.action)}
						</Text>
					</Box>
					{/* Logical ids and types are names a user looks up: wrapped, never cut. */}
					<Box width={20} flexShrink={0}>
						<Text wrap="wrap">{terminalSafeLine(change.logicalId)}</Text>
					</Box>
					<Text dimColor wrap="wrap">
						{terminalSafeLine(change.resourceType)}
						{change.replacement === 'True' ? '  (replacement)' : ''}
					</Text>
				</Box>
			))}
		</Box>
	);
}
