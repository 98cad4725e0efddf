/**
 * The read side of the .env file: its bytes (refusing what is not a regular file), decoded as
 * strict UTF-8, and one variable read for a key id.
 */
import {readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import {parse} from 'dotenv';
import {EnvFileError} from './types.js';

/** The command named in the messages (the one that writes .env). */
export const command = 'kms-tui outputs --write-env';

export function errnoCode(error: unknown): string | undefined {
	if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
	return typeof error.code === 'string' ? error.code : undefined;
}

function isDirectoryError(file: string): EnvFileError {
	return new EnvFileError(
		`${file} is a directory, not a .env file; nothing was written. Point kms-tui at a file, for example ${path.join(file, '.env')}.`,
		{code: 'is-directory', path: file},
	);
}

/** The file's bytes, or undefined when there is no file. */
export async function readExisting(file: string): Promise<Buffer | undefined> {
	// Before reading: a FIFO would block the read, and a device (--env-file /dev/null) would be
	// replaced by the rename that writes the file.
	const info = await stat(file).catch(() => undefined);
	if (info && !info.isFile() && !info.isDirectory()) {
		throw new EnvFileError(
			`${file} is not a regular file (a device, pipe or socket); nothing was read or written. Point kms-tui at a .env file with --env-file.`,
			{code: 'not-a-file', path: file},
		);
	}
	try {
		return await readFile(file);
	} catch (error) {
		const code = errnoCode(error);
		if (code === 'ENOENT') return undefined;
		if (code === 'EISDIR') throw isDirectoryError(file);
		if (code === 'EACCES' || code === 'EPERM') {
			throw new EnvFileError(
				`${file} cannot be read (permission denied), so kms-tui cannot merge into it. Make it readable (chmod u+r ${file}) and run ${command} again.`,
				{code: 'not-writable', path: file, cause: error},
			);
		}
		throw new EnvFileError(`${file} could not be read (${(error as Error).message}).`, {
			path: file,
			cause: error,
		});
	}
}

// fatal: bytes that are not UTF-8 would be rewritten as U+FFFD, which breaks "byte for byte";
// ignoreBOM: false would drop a BOM the user's file starts with.
const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});

export function decode(file: string, bytes: Buffer): string {
	try {
		return utf8.decode(bytes);
	} catch (error) {
		throw new EnvFileError(
			`${file} is not valid UTF-8, so kms-tui will not rewrite it (other bytes could not be kept exactly). Convert it to UTF-8, or set the values by hand.`,
			{code: 'invalid-encoding', path: file, cause: error},
		);
	}
}

/**
 * Reads variables from a .env file with one read (dotenv parse); each is undefined when the file
 * or the variable is missing.
 */
export async function readEnvValues<const K extends string>(
	file: string,
	keys: readonly K[],
): Promise<Partial<Record<K, string>>> {
	// `--env-file /dev/null` is the usual way to say "no .env": a device or pipe holds no values.
	const bytes = await readExisting(file).catch((error: unknown) => {
		if (error instanceof EnvFileError && error.code === 'not-a-file') return undefined;
		throw error;
	});
	const values = bytes === undefined ? {} : parse(bytes);
	// No prototype: a variable named `constructor` the file lacks reads as undefined.
	const found: Partial<Record<K, string>> = Object.create(null);
	for (const key of keys) if (Object.hasOwn(values, key)) found[key] = values[key];
	return found;
}

/** Reads one variable from a .env file; undefined when the file or the variable is missing. */
export async function readEnvValue(file: string, key: string): Promise<string | undefined> {
	return (await readEnvValues(file, [key]))[key];
}
