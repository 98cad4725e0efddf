/**
 * Renders the TUI and resolves when the user quits. The first frame is drawn before anything
 * heavy loads: the screens (and, through them, the AWS SDK and the envelope engine) are imported
 * while the session opens and the sandbox starts, behind a "starting" line, so the screen
 * appears as fast as Ink can draw it.
 */
import {Box, render, Text, useApp} from 'ink';
import {type ComponentType, useEffect, useState} from 'react';
import type {AppProps} from './app.js';
import {targetBadges, targetDetail} from './components/target-label.js';
import type {Settings, TargetKind} from './hooks/use-app-context.js';
import {KeypressProvider, useKeypress} from './input/keypress.js';
import {matchesKey} from './key-press.js';
import type {Session} from './session.js';

export type TuiOptions = {
	/** Colour on/off; defaults to off under NO_COLOR (any value) and on otherwise. */
	readonly isColor?: boolean;
	readonly stdin?: NodeJS.ReadStream;
	readonly stdout?: NodeJS.WriteStream;
};

export type TuiLaunch = {
	/** Opens the session (starts the sandbox, builds the SDK clients); called once, after the first frame. */
	readonly open: () => Promise<Session>;
	readonly targetLine: string;
	readonly targetKind: TargetKind;
	readonly settings: Settings;
};

export function colorFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.NO_COLOR === undefined || env.NO_COLOR === '' ? env.FORCE_COLOR !== '0' : false;
}

type BootProps = TuiLaunch & {
	readonly isColor: boolean;
	readonly onSession: (session: Session) => void;
};

/** The frame shown while the session opens, then the app; a failure to open is shown with a way out. */
function Boot({open, targetLine, targetKind, settings, isColor, onSession}: BootProps) {
	const {exit} = useApp();
	const [ready, setReady] = useState<{session: Session; App: ComponentType<AppProps>}>();
	const [failure, setFailure] = useState<string>();
	useEffect(() => {
		Promise.all([open(), import('./app.js')]).then(
			([opened, module]) => {
				onSession(opened);
				setReady({session: opened, App: module.App});
			},
			(error: unknown) => {
				const {message, hint} = error as {message?: string; hint?: string};
				setFailure([message ?? String(error), hint].filter(Boolean).join('\n'));
			},
		);
	}, [open, onSession]);
	// Keys are read from the first frame on (raw mode), so ctrl+c quits while the session opens
	// too; once the app is up its keymap has them.
	useKeypress(
		(input, key) => {
			const isQuit = matchesKey('q', input, key) || key.escape;
			if (!matchesKey('ctrl+c', input, key) && !(failure !== undefined && isQuit)) return false;
			exit();
			return true;
		},
		{isActive: ready === undefined},
	);
	if (ready) {
		const {session, App} = ready;
		return (
			<App
				context={{
					services: session.services,
					settings,
					targetLine: session.targetLine,
					targetKind,
					isColor,
				}}
			/>
		);
	}
	return (
		<Box flexDirection="column">
			<Box>
				<Box flexShrink={0}>
					<Text bold inverse>{` ${targetBadges[targetKind]} `}</Text>
					<Text> </Text>
				</Box>
				<Text wrap="wrap">{targetDetail(targetLine)}</Text>
			</Box>
			{failure ? (
				<Box flexDirection="column" marginTop={1}>
					<Text color={isColor ? 'red' : undefined}>Could not start: {failure}</Text>
					<Text dimColor>Press q to quit.</Text>
				</Box>
			) : (
				<Box marginTop={1}>
					<Text dimColor>{targetKind === 'sandbox' ? 'Starting the sandbox…' : 'Connecting…'}</Text>
				</Box>
			)}
		</Box>
	);
}

/**
 * Bracketed paste: the terminal marks pasted text, so a paste reaches a field whole and never
 * acts as shortcuts (a pasted `q` does not quit, its newline does not submit). Off again on exit,
 * however the process ends, or the shell after kms-tui would receive the markers.
 */
function bracketPaste(stdout: NodeJS.WriteStream): () => void {
	if (!stdout.isTTY) return () => undefined;
	const off = () => stdout.write('\u001B[?2004l');
	stdout.write('\u001B[?2004h');
	process.once('exit', off);
	return () => {
		process.off('exit', off);
		off();
	};
}

export async function runTui(launch: TuiLaunch, options: TuiOptions = {}): Promise<void> {
	let session: Session | undefined;
	const unbracket = bracketPaste(options.stdout ?? process.stdout);
	const instance = render(
		<KeypressProvider>
			<Boot
				{...launch}
				isColor={options.isColor ?? colorFromEnvironment()}
				onSession={(opened) => {
					session = opened;
				}}
			/>
		</KeypressProvider>,
		{
			// Only what was given: an explicit undefined would replace Ink's process defaults.
			...(options.stdin ? {stdin: options.stdin} : {}),
			...(options.stdout ? {stdout: options.stdout} : {}),
			// Ctrl+C is a keymap binding: it cancels running work first, and quits otherwise.
			exitOnCtrlC: false,
		},
	);
	try {
		await instance.waitUntilExit();
	} finally {
		unbracket();
		await session?.close();
	}
}
