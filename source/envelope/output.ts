/**
 * Where results go, and how they get there without ever leaving a partial or clobbered file:
 * everything is written to a hidden temp file in the target directory (`.NAME.kms-tui-PID-HOST-RANDOM.tmp`, temp-file.ts)
 * and only moved into place after success. Without `force` the move is `link()` + `unlink()`,
 * which fails atomically when the name exists, so a file that appears meanwhile is not clobbered.
 */
import {linkSync, renameSync, statSync, unlinkSync} from 'node:fs';
import {type FileHandle, open, realpath} from 'node:fs/promises';
import path from 'node:path';
import {isatty} from 'node:tty';
import {EnvelopeError, toEnvelopeError} from './errors.js';
import {isSafeFileName} from './format.js';
import {type ByteSink, fileSink, sequentialSink, streamSink} from './io.js';
import {
	createTemp,
	discardTemp,
	NAME_MAX_BYTES,
	syncAndClose,
	syncDirectory,
	type TempFile,
	tempName,
} from './temp-file.js';

/** Longest path Linux takes (PATH_MAX, the terminating NUL included). */
const PATH_MAX_BYTES = 4096;

export type OutputPlan =
	| {readonly kind: 'stdout'}
	/**
	 * An existing character device or FIFO named with -o (/dev/null, a named pipe): written in
	 * place, in order, like standard output. Never replaced, so no temp file and no --force.
	 */
	| {readonly kind: 'device'; readonly path: string}
	| {
			readonly kind: 'file';
			readonly dir: string;
			readonly name: string;
			/** The user named this file: refuse if it exists. Otherwise `name (1).ext` etc. are tried. */
			readonly explicit: boolean;
	  };

/** How many ` (n)` alternatives a default name may take before we give up. */
const MAX_ALTERNATIVES = 999;

export function encryptedName(inputName: string, format: 'binary' | 'json'): string {
	return `${inputName}${format === 'json' ? '.kms.json' : '.kms'}`;
}

/** `x.kms` / `x.kms.json` → `x`; else the name stored at encryption; else `NAME.decrypted`. */
export function decryptedName(
	inputName: string | undefined,
	storedName: string | undefined,
): string {
	for (const suffix of ['.kms.json', '.kms']) {
		if (inputName?.endsWith(suffix)) {
			const stripped = inputName.slice(0, -suffix.length);
			if (isSafeFileName(stripped)) return stripped;
		}
	}
	if (storedName !== undefined && isSafeFileName(storedName)) return storedName;
	return inputName ? `${inputName}.decrypted` : 'decrypted';
}

/** `data.txt` → `data (1).txt`; `README` → `README (1)`. */
export function alternativeName(name: string, n: number): string {
	const dot = name.lastIndexOf('.');
	return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/** Device and inode of the input, so that no name for it (a link, a symlink, fd 0) is written. */
export type FileIdentity = {readonly dev: number; readonly ino: number};

/** Synchronous, as the other metadata steps of a file output are (envelope/io.ts says why). */
function statOrUndefined(file: string) {
	try {
		return statSync(file, {throwIfNoEntry: false});
	} catch {
		return undefined;
	}
}

/** Refuses when `target` is the input (same device and inode, so links and symlinks count). */
export function assertNotSameFile(input: FileIdentity | undefined, target: string): void {
	if (input === undefined) return;
	const b = statOrUndefined(target);
	if (b && input.dev === b.dev && input.ino === b.ino) {
		throw new EnvelopeError(
			'same-file',
			`${target}: this is the input file; writing it would destroy the input — choose another output with -o.`,
		);
	}
}

function badOutput(message: string): EnvelopeError {
	return new EnvelopeError('invalid-argument', message);
}

/**
 * A name the file system will take, checked before KMS is asked: the name itself, its temp
 * file's name (longer) and the whole path must fit, or the run would fail only at the end.
 */
function checkNameFits(dir: string, name: string, explicit: boolean): void {
	const bytes = Buffer.byteLength(name);
	const what = explicit ? 'the output name' : `the output name ${name.slice(0, 40)}…`;
	const fix = explicit ? 'choose a shorter name with -o' : 'choose a shorter output name with -o';
	if (bytes > NAME_MAX_BYTES) {
		throw badOutput(
			`${what} is ${bytes} bytes, longer than the ${NAME_MAX_BYTES} a file name may have; nothing was written — ${fix}.`,
		);
	}
	if (Buffer.byteLength(path.join(dir, tempName(name))) >= PATH_MAX_BYTES) {
		throw badOutput(
			`${path.join(dir, name).slice(0, 60)}…: the path is longer than the ${PATH_MAX_BYTES} bytes a path may have; nothing was written — choose a shorter output path with -o.`,
		);
	}
}

/** The directory a new file goes into must exist and be a directory. */
function checkDirectory(dir: string, output: string): void {
	const info = statOrUndefined(dir);
	if (info === undefined) {
		throw badOutput(
			`${output}: the directory ${dir} does not exist; nothing was written — create it first (mkdir -p ${dir}) or choose another output with -o.`,
		);
	}
	if (!info.isDirectory()) {
		throw badOutput(
			`${output}: ${dir} is not a directory; nothing was written — choose another output with -o.`,
		);
	}
}

/**
 * Decides the output. `defaultDir` undefined means "stdout unless told otherwise" (stdin input).
 * Checks the target up front (the name, its directory, clobbering, the input itself) so nothing
 * is asked of KMS for a run that cannot finish.
 */
export async function planOutput(options: {
	output: string | undefined;
	defaultDir: string | undefined;
	defaultName: string;
	input: FileIdentity | undefined;
	force: boolean;
}): Promise<OutputPlan> {
	const {output, defaultDir, defaultName, input, force} = options;
	if (output === '') {
		throw badOutput(
			'the output name is empty; nothing was written — give a file name or a directory with -o, or -o - for standard output.',
		);
	}
	if (output === '-' || (output === undefined && defaultDir === undefined)) return {kind: 'stdout'};
	const existing = output === undefined ? undefined : statOrUndefined(output);
	if (output === undefined || existing?.isDirectory()) {
		// The default name, in the input's directory or the one -o named.
		const dir = output ?? (defaultDir as string);
		checkNameFits(dir, defaultName, false);
		if (force) assertNotSameFile(input, path.join(dir, defaultName));
		return {kind: 'file', dir, name: defaultName, explicit: false};
	}
	if (/[/\\]$/.test(output) || path.basename(output) === '.' || path.basename(output) === '..') {
		// `-o newdir/` means a directory: never a file named `newdir`.
		throw badOutput(
			`${output}: no such directory; nothing was written — create it first (mkdir -p ${output}) or name a file with -o.`,
		);
	}
	if (existing?.isCharacterDevice() || existing?.isFIFO()) {
		assertNotSameFile(input, output);
		return {kind: 'device', path: output};
	}
	if (existing && !existing.isFile()) {
		throw new EnvelopeError(
			'invalid-argument',
			`${output}: not a regular file, directory, character device or FIFO; nothing was written — choose a file name with -o.`,
		);
	}
	// An existing file named through a symlink (/dev/stdout → a redirected file, a link in a
	// project) is replaced where it really is, never by swapping the link for a file.
	const target = existing ? await realpath(output) : output;
	const dir = path.dirname(target);
	if (!existing) checkDirectory(dir, output);
	checkNameFits(dir, path.basename(target), true);
	assertNotSameFile(input, target);
	if (existing && !force) throw existsError(target);
	return {kind: 'file', dir, name: path.basename(target), explicit: true};
}

function existsError(target: string): EnvelopeError {
	return new EnvelopeError(
		'exists',
		`${target} already exists; it was left untouched — choose another name with -o, or pass --force to replace it.`,
	);
}

/**
 * Moves a finished, closed temp file to its final name and returns that path; then syncs the
 * directory so that the new name survives a power loss (docs/guarantees.md).
 */
export async function commitTemp(
	tempPath: string,
	plan: Extract<OutputPlan, {kind: 'file'}>,
	options: {force: boolean; input: FileIdentity | undefined},
): Promise<string> {
	const target = linkIntoPlace(tempPath, plan, options);
	await syncDirectory(plan.dir);
	return target;
}

function linkIntoPlace(
	tempPath: string,
	plan: Extract<OutputPlan, {kind: 'file'}>,
	options: {force: boolean; input: FileIdentity | undefined},
): string {
	const primary = path.join(plan.dir, plan.name);
	if (options.force) {
		assertNotSameFile(options.input, primary);
		renameSync(tempPath, primary);
		return primary;
	}
	const tries = plan.explicit ? 1 : MAX_ALTERNATIVES + 1;
	for (let n = 0; n < tries; n++) {
		const target = n === 0 ? primary : path.join(plan.dir, alternativeName(plan.name, n));
		try {
			linkSync(tempPath, target);
		} catch (error) {
			const code = (error as {code?: string}).code;
			if (code === 'EEXIST') continue;
			// `name (12).ext` no longer fits: there is no free name left to try.
			if (code === 'ENAMETOOLONG' && n > 0) break;
			if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
			// No hard links on this file system: check, then rename (a narrow race, but no better call).
			if (statOrUndefined(target)) continue;
			renameSync(tempPath, target);
			return target;
		}
		unlinkSync(tempPath);
		return target;
	}
	throw existsError(primary);
}

export type OpenOutput = {
	readonly sink: ByteSink;
	readonly temp: TempFile | undefined;
	/** The open device or FIFO of a 'device' plan. */
	readonly device?: FileHandle;
	/** The output is a terminal (stdout or a device such as /dev/tty): binary would garble it. */
	readonly isTerminal: boolean;
	discard(): Promise<void>;
};

/** Failed writes name the output, not the input (`/dev/full: no space left on the device`). */
function naming(sink: ByteSink, label: string): ByteSink {
	const named = async (work: Promise<void>) => {
		try {
			await work;
		} catch (error) {
			throw toEnvelopeError(error, label);
		}
	};
	const {flush} = sink;
	return {
		write: (chunks) => named(sink.write(chunks)),
		...(flush ? {flush: () => named(flush.call(sink))} : {}),
	};
}

/** A temp file for a file plan (mode 0600 for plaintext), the device itself, or the stdout stream. */
export async function openOutput(
	plan: OutputPlan,
	mode: number,
	stdout: NodeJS.WritableStream | undefined,
	onNotice?: (message: string) => void,
): Promise<OpenOutput> {
	const opened = await openUnnamed(plan, mode, stdout, onNotice);
	return {...opened, sink: naming(opened.sink, outputLabel(plan))};
}

/**
 * Opens the output and has KMS asked (`ask`) for the key meanwhile when it is a file: creating
 * the temp file is a thread-pool call (~0.25 ms here: a new inode) and KMS a network round trip,
 * and one after the other each file of a batch waited for both (bench/many-files.mjs, 1,000
 * files, medians of 5 interleaved runs on a noisy VM: encrypt 2.88 → 2.34 s in one set and
 * 2.68 → 2.62 s in another, decrypt 2.79 → 2.35 s in the second). For standard output and devices
 * KMS is asked only once the output is open, so that a refusal there (binary to a terminal)
 * comes before any KMS call. If the output cannot be opened, its error is the one thrown and the
 * key that comes back is dropped: its plaintext was wiped when the message keys were derived.
 */
export async function openOutputAsking<K>(
	plan: OutputPlan,
	mode: number,
	options: {
		readonly stdout: NodeJS.WritableStream | undefined;
		readonly onNotice: ((message: string) => void) | undefined;
		readonly ask: () => Promise<K>;
	},
): Promise<{output: OpenOutput; key: () => Promise<K>}> {
	const early = plan.kind === 'file' ? options.ask() : undefined;
	// Handled here until the caller awaits it: a KMS failure while the output opens is not lost.
	early?.catch(() => {});
	let output: OpenOutput;
	try {
		output = await openOutput(plan, mode, options.stdout, options.onNotice);
	} catch (error) {
		await early?.catch(() => {});
		throw error;
	}
	return {output, key: () => early ?? options.ask()};
}

/** How messages name an output: `standard output`, the device's path, or the file's final path. */
export function outputLabel(plan: OutputPlan): string {
	if (plan.kind === 'stdout') return 'standard output';
	return plan.kind === 'device' ? plan.path : path.join(plan.dir, plan.name);
}

async function openUnnamed(
	plan: OutputPlan,
	mode: number,
	stdout: NodeJS.WritableStream | undefined,
	onNotice: ((message: string) => void) | undefined,
): Promise<OpenOutput> {
	if (plan.kind === 'stdout') {
		const stream = stdout ?? process.stdout;
		return {
			sink: streamSink(stream),
			temp: undefined,
			isTerminal: (stream as {isTTY?: boolean}).isTTY === true,
			discard: async () => {},
		};
	}
	if (plan.kind === 'device') {
		let handle: FileHandle;
		try {
			handle = await open(plan.path, 'w');
		} catch (error) {
			throw toEnvelopeError(error, plan.path);
		}
		return {
			sink: sequentialSink(handle),
			temp: undefined,
			device: handle,
			isTerminal: isatty(handle.fd),
			discard: () => handle.close().catch(() => {}),
		};
	}
	const temp = await createTemp(plan.dir, plan.name, mode, onNotice);
	return {
		sink: fileSink(temp.fd),
		temp,
		isTerminal: false,
		discard: () => discardTemp(temp),
	};
}

/**
 * Syncs, closes and moves the temp file into place (or closes the device, or flushes stdout);
 * returns the path or '-'.
 */
export async function finishOutput(
	output: OpenOutput,
	plan: OutputPlan,
	options: {force?: boolean; input: FileIdentity | undefined},
): Promise<string> {
	if (plan.kind === 'device') {
		await output.device?.close();
		return plan.path;
	}
	if (plan.kind === 'stdout' || !output.temp) {
		await output.sink.flush?.();
		return '-';
	}
	await syncAndClose(output.temp);
	return commitTemp(output.temp.path, plan, {force: options.force ?? false, input: options.input});
}
