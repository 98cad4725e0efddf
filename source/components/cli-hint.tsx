import {Text} from 'ink';
import {useAppContext} from '../hooks/use-app-context.js';

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

/** `kms-tui ARGS` plus the global flags that make it act on the same target, stack and file. */
export function useCliCommand(args: readonly string[]): string {
	const {settings, targetKind} = useAppContext();
	const flags: string[] = [];
	if (targetKind === 'sandbox') flags.push('--sandbox');
	if (settings.stackName !== 'KmsKey') flags.push('--stack-name', quote(settings.stackName));
	if (settings.envFile !== '.env') flags.push('--env-file', quote(settings.envFile));
	if (settings.keyRef) flags.push('--key', quote(settings.keyRef));
	return ['kms-tui', ...args.map(quote), ...flags].join(' ');
}

function quote(value: string): string {
	return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}
