import {Text} from 'ink';
import {useAppContext} from '../hooks/use-app-context.js';
import {cliCommand} from '../session-context.js';
import {terminalSafeLine} from '../terminal-text.js';

export type CliHintProps = {
	/** The command after `kms-tui`, e.g. ['rotation', 'enable', '--period', '180']. */
	readonly args: readonly string[];
};

/** The same action as a script: the TUI → CLI bridge shown under every action. */
export function CliHint({args}: CliHintProps) {
	const command = useCliCommand(args);
	return (
		<Text dimColor wrap="wrap">
			CLI: {command}
		</Text>
	);
}

/**
 * `kms-tui ARGS` plus the flags that reach this session's target, stack, .env file and --key
 * (session-context.ts), shell-quoted; file names in it are untrusted, so control characters
 * are shown escaped rather than sent to the terminal.
 */
export function useCliCommand(args: readonly string[]): string {
	const {settings} = useAppContext();
	return terminalSafeLine(cliCommand(settings, args));
}
