/**
 * The file side of `kms-tui outputs --write-env`: plan a merge from what is on disk, then write
 * it atomically (temp file in the same directory, fsync, rename) with a `.bak` of the previous
 * file, refusing whenever writing could surprise the user.
 */
import {randomBytes} from 'node:crypto';
import {constants} from 'node:fs';
import {access, link, lstat, open, realpath, rename, stat, unlink} from 'node:fs/promises';
import path from 'node:path';
import {mergeEnvText} from './merge.js';
import {command, decode, errnoCode, readExisting} from './read.js';
import {EnvFileError, type EnvMergePlan} from './types.js';

function octal(mode: number): string {
	return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

function changedOnDiskError(file: string): EnvFileError {
	return new EnvFileError(
		`${file} changed on disk after kms-tui read it, so it was not overwritten. Run ${command} again to merge into its current contents.`,
		{code: 'changed-on-disk', path: file},
	);
}

/** Reads the file (missing file = empty), parses with dotenv, and computes the merged text. */
export async function planEnvMerge(
	file: string,
	values: Readonly<Record<string, string>>,
): Promise<EnvMergePlan> {
	const bytes = await readExisting(file);
	const before = bytes === undefined ? '' : decode(file, bytes);
	try {
		const {text, changes} = mergeEnvText(before, values);
		return {path: file, exists: bytes !== undefined, before, after: text, changes};
	} catch (error) {
		if (error instanceof EnvFileError && error.path === undefined) {
			throw new EnvFileError(`${file}: ${error.message}`, {
				code: error.code,
				path: file,
				cause: error,
			});
		}
		throw error;
	}
}

async function canAccess(file: string, mode: number): Promise<boolean> {
	try {
		await access(file, mode);
		return true;
	} catch {
		return false;
	}
}

/**
 * Permission bits are checked as well as access(): root passes access() on a 0444 file, yet a
 * file (or directory) nobody may write is what a user means by read-only, so it is respected.
 */
async function checkWritable(file: string, target: string, mode: number): Promise<void> {
	if ((mode & 0o222) === 0) {
		throw new EnvFileError(
			`${file} is read-only (mode ${octal(mode)}), so kms-tui left it unchanged. Make it writable (chmod u+w ${file}) and run ${command} again, or set the values by hand.`,
			{code: 'read-only', path: file},
		);
	}
	if (!(await canAccess(target, constants.W_OK))) {
		throw new EnvFileError(
			`${file} is not writable by this user (permission denied), so kms-tui left it unchanged. Fix its owner or permissions and run ${command} again, or set the values by hand.`,
			{code: 'not-writable', path: file},
		);
	}
}

async function checkDirectory(file: string, dir: string): Promise<void> {
	let mode: number;
	try {
		const info = await stat(dir);
		if (!info.isDirectory()) throw new Error('not a directory');
		mode = info.mode;
	} catch (error) {
		throw new EnvFileError(
			`The directory ${dir} does not exist, so ${file} cannot be written. Create it (mkdir -p ${dir}) or choose another path.`,
			{code: 'missing-directory', path: file, cause: error},
		);
	}
	// The temp file and the backup are created next to the file, so the directory must be
	// writable even when the file is.
	if ((mode & 0o222) === 0) {
		throw new EnvFileError(
			`The directory ${dir} is read-only (mode ${octal(mode)}), so kms-tui cannot safely replace ${file}; nothing was written. Make the directory writable (chmod u+w ${dir}) and run ${command} again.`,
			{code: 'read-only', path: file},
		);
	}
	if (!(await canAccess(dir, constants.W_OK | constants.X_OK))) {
		throw new EnvFileError(
			`kms-tui cannot create files in ${dir} (permission denied), so ${file} was left unchanged. Fix the directory's permissions and run ${command} again.`,
			{code: 'not-writable', path: file},
		);
	}
}

function tempPathFor(target: string): string {
	const name = `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.kms-tui.tmp`;
	return path.join(path.dirname(target), name);
}

async function writeSynced(
	file: string,
	bytes: Buffer,
	mode: number,
	owner: {uid: number; gid: number} | undefined,
): Promise<void> {
	const handle = await open(file, 'wx', mode);
	try {
		await handle.writeFile(bytes);
		// When root rewrites a user's file, give it back to the user; this fails harmlessly
		// (EPERM) when we are not allowed to, and chown comes first because it may clear bits.
		if (owner) await handle.chown(owner.uid, owner.gid).catch(() => undefined);
		// open()'s mode is filtered by the umask; the file must get exactly the old mode.
		await handle.chmod(mode);
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/** Makes the renames durable; not every platform can fsync a directory, so best effort. */
async function syncDirectory(dir: string): Promise<void> {
	try {
		const handle = await open(dir, 'r');
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch {
		// Durability of the rename is a bonus, the write itself has succeeded.
	}
}

/** Moves a new file into place without ever clobbering one created meanwhile. */
async function placeNew(temp: string, target: string, file: string): Promise<void> {
	let linked = false;
	try {
		// link() fails with EEXIST instead of replacing, unlike rename().
		await link(temp, target);
		linked = true;
	} catch (error) {
		if (errnoCode(error) === 'EEXIST') throw changedOnDiskError(file);
		// Filesystems without hard links: fall back to check-then-rename.
	}
	if (linked) {
		await unlink(temp);
		return;
	}
	if ((await readExisting(file)) !== undefined) throw changedOnDiskError(file);
	await rename(temp, target);
}

function wrapWriteError(error: unknown, file: string, dir: string): EnvFileError {
	if (error instanceof EnvFileError) return error;
	const code = errnoCode(error);
	if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
		return new EnvFileError(
			`kms-tui could not write in ${dir} (${code}: permission denied or read-only filesystem), so ${file} was left unchanged. Fix the permissions and run ${command} again.`,
			{code: 'not-writable', path: file, cause: error},
		);
	}
	if (code === 'ENOSPC' || code === 'EDQUOT') {
		return new EnvFileError(
			`The disk holding ${file} is full (${code}), so it was left unchanged. Free some space and run ${command} again.`,
			{path: file, cause: error},
		);
	}
	return new EnvFileError(
		`${file} could not be written (${(error as Error).message}); it was left unchanged. Run ${command} again, or set the values by hand.`,
		{path: file, cause: error},
	);
}

/**
 * Writes plan.after atomically and keeps the previous file as `<path>.bak` (same mode). New
 * files are created 0600, since a .env is where people keep credentials. If `path` is a
 * symlink, the file it points to is updated (the link stays) and the backup sits next to it.
 */
export async function writeEnvMerge(
	plan: EnvMergePlan,
): Promise<{written: boolean; backupPath?: string}> {
	if (plan.after === plan.before) return {written: false};

	const file = plan.path;
	const previous = await readExisting(file);
	// Bytes, not text: the plan's text re-encodes to the exact bytes that were read.
	const expected = Buffer.from(plan.before, 'utf8');
	const unchangedSincePlan = (current: Buffer | undefined) =>
		(current !== undefined) === plan.exists && (current === undefined || current.equals(expected));
	if (!unchangedSincePlan(previous)) throw changedOnDiskError(file);

	let target = file;
	let mode = 0o600;
	let owner: {uid: number; gid: number} | undefined;
	if (previous !== undefined) {
		if ((await lstat(file)).isSymbolicLink()) target = await realpath(file);
		const info = await stat(target);
		mode = info.mode & 0o7777;
		owner = {uid: info.uid, gid: info.gid};
		await checkWritable(file, target, mode);
	}
	const dir = path.dirname(path.resolve(target));
	await checkDirectory(file, dir);

	// Every temp file is removed again unless it was renamed into place.
	const temps = new Set<string>();
	try {
		const next = tempPathFor(target);
		temps.add(next);
		await writeSynced(next, Buffer.from(plan.after, 'utf8'), mode, owner);

		let backupPath: string | undefined;
		let backupTemp: string | undefined;
		if (previous !== undefined) {
			backupTemp = tempPathFor(target);
			temps.add(backupTemp);
			// The backup is the previous file as verified above, with the same mode.
			await writeSynced(backupTemp, previous, mode, owner);
			backupPath = `${target}.bak`;
		}

		// Last look right before replacing, to keep the window for a lost update small.
		if (!unchangedSincePlan(await readExisting(file))) throw changedOnDiskError(file);

		if (backupTemp !== undefined && backupPath !== undefined) {
			await rename(backupTemp, backupPath);
			temps.delete(backupTemp);
		}
		if (previous === undefined) await placeNew(next, target, file);
		else await rename(next, target);
		temps.delete(next);

		await syncDirectory(dir);
		return backupPath === undefined ? {written: true} : {written: true, backupPath};
	} catch (error) {
		await Promise.all([...temps].map((temp) => unlink(temp).catch(() => undefined)));
		throw wrapWriteError(error, file, dir);
	}
}
