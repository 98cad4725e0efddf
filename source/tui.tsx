/**
 * Renders the TUI and resolves when the user quits. The first frame is drawn before anything
 * heavy loads: the screens (and, through them, the AWS SDK and the envelope engine) are imported
 * while the session opens and the sandbox starts, behind a "starting" line, so the screen
 * appears as fast as Ink can draw it.
 */
import {Box, render, Text, useApp, useInput} from 'ink';
import {type ComponentType, useEffect, useState} from 'react';
import type {AppProps} from './app.js';
import {targetBadges, targetDetail} from './components/target-label.js';
import type {Settings, TargetKind} from './hooks/use-app-context.js';
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
	useInput(
		(input, key) => {
			if (input === 'q' || key.escape || (key.ctrl && input === 'c')) exit();
		},
		{isActive: failure !== undefined},
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
				<Text wrap="truncate-middle">{targetDetail(targetLine)}</Text>
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

export async function runTui(launch: TuiLaunch, options: TuiOptions = {}): Promise<void> {
	let session: Session | undefined;
	const instance = render(
		<Boot
			{...launch}
			isColor={options.isColor ?? colorFromEnvironment()}
			onSession={(opened) => {
				session = opened;
			}}
		/>,
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
		await session?.close();
	}
}
