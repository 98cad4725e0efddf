import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, vi} from 'vitest';

/**
 * Each test of the file (or describe block) this is called in gets its own KMS_TUI_STATE_DIR,
 * where a migration's plan and Learn's progress are kept, removed after the test; the
 * environment is restored too. One migration at a time per target: tests on one target must not
 * see each other's plan.
 */
export function stateDirPerTest(prefix: string): void {
	let dir: string | undefined;
	beforeEach(async () => {
		dir = await mkdtemp(path.join(tmpdir(), `kms-tui-${prefix}-`));
		vi.stubEnv('KMS_TUI_STATE_DIR', dir);
	});
	afterEach(async () => {
		vi.unstubAllEnvs();
		if (dir) await rm(dir, {recursive: true, force: true});
	});
}
