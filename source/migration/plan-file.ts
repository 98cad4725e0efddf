/**
 * Where a migration plan is kept between sessions: one small JSON file per target in kms-tui's
 * per-user state directory, written atomically (temp file, fsync, rename) so that a
 * kill at any moment leaves the previous plan or the new one, never half of either.
 *
 * The directory is kms-tui's state directory (source/state-dir.ts; `KMS_TUI_STATE_DIR` moves it).
 */
import {createHash, randomBytes} from 'node:crypto';
import {mkdir, open, readFile, rename, unlink} from 'node:fs/promises';
import path from 'node:path';
import type {Target} from '../config.js';
import {stateDir, targetIdentity} from '../state-dir.js';
import {type MigrationPlan, parsePlan} from './plan.js';

/**
 * `<state dir>/migrations/<hash of the target>.json`. Per target, not per alias: the alias a
 * migration starts from may be renamed by it (.env's KMS_KEY_ALIAS becomes the new stack's), and
 * reopening must still find the migration under way.
 */
export function planPath(target: Target, env: NodeJS.ProcessEnv = process.env): string {
	const hash = createHash('sha256').update(targetIdentity(target)).digest('hex').slice(0, 16);
	return path.join(stateDir(env), 'migrations', `${hash}.json`);
}

export class PlanFileError extends Error {
	override name = 'PlanFileError';
}

/** The plan in `file`, or undefined when there is none; a file that is not a plan is an error. */
export async function readPlan(file: string): Promise<MigrationPlan | undefined> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw error;
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		value = undefined;
	}
	const plan = value === undefined ? 'it is not JSON' : parsePlan(value);
	if (typeof plan === 'string')
		throw new PlanFileError(
			`The migration plan ${file} cannot be used: ${plan}. Delete the file to start the migration again (every step is checked against AWS and the files anyway).`,
		);
	return plan;
}

/** Writes the plan atomically, private to the user (0600; the directory 0700). */
export async function writePlan(file: string, plan: MigrationPlan): Promise<void> {
	await mkdir(path.dirname(file), {recursive: true, mode: 0o700});
	const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
	const handle = await open(temp, 'wx', 0o600);
	try {
		try {
			await handle.writeFile(`${JSON.stringify(plan, null, '\t')}\n`);
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temp, file);
	} catch (error) {
		await unlink(temp).catch(() => undefined);
		throw error;
	}
}

/** Removes the plan (the migration finished); no file is fine. */
export async function removePlan(file: string): Promise<void> {
	await unlink(file).catch((error: NodeJS.ErrnoException) => {
		if (error.code !== 'ENOENT') throw error;
	});
}
