/**
 * What every screen needs from the composition root: the one service layer, the settings the
 * user started with, and where the keys live. The accessor throws outside its provider so a
 * screen rendered without the shell fails loudly instead of reaching for a global.
 */
import {createContext, useContext} from 'react';
import type {Services} from '../service/index.js';

export type Settings = {
	/** CloudFormation stack that holds the key (--stack-name, default KmsKey). */
	stackName: string;
	/** The .env file to read KMS_KEY_ID from and write outputs into (--env-file). */
	envFile: string;
	/** --read-only: dangerous bindings are hidden and refused. */
	readOnly: boolean;
	/** --key: the key to work on, before .env and the stack's output. */
	keyRef?: string;
	/** Directory that relative paths (env file, template) are resolved against. */
	cwd: string;
};

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
