/**
 * A stack of routes: push opens a screen, pop (esc) returns, replace swaps the top. Only the
 * top route is rendered, so only its screen registers keys.
 */
import {createContext, type ReactNode, useContext, useMemo, useReducer} from 'react';
import {homeRoute, type Route, routeTitle} from './routes.js';

type Action =
	| {readonly type: 'push'; readonly route: Route}
	| {readonly type: 'pop'}
	| {readonly type: 'replace'; readonly route: Route};

export function navigationReducer(stack: readonly Route[], action: Action): readonly Route[] {
	switch (action.type) {
		case 'push':
			return [...stack, action.route];
		case 'pop':
			return stack.length > 1 ? stack.slice(0, -1) : stack;
		case 'replace':
			return [...stack.slice(0, -1), action.route];
	}
}

export type Navigation = {
	readonly route: Route;
	readonly stack: readonly Route[];
	readonly breadcrumbs: readonly string[];
	readonly canPop: boolean;
	push(route: Route): void;
	pop(): void;
	replace(route: Route): void;
};

const NavigationContext = createContext<Navigation | undefined>(undefined);

export function NavigationProvider({
	children,
	initial = [homeRoute],
}: {
	readonly children: ReactNode;
	readonly initial?: readonly Route[];
}) {
	const [stack, dispatch] = useReducer(navigationReducer, initial);
	const value = useMemo<Navigation>(
		() => ({
			route: stack.at(-1) ?? homeRoute,
			stack,
			breadcrumbs: stack.map(routeTitle),
			canPop: stack.length > 1,
			push: (route) => dispatch({type: 'push', route}),
			pop: () => dispatch({type: 'pop'}),
			replace: (route) => dispatch({type: 'replace', route}),
		}),
		[stack],
	);
	return <NavigationContext.Provider value={value}>{children}</NavigationContext.Provider>;
}

export function useNavigation(): Navigation {
	const value = useContext(NavigationContext);
	if (!value) throw new Error('useNavigation must be used inside <NavigationProvider>');
	return value;
}
