import {createContext, useContext} from 'react';

/**
 * The rows the active screen has: the terminal's, less the shell's header, breadcrumbs, margins
 * and help bar. A screen that can grow taller than that (Learn, the `?` overlay) fits itself in
 * it, so its own heading never scrolls off the top of the terminal.
 */
export const ScreenRowsContext = createContext<number>(24 - 5);

export function useScreenRows(): number {
	return useContext(ScreenRowsContext);
}
