/**
 * How far the learner got in each lesson, kept in a small JSON file in the per-user state
 * directory: `$KMS_TUI_STATE_DIR/learn.json` when set (tests), else `$XDG_STATE_HOME/kms-tui`
 * (`~/.local/state/kms-tui`) on Linux, `~/Library/Application Support/kms-tui` on macOS and
 * `%LOCALAPPDATA%\kms-tui` on Windows, as the sandbox picks its data directory (paths.ts).
 *
 * Each entry holds the steps done, the key they ran on, what they showed and the non-secret
 * values the next step needs (Carry): never a plaintext data key. The file is replaced whole by
 * a rename, so a crash leaves the old or the new one; an unreadable file (a power loss before
 * the data reached the disk) reads as no progress, which only costs the learner a restart.
 */
import {mkdir, readFile, rename, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {stateDir} from '../state-dir.js';
import type {Carry, LessonId, StepResult} from './lesson.js';

export type LessonProgress = {
	/** Steps completed, 0 … the lesson's step count. */
	readonly done: number;
	/** The key reference the steps ran on, and where (targetIdentity): a resume elsewhere starts again. */
	readonly keyRef: string;
	readonly target: string;
	readonly results: readonly StepResult[];
	readonly carry: Carry;
};

export type Progress = Readonly<Partial<Record<LessonId, LessonProgress>>>;

export function progressFile(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(stateDir(env), 'learn.json');
}

export async function readProgress(file = progressFile()): Promise<Progress> {
	try {
		const parsed = JSON.parse(await readFile(file, 'utf8')) as {
			version?: unknown;
			lessons?: unknown;
		};
		if (parsed.version !== 1 || typeof parsed.lessons !== 'object' || parsed.lessons === null)
			return {};
		const lessons: Partial<Record<LessonId, LessonProgress>> = {};
		for (const [id, entry] of Object.entries(parsed.lessons)) {
			if (isProgress(entry)) lessons[id as LessonId] = entry;
		}
		return lessons;
	} catch {
		// Missing, unreadable or not ours: the learner starts every lesson from step 1.
		return {};
	}
}

function isResult(value: unknown): boolean {
	const result = value as Partial<StepResult> | null;
	return (
		Array.isArray(result?.rows) &&
		result.rows.every((row) => typeof row?.label === 'string' && typeof row?.value === 'string') &&
		(result.block === undefined || typeof result.block === 'string')
	);
}

/** An entry as this file writes it; anything else (an edit by hand, an older shape) is dropped. */
function isProgress(value: unknown): value is LessonProgress {
	const entry = value as Partial<LessonProgress> | null;
	return (
		typeof entry === 'object' &&
		entry !== null &&
		Number.isSafeInteger(entry.done) &&
		(entry.done ?? -1) >= 0 &&
		typeof entry.keyRef === 'string' &&
		typeof entry.target === 'string' &&
		Array.isArray(entry.results) &&
		entry.results.every(isResult) &&
		typeof entry.carry === 'object' &&
		entry.carry !== null &&
		Object.values(entry.carry).every((item) => typeof item === 'string')
	);
}

/** Records one lesson's progress (read, change, replace: one writer, the open lesson). */
export async function saveLessonProgress(
	id: LessonId,
	progress: LessonProgress,
	file = progressFile(),
): Promise<void> {
	const lessons = {...(await readProgress(file)), [id]: progress};
	await mkdir(path.dirname(file), {recursive: true, mode: 0o700});
	const temp = `${file}.${process.pid}.tmp`;
	await writeFile(temp, `${JSON.stringify({version: 1, lessons}, null, 2)}\n`, {mode: 0o600});
	await rename(temp, file);
}
