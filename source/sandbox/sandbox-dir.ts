/**
 * Making and checking the sandbox directory, with errors that say what to do. Node's
 * `mkdir(…, {recursive: true})` never returns for a path under /proc (the kernel answers ENOENT
 * for a directory whose parent exists, and Node retries for ever), so directories are made one
 * level at a time here, each attempted once.
 */
import {mkdir, stat} from 'node:fs/promises';
import path from 'node:path';
import {SandboxStateError} from './state-error.js';

const fixHint =
	'Point --sandbox-dir (or KMS_TUI_SANDBOX_DIR) at a directory you can write, or leave both unset for the default.';

/** Any file-system failure on the sandbox directory or its files, said plainly. */
export function sandboxDirError(dir: string, error: unknown): Error {
	const code = (error as NodeJS.ErrnoException).code;
	switch (code) {
		case 'ENOTDIR':
		case 'EEXIST':
			return new SandboxStateError(
				`The sandbox directory ${dir} is not a directory (it, or a folder above it, is a file). ${fixHint}`,
			);
		case 'EACCES':
		case 'EPERM':
			return new SandboxStateError(
				`The sandbox directory ${dir} cannot be used: permission denied (${(error as Error).message}). ${fixHint}`,
			);
		case 'EROFS':
			return new SandboxStateError(
				`The sandbox directory ${dir} is on a read-only file system. ${fixHint}`,
			);
		case 'ENOENT':
			return new SandboxStateError(
				`The sandbox directory ${dir} cannot be created there (${(error as Error).message}). ${fixHint}`,
			);
		case 'ENOSPC':
		case 'EDQUOT':
			return new SandboxStateError(
				`The disk holding the sandbox directory ${dir} is full (${(error as Error).message}); nothing was changed. Free some space, or ${fixHint.charAt(0).toLowerCase()}${fixHint.slice(1)}`,
			);
		default:
			return error instanceof Error ? error : new Error(String(error));
	}
}

async function makeDirectory(dir: string): Promise<void> {
	try {
		await mkdir(dir, {mode: 0o700});
		return;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST') {
			if (!(await stat(dir)).isDirectory()) throw error;
			return;
		}
		const parent = path.dirname(dir);
		if (code !== 'ENOENT' || parent === dir) throw error;
		await makeDirectory(parent);
	}
	// The parent exists now; a second ENOENT (as /proc gives) is final.
	try {
		await mkdir(dir, {mode: 0o700});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(dir)).isDirectory()) {
			throw error;
		}
	}
}

/** Creates `dir` (owner-only) and its parents as needed; a clear SandboxStateError otherwise. */
export async function ensureSandboxDir(dir: string): Promise<void> {
	try {
		await makeDirectory(dir);
	} catch (error) {
		throw sandboxDirError(dir, error);
	}
}
