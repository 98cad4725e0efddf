/**
 * What every screen needs from the composition root: the one service layer, the session context
 * the user started with, and where the keys live. The accessor throws outside its provider so a
 * screen rendered without the shell fails loudly instead of reaching for a global.
 */
import {createContext, useContext} from 'react';
import type {Services} from '../service/index.js';
import type {SessionContext} from '../session-context.js';

/**
 * The session the user started: target, stack, .env file, key flags, cwd (source/session-context.ts).
 * The CLI builds the same value, so a screen and the equivalent command agree on all of it.
 */
export type Settings = SessionContext;

export type TargetKind = 'sandbox' | 'aws' | 'endpoint';

export type AppContextValue = {
	readonly services: Services;
	readonly settings: Settings;
	/** e.g. "target: SANDBOX (local, not AWS) us-east-1, state in …" */
	readonly targetLine: string;
	readonly targetKind: TargetKind;
	/** False under NO_COLOR / --no-color: components then use no colour at all. */
	readonly isColor: boolean;
};

export const AppContext = createContext<AppContextValue | undefined>(undefined);

export function useAppContext(): AppContextValue {
	const value = useContext(AppContext);
	if (!value)
		throw new Error('useAppContext must be used inside <AppContext.Provider> (see app.tsx)');
	return value;
}
