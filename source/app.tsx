/**
 * Providers + shell: the app context (services, settings, target), navigation, and the screen
 * for each route. No UI logic lives here.
 */
import {ThemeProvider} from '@inkjs/ui';
import type {ReactNode} from 'react';
import {monochromeTheme} from './components/monochrome-theme.js';
import {Shell} from './components/shell.js';
import {AppContext, type AppContextValue} from './hooks/use-app-context.js';
import {ScreenMemoryProvider} from './hooks/use-screen-memory.js';
import {KeypressProvider} from './input/keypress.js';
import {NavigationProvider} from './navigation/navigation.js';
import type {Route} from './navigation/routes.js';
import {ActivityScreen} from './screens/activity-screen.js';
import {AliasesScreen} from './screens/aliases-screen.js';
import {CleanupScreen} from './screens/cleanup-screen.js';
import {DecryptScreen} from './screens/decrypt-screen.js';
import {DeletionScreen} from './screens/deletion-screen.js';
import {DeployScreen} from './screens/deploy-screen.js';
import {EncryptScreen} from './screens/encrypt-screen.js';
import {HomeScreen} from './screens/home-screen.js';
import {KeyScreen} from './screens/key-screen.js';
import {LearnScreen} from './screens/learn-screen.js';
import {MigrationScreen} from './screens/migration-screen.js';
import {OutputsScreen} from './screens/outputs-screen.js';

export type AppProps = {
	readonly context: AppContextValue;
	/** Start somewhere else than Home (tests, deep links). */
	readonly initialRoutes?: readonly Route[];
};

/** The screen of each route. */
export function screenFor(route: Route) {
	switch (route.name) {
		case 'home':
			return <HomeScreen />;
		case 'deploy':
			return <DeployScreen />;
		case 'outputs':
			return <OutputsScreen />;
		case 'key':
			return <KeyScreen />;
		case 'aliases':
			return <AliasesScreen />;
		case 'deletion':
			return <DeletionScreen />;
		case 'cleanup':
			return <CleanupScreen />;
		case 'encrypt':
			return <EncryptScreen />;
		case 'decrypt':
			return <DecryptScreen />;
		case 'learn':
			return <LearnScreen />;
		case 'migration':
			return <MigrationScreen />;
		case 'activity':
			return <ActivityScreen />;
	}
}

export type AppProvidersProps = AppProps & {readonly children: ReactNode};

/** The key reader, context, theme and navigation, without the shell (tests render their own element inside). */
export function AppProviders({context, initialRoutes, children}: AppProvidersProps) {
	const tree = (
		<KeypressProvider>
			<AppContext.Provider value={context}>
				<ScreenMemoryProvider>
					<NavigationProvider initial={initialRoutes}>{children}</NavigationProvider>
				</ScreenMemoryProvider>
			</AppContext.Provider>
		</KeypressProvider>
	);
	return context.isColor ? tree : <ThemeProvider theme={monochromeTheme}>{tree}</ThemeProvider>;
}

export function App({context, initialRoutes}: AppProps) {
	return (
		<AppProviders context={context} initialRoutes={initialRoutes}>
			<Shell renderScreen={screenFor} />
		</AppProviders>
	);
}
