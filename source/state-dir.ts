/**
 * kms-tui's per-user state directory, for what a later session resumes (Learn's progress, a key
 * migration under way): `KMS_TUI_STATE_DIR` when set (tests), else `$XDG_STATE_HOME/kms-tui`
 * (`~/.local/state/kms-tui`) on Linux, `~/Library/Application Support/kms-tui` on macOS and
 * `%LOCALAPPDATA%\kms-tui` on Windows — beside the sandbox's data directory (sandbox/paths.ts)
 * and the code cache (code-cache.ts). State, not data to keep nor a cache to drop.
 */
import {homedir} from 'node:os';
import path from 'node:path';
import type {Target} from './config.js';

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
	if (env.KMS_TUI_STATE_DIR) return path.resolve(env.KMS_TUI_STATE_DIR);
	const home = homedir();
	if (process.platform === 'darwin')
		return path.join(home, 'Library', 'Application Support', 'kms-tui');
	if (process.platform === 'win32')
		return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'kms-tui');
	return path.join(env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'kms-tui');
}

/**
 * Where the keys live, as one string: `alias/demo` on the sandbox is not `alias/demo` on AWS, so
 * what is remembered is remembered per target.
 */
export function targetIdentity(target: Target): string {
	switch (target.kind) {
		case 'sandbox':
			return `sandbox ${target.region} ${path.resolve(target.sandboxDir)}`;
		case 'endpoint':
			return `endpoint ${target.region} ${target.endpoint ?? target.endpointSource}`;
		case 'aws':
			return `aws ${target.region ?? ''} ${target.profile ?? ''}`;
	}
}
