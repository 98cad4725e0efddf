import {Box, Text} from 'ink';
import {useColor} from '../hooks/use-theme.js';
import {PolicyError} from '../policy/parse.js';
import {type PolicyReport, reportPolicyText} from '../policy/report.js';
import {terminalSafe, terminalSafeLine} from '../terminal-text.js';
import {CliHint} from './cli-hint.js';
import {ErrorPanel} from './error-panel.js';

/** The key policy as the key screen read it: its text, or why it could not be read. */
export type LoadedPolicy = {readonly text: string} | {readonly error: Error};

export type PolicySectionProps = {
	readonly policy: LoadedPolicy;
	readonly keyArn: string;
};

function reportOf(text: string, keyArn: string): PolicyReport | Error {
	try {
		return reportPolicyText(text, {keyArn});
	} catch (error) {
		if (error instanceof PolicyError) return error;
		throw error;
	}
}

/**
 * The key screen's Policy section: each statement explained, its risks in words (colour is extra),
 * and the CLI command. Lines wrap rather than cut, so no ARN loses its middle. Policy strings are
 * untrusted: every one goes through terminalSafe.
 */
export function PolicySection({policy, keyArn}: PolicySectionProps) {
	const color = useColor();
	const report = 'text' in policy ? reportOf(policy.text, keyArn) : policy.error;
	return (
		<Box flexDirection="column" marginTop={1}>
			<Text bold>Key policy</Text>
			{report instanceof Error ? (
				<ErrorPanel error={report} title="Could not read the key policy" />
			) : (
				<>
					<Text wrap="wrap">{terminalSafe(report.summary)}</Text>
					{report.statements.map((statement) => (
						<Box key={statement.statement.index} flexDirection="column">
							<Text bold wrap="wrap">
								{statement.statement.index + 1}. {statement.effect}
								{statement.sid === undefined ? '' : ` "${terminalSafeLine(statement.sid)}"`}
							</Text>
							<Box paddingLeft={2} flexDirection="column">
								<Text wrap="wrap">{terminalSafe(statement.explanation.text)}</Text>
								{statement.risks.map((risk) => (
									<Text
										key={risk.message}
										wrap="wrap"
										color={color(risk.level === 'high' ? 'danger' : 'warning')}
									>
										{risk.level === 'high' ? '! HIGH RISK: ' : '! risk: '}
										{terminalSafe(risk.message)}
									</Text>
								))}
							</Box>
						</Box>
					))}
				</>
			)}
			<CliHint args={['policy']} />
		</Box>
	);
}
