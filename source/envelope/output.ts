/**
 * Where results go, and how they get there without ever leaving a partial or clobbered file:
 * everything is written to a hidden temp file in the target directory (`.NAME.kms-tui-RANDOM.tmp`)
 * and only moved into place after success. Without `force` the move is `link()` + `unlink()`,
 * which fails atomically when the name exists, so a file that appears meanwhile is not clobbered.
 */
import {randomBytes} from 'node:crypto';
import {type FileHandle, link, open, realpath, rename, stat, unlink} from 'node:fs/promises';
import path from 'node:path';
import {EnvelopeError, toEnvelopeError} from './errors.js';
import {isSafeFileName} from './format.js';
import {type ByteSink, fileSink, sequentialSink, streamSink} from './io.js';

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

async function statOrUndefined(file: string) {
	try {
		return await stat(file);
	} catch {
		return undefined;
	}
}

/** Refuses when `target` is the input (same device and inode, so links and symlinks count). */
export async function assertNotSameFile(input: string | undefined, target: string): Promise<void> {
	if (input === undefined || input === '-') return;
	const [a, b] = await Promise.all([statOrUndefined(input), statOrUndefined(target)]);
	if (a && b && a.dev === b.dev && a.ino === b.ino) {
		throw new EnvelopeError(
			'same-file',
			`${target}: this is the input file; writing it would destroy the input — choose another output with -o.`,
		);
	}
}

/**
 * Decides the output. `defaultDir` undefined means "stdout unless told otherwise" (stdin input).
 * Checks an explicit target up front so nothing is asked of KMS for a run that cannot finish.
 */
export async function planOutput(options: {
	output: string | undefined;
	defaultDir: string | undefined;
	defaultName: string;
	input: string;
	force: boolean;
}): Promise<OutputPlan> {
	const {output, defaultDir, defaultName, input, force} = options;
	if (output === '-' || (output === undefined && defaultDir === undefined)) return {kind: 'stdout'};
	const existing = output === undefined ? undefined : await statOrUndefined(output);
	if (output === undefined || existing?.isDirectory()) {
		// The default name, in the input's directory or the one -o named.
		const dir = output ?? (defaultDir as string);
		if (force) await assertNotSameFile(input, path.join(dir, defaultName));
		return {kind: 'file', dir, name: defaultName, explicit: false};
	}
	if (existing?.isCharacterDevice() || existing?.isFIFO()) {
		await assertNotSameFile(input, output);
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
	await assertNotSameFile(input, target);
	if (existing && !force) throw existsError(target);
	return {kind: 'file', dir: path.dirname(target), name: path.basename(target), explicit: true};
}

function existsError(target: string): EnvelopeError {
	return new EnvelopeError(
		'exists',
		`${target} already exists; it was left untouched — choose another name with -o, or pass --force to replace it.`,
	);
}

export type TempFile = {readonly path: string; readonly handle: FileHandle};

export async function createTemp(dir: string, name: string, mode: number): Promise<TempFile> {
	// Keep the temp name under NAME_MAX even for a 255-byte target name.
	const stem = Buffer.byteLength(name) > 200 ? name.slice(0, 50) : name;
	const tempPath = path.join(dir, `.${stem}.kms-tui-${randomBytes(6).toString('hex')}.tmp`);
	try {
		return {path: tempPath, handle: await open(tempPath, 'wx', mode)};
	} catch (error) {
		throw toEnvelopeError(error, `cannot create a file in ${dir}`);
	}
}

/** Closes and deletes a temp file; never throws (it runs while another error is on its way). */
export async function discardTemp(temp: TempFile | undefined): Promise<void> {
	if (!temp) return;
	await temp.handle.close().catch(() => {});
	await unlink(temp.path).catch(() => {});
}

/** Moves a finished, closed temp file to its final name and returns that path. */
export async function commitTemp(
	tempPath: string,
	plan: Extract<OutputPlan, {kind: 'file'}>,
	options: {force: boolean; input: string},
): Promise<string> {
	const primary = path.join(plan.dir, plan.name);
	if (options.force) {
		await assertNotSameFile(options.input, primary);
		await rename(tempPath, primary);
		return primary;
	}
	const tries = plan.explicit ? 1 : MAX_ALTERNATIVES + 1;
	for (let n = 0; n < tries; n++) {
		const target = n === 0 ? primary : path.join(plan.dir, alternativeName(plan.name, n));
		try {
			await link(tempPath, target);
		} catch (error) {
			const code = (error as {code?: string}).code;
			if (code === 'EEXIST') continue;
			if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
			// No hard links on this file system: check, then rename (a narrow race, but no better call).
			if (await statOrUndefined(target)) continue;
			await rename(tempPath, target);
			return target;
		}
		await unlink(tempPath);
		return target;
	}
	throw existsError(primary);
}

export type OpenOutput = {
	readonly sink: ByteSink;
	readonly temp: TempFile | undefined;
	/** The open device or FIFO of a 'device' plan. */
	readonly device?: FileHandle;
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
): Promise<OpenOutput> {
	const opened = await openUnnamed(plan, mode, stdout);
	return {...opened, sink: naming(opened.sink, outputLabel(plan))};
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
): Promise<OpenOutput> {
	if (plan.kind === 'stdout') {
		return {sink: streamSink(stdout ?? process.stdout), temp: undefined, discard: async () => {}};
	}
	if (plan.kind === 'device') {
		const handle = await open(plan.path, 'w');
		return {
			sink: sequentialSink(handle),
			temp: undefined,
			device: handle,
			discard: () => handle.close().catch(() => {}),
		};
	}
	const temp = await createTemp(plan.dir, plan.name, mode);
	return {sink: fileSink(temp.handle), temp, discard: () => discardTemp(temp)};
}

/** Closes the temp file and moves it into place (or closes the device, or flushes stdout); returns the path or '-'. */
export async function finishOutput(
	output: OpenOutput,
	plan: OutputPlan,
	options: {force?: boolean; input: string},
): Promise<string> {
	if (plan.kind === 'device') {
		await output.device?.close();
		return plan.path;
	}
	if (plan.kind === 'stdout' || !output.temp) {
		await output.sink.flush?.();
		return '-';
	}
	await output.temp.handle.close();
	return commitTemp(output.temp.path, plan, {force: options.force ?? false, input: options.input});
}
