/**
 * What a screen keeps while it is not on top. Only the top route is rendered, so a screen that
 * opens another one unmounts; what the user expects to find again when pressing esc (Home's
 * cursor on the step they opened, the state it showed while it reads the new one) lives here,
 * one slot per name, for as long as the app runs.
 */
import {createContext, createElement, type ReactNode, useContext, useRef} from 'react';

type Memory = Map<string, {current: unknown}>;

const ScreenMemoryContext = createContext<Memory | undefined>(undefined);

export function ScreenMemoryProvider({children}: {readonly children: ReactNode}) {
	const memory = useRef<Memory>(new Map());
	return createElement(ScreenMemoryContext.Provider, {value: memory.current}, children);
}

/** A ref that outlives the component: the same object every time the screen mounts again. */
export function useScreenMemory<T>(name: string, initial: T): {current: T} {
	const memory = useContext(ScreenMemoryContext);
	if (!memory) throw new Error('useScreenMemory must be used inside <ScreenMemoryProvider>');
	let slot = memory.get(name);
	if (!slot) {
		slot = {current: initial};
		memory.set(name, slot);
	}
	return slot as {current: T};
}
