import {Box, Text} from 'ink';
import {useColor} from '../hooks/use-theme.js';
import {terminalSafe} from '../terminal-text.js';

export type ErrorPanelProps = {
	readonly error: {readonly message: string; readonly hint?: string};
	/** Heading above the message. @default 'Something went wrong' */
	readonly title?: string;
};

/** What happened + what to do (ServiceError.message + hint). */
export function ErrorPanel({error, title = 'Something went wrong'}: ErrorPanelProps) {
	const color = useColor();
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={color('danger')} paddingX={1}>
			<Text bold color={color('danger')}>
				✘ {title}
			</Text>
			{/* Messages quote AWS errors, file names and header values: escaped at display. */}
			<Text>{terminalSafe(error.message)}</Text>
			{error.hint ? <Text>→ {terminalSafe(error.hint)}</Text> : null}
		</Box>
	);
}
