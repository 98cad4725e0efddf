import {Box, useApp} from 'ink';
import {type ReactNode, useState} from 'react';
import {useAppContext} from '../hooks/use-app-context.js';
import {KeymapProvider} from '../hooks/use-keymap.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {useNavigation} from '../navigation/navigation.js';
import {type Route, routeScope, routeTitle} from '../navigation/routes.js';
import {Breadcrumbs} from './breadcrumbs.js';
import {Header} from './header.js';
import {HelpBar} from './help-bar.js';
import {HelpOverlay} from './help-overlay.js';

export type ShellProps = {
	/** The screen for a route; only the top route is rendered, so only it takes input. */
	readonly renderScreen: (route: Route) => ReactNode;
};

/** Header, breadcrumbs, the active screen (or the `?` overlay), and the help bar. */
export function Shell({renderScreen}: ShellProps) {
	const {exit} = useApp();
	const {settings, targetLine, targetKind} = useAppContext();
	const navigation = useNavigation();
	const [isHelpOpen, setHelpOpen] = useState(false);
	const {columns} = useTerminalSize();
	return (
		<KeymapProvider
			isReadOnly={settings.readOnly}
			global={{
				isHelpOpen,
				onQuit: () => exit(),
				onBack: () => navigation.pop(),
				onHelp: () => setHelpOpen((open) => !open),
			}}
		>
			<Box flexDirection="column" width={Math.min(columns, 100)}>
				<Header targetLine={targetLine} targetKind={targetKind} isReadOnly={settings.readOnly} />
				<Breadcrumbs items={navigation.breadcrumbs} />
				<Box flexDirection="column" marginY={1}>
					{isHelpOpen ? (
						<HelpOverlay
							isReadOnly={settings.readOnly}
							screenScope={routeScope(navigation.route)}
							screenTitle={routeTitle(navigation.route)}
						/>
					) : null}
					{/* Kept mounted under the overlay so a running deployment is not interrupted. */}
					<Box display={isHelpOpen ? 'none' : 'flex'} flexDirection="column">
						{renderScreen(navigation.route)}
					</Box>
				</Box>
				<HelpBar isReadOnly={settings.readOnly} canGoBack={navigation.canPop} />
			</Box>
		</KeymapProvider>
	);
}
