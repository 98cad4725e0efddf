import {Box, Text} from 'ink';
import {useColor} from '../hooks/use-theme.js';
import type {DeployResult} from '../service/index.js';
import {formatElapsed} from './elapsed.js';
import {KeyValueTable} from './key-value-table.js';
import {shownEvent} from './untrusted-text.js';

export type DeployOutcomeProps = {
	readonly result: DeployResult;
	readonly elapsedMs: number;
};

/** How the deployment ended: outputs on success; each failing resource's reason on failure. */
export function DeployOutcome({result, elapsedMs}: DeployOutcomeProps) {
	const color = useColor();
	switch (result.outcome) {
		case 'no-changes':
			return (
				<Text>
					No changes to deploy: stack {result.stack.name} is up to date ({result.stack.status}).
				</Text>
			);
		case 'declined':
			return <Text>Not deployed: the change set was discarded and nothing was changed.</Text>;
		case 'succeeded':
			return (
				<Box flexDirection="column">
					<Text color={color('success')} bold>
						✔ Stack {result.stack.name} is {result.stack.status} ({formatElapsed(elapsedMs)})
					</Text>
					<KeyValueTable
						rows={Object.entries(result.stack.outputs).map(([label, value]) => ({label, value}))}
						labelWidth={12}
					/>
					<Text>Next: write these outputs into .env (Outputs → .env on Home).</Text>
				</Box>
			);
		case 'failed':
			return (
				<Box flexDirection="column" borderStyle="round" borderColor={color('danger')} paddingX={1}>
					<Text color={color('danger')} bold>
						✘ Deployment failed: stack {result.stack.name} is {result.stack.status}
					</Text>
					{result.failures.map(shownEvent).map((event) => (
						<Text key={event.id} wrap="wrap">
							{event.logicalId} ({event.resourceType}): {event.reason ?? 'no reason given'}
						</Text>
					))}
					<Text wrap="wrap">
						→{' '}
						{result.stack.status === 'ROLLBACK_COMPLETE'
							? 'The stack was rolled back and can only be deleted: fix the cause, delete it (Cleanup, `kms-tui destroy`), then deploy again.'
							: 'Fix the cause and deploy again.'}
					</Text>
				</Box>
			);
	}
}
