import {Box, Text} from 'ink';
import {useState} from 'react';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafeLine} from '../terminal-text.js';
import {TextField} from './text-field.js';

export type TypeToConfirmProps = {
	/** What will happen, in plain words. */
	readonly warning: string;
	/** The text the user must type exactly (an alias, key id or stack name). */
	readonly expected: string;
	readonly onConfirm: () => void;
};

/**
 * A destructive action's last step: type the name to confirm (esc cancels, through the
 * screen's `cancel` binding). A wrong answer says so and lets the user try again.
 */
export function TypeToConfirm({warning, expected, onConfirm}: TypeToConfirmProps) {
	const color = useColor();
	const [error, setError] = useState<string | undefined>(undefined);
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={color('danger')} paddingX={1}>
			<Text color={color('danger')} bold>
				⚠ {terminalSafeLine(warning)}
			</Text>
			<Text>
				Type <Text bold>{terminalSafeLine(expected)}</Text> to confirm, or press esc to cancel.
			</Text>
			<TextField
				label="Confirm"
				labelWidth={10}
				isFocused
				error={error}
				onChange={() => setError(undefined)}
				onSubmit={(value) => {
					if (value.trim() === expected) onConfirm();
					else
						setError(
							`That is not ${terminalSafeLine(expected)}; nothing was changed. Type it exactly, or esc.`,
						);
				}}
			/>
		</Box>
	);
}
