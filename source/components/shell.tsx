import {Box, useApp} from 'ink';
import {type ReactNode, useRef, useState} from 'react';
import {useAppContext} from '../hooks/use-app-context.js';
import {type HelpScroll, KeymapProvider} from '../hooks/use-keymap.js';
import {useMeasuredRows} from '../hooks/use-measured-rows.js';
import {ScreenRowsContext} from '../hooks/use-screen-rows.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {useNavigation} from '../navigation/navigation.js';
import {type Route, routeScope, routeTitle} from '../navigation/routes.js';
import {Breadcrumbs} from './breadcrumbs.js';
import {Header} from './header.js';
import {HelpBar} from './help-bar.js';
import {HelpOverlay} from './help-overlay.js';
import {shellWidth} from './shell-width.js';

export type ShellProps = {
	/** The screen for a route; only the top route is rendered, so only it takes input. */
	readonly renderScreen: (route: Route) => ReactNode;
};

/** Breadcrumbs, the screen's margin above and below, and the help bar: one row each. */
const fixedChromeRows = 4;

/** Header, breadcrumbs, the active screen (or the `?` overlay), and the help bar. */
export function Shell({renderScreen}: ShellProps) {
	const {exit} = useApp();
	const {settings, targetLine, targetKind} = useAppContext();
	const navigation = useNavigation();
	const [isHelpOpen, setHelpOpen] = useState(false);
	const [helpOffset, setHelpOffset] = useState(0);
	const helpLimits = useRef({maxOffset: 0, page: 1});
	const {columns, rows} = useTerminalSize();
	// The header wraps on a narrow terminal; what is left below it is the screen's.
	const [headerRef, headerRows] = useMeasuredRows(1);
	const screenRows = Math.max(3, rows - headerRows - fixedChromeRows);
	const scrollHelp = (move: HelpScroll) => {
		const {maxOffset, page} = helpLimits.current;
		const delta = {up: -1, down: 1, 'page-up': -page, 'page-down': page}[move];
		setHelpOffset((offset) => Math.max(0, Math.min(maxOffset, offset + delta)));
	};
	return (
		<KeymapProvider
			isReadOnly={settings.readOnly}
			global={{
				isHelpOpen,
				onQuit: () => exit(),
				onBack: () => navigation.pop(),
				onHelp: () => {
					setHelpOffset(0);
					setHelpOpen((open) => !open);
				},
				onHelpScroll: scrollHelp,
			}}
		>
			<Box flexDirection="column" width={shellWidth(columns)}>
				<Box ref={headerRef} flexShrink={0}>
					<Header targetLine={targetLine} targetKind={targetKind} isReadOnly={settings.readOnly} />
				</Box>
				<Breadcrumbs items={navigation.breadcrumbs} />
				<ScreenRowsContext.Provider value={screenRows}>
					<Box flexDirection="column" marginY={1}>
						{isHelpOpen ? (
							<HelpOverlay
								isReadOnly={settings.readOnly}
								screenScope={routeScope(navigation.route)}
								screenTitle={routeTitle(navigation.route)}
								maxRows={screenRows}
								offset={helpOffset}
								onMeasure={(metrics) => {
									helpLimits.current = {
										maxOffset: metrics.maxOffset,
										page: Math.max(1, metrics.height - 1),
									};
								}}
							/>
						) : null}
						{/* Kept mounted under the overlay so a running deployment is not interrupted. */}
						<Box display={isHelpOpen ? 'none' : 'flex'} flexDirection="column">
							{renderScreen(navigation.route)}
						</Box>
					</Box>
				</ScreenRowsContext.Provider>
				<HelpBar isReadOnly={settings.readOnly} canGoBack={navigation.canPop} />
			</Box>
		</KeymapProvider>
	);
}
