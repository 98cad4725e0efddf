/**
 * Loads a CommonJS bundle of dist/ through a V8 code cache: the AWS SDK clients (dist/sdk/NAME.cjs,
 * source/sdk-code-cache.ts) and the command line (dist/commands.cjs, loaded by source/entry.ts).
 * Built code only (scripts/build.mjs makes those bundles). No imports but Node's: source/entry.ts
 * loads this module before anything else.
 *
 * Why: compiling and evaluating the KMS client is the largest part of a command's start-up
 * (~65 ms of ~250 ms); with V8's cached data, kept in the user's cache directory, it takes ~32 ms.
 * Node 20 has no `module.enableCompileCache()`, and Node 22's does not cover `vm.Script`, hence
 * our own. The cached data is made when the process exits, so that it holds every function the
 * first run compiled (the client's set-up and request path, the command's own code), not only
 * the bundle's top level. The cache file is named by a hash of the bundle's bytes (written into
 * the bundle's first line by the build, so that no run has to hash a megabyte), because V8 only
 * checks the source's length; V8 rejects a cache from another Node version or other flags, and a
 * rejected, unreadable or unwritable cache only costs the time it would have saved.
 * `KMS_TUI_NO_CODE_CACHE=1` turns it off.
 */
import {createHash} from 'node:crypto';
import {
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import {createRequire} from 'node:module';
import {homedir} from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** The first line scripts/build.mjs gives each CommonJS bundle: a SHA-256 of the rest. */
const hashLine = /^\/\/ kms-tui-bundle-sha256: ([0-9a-f]{64})\n/;

function cacheFileFor(name: string, source: string): string | undefined {
	if (process.env.KMS_TUI_NO_CODE_CACHE === '1') return undefined;
	const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
	// V8 rejects cached data made under other flags (the launcher's --expose-gc, say), so the
	// flags are part of the name: `bin/kms-tui` and `node dist/cli.js` each keep their own.
	const hash = createHash('sha256')
		.update(hashLine.exec(source)?.[1] ?? source)
		.update(process.execArgv.join('\0'))
		.digest('hex')
		.slice(0, 16);
	return path.join(base, 'kms-tui', `${name}-${hash}-${process.version}-${process.arch}.v8cache`);
}

/** A cache of `name` nobody made for this long is for a build that is gone (or in no use). */
const staleAfterMs = 30 * 24 * 60 * 60 * 1000;

/**
 * Every build of kms-tui, Node version and set of flags has its own cache files; when a new one is
 * made, those of `name` that were made long ago go (a cache still in use is only made again).
 */
function removeStale(directory: string, name: string, keep: string): void {
	const now = Date.now();
	for (const entry of readdirSync(directory)) {
		if (!entry.startsWith(`${name}-`) || entry === keep || !/\.v8cache(\.\d+\.tmp)?$/.test(entry)) {
			continue;
		}
		const file = path.join(directory, entry);
		if (now - statSync(file).mtimeMs > staleAfterMs) rmSync(file, {force: true});
	}
}

function writeCache(file: string, name: string, data: Buffer): void {
	const temp = `${file}.${process.pid}.tmp`;
	try {
		mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
		writeFileSync(temp, data, {mode: 0o600});
		renameSync(temp, file);
		removeStale(path.dirname(file), name, path.basename(file));
	} catch {
		// A read-only or full home: run without the cache.
		try {
			rmSync(temp, {force: true});
		} catch {
			// Nothing was created.
		}
	}
}

/**
 * Evaluates the CommonJS file as Node's loader would (the same wrapper and arguments), from the
 * code cache `name` when there is a usable one, and returns its exports. `worthCaching` is asked
 * at exit: a run that used little of the file would make a cache that lacks the rest.
 */
export function loadThroughCodeCache(
	file: string,
	name: string,
	worthCaching: () => boolean = () => true,
): Record<string, unknown> {
	const source = readFileSync(file, 'utf8');
	const cacheFile = cacheFileFor(name, source);
	let cachedData: Buffer | undefined;
	if (cacheFile) {
		try {
			cachedData = readFileSync(cacheFile);
		} catch {
			// Not made yet.
		}
	}
	const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
	const script = new vm.Script(wrapped, {filename: file, cachedData});
	// `cachedDataRejected` is false only for data V8 took (an empty file is not even offered).
	if (cacheFile && script.cachedDataRejected !== false) {
		// At exit, after the run compiled what it needed; 'exit' listeners run synchronously.
		process.once('exit', () => {
			if (worthCaching()) writeCache(cacheFile, name, script.createCachedData());
		});
	}
	const run = script.runInThisContext() as (...args: unknown[]) => void;
	const module = {exports: {} as Record<string, unknown>};
	run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
	return module.exports;
}
