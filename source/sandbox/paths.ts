import {homedir} from 'node:os';
import path from 'node:path';

// Kept apart from store.ts so that the CLI can name the default directory without loading the
// sandbox engines.

/**
 * Where sandbox state lives unless `--sandbox-dir` or `KMS_TUI_SANDBOX_DIR` says otherwise:
 * the platform's per-user data directory (XDG on Linux).
 */
export function defaultSandboxDir(env: NodeJS.ProcessEnv = process.env): string {
	if (env.KMS_TUI_SANDBOX_DIR) return path.resolve(env.KMS_TUI_SANDBOX_DIR);
	const home = homedir();
	if (process.platform === 'darwin') {
		return path.join(home, 'Library', 'Application Support', 'kms-tui', 'sandbox');
	}
	if (process.platform === 'win32') {
		return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'kms-tui', 'sandbox');
	}
	const dataHome = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
	return path.join(dataHome, 'kms-tui', 'sandbox');
}
