/**
 * Loads an AWS SDK client package through a V8 code cache. Built code only: scripts/build.mjs
 * bundles each client as CommonJS into dist/sdk/NAME.cjs and points the bundle's imports of
 * `@aws-sdk/client-kms` / `@aws-sdk/client-cloudformation` here (tests run the sources and import
 * the SDK directly).
 *
 * Why: compiling and evaluating the KMS client is the largest part of a command's start-up
 * (~65 ms of ~250 ms). With V8's cached data, made right after the first evaluation and kept in
 * the user's cache directory, it takes ~32 ms. Node 20 has no `module.enableCompileCache()`,
 * hence `vm.Script`. The cache file is named by a hash of the bundle's bytes, because V8 only
 * checks the source's length; V8 rejects a cache from another Node version or other flags, and
 * a rejected, unreadable or unwritable cache only costs the time it would have saved.
 * `KMS_TUI_NO_CODE_CACHE=1` turns it off.
 */
import {createHash} from 'node:crypto';
import {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {homedir} from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import {packageRoot} from './config.js';

type SdkPackage = 'client-kms' | 'client-cloudformation';

function cacheFileFor(name: SdkPackage, source: string): string | undefined {
	if (process.env.KMS_TUI_NO_CODE_CACHE === '1') return undefined;
	const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
	// V8 rejects cached data made under other flags (the launcher's --expose-gc, say), so the
	// flags are part of the name: `bin/kms-tui` and `node dist/cli.js` each keep their own.
	const hash = createHash('sha256')
		.update(source)
		.update(process.execArgv.join('\0'))
		.digest('hex')
		.slice(0, 16);
	return path.join(base, 'kms-tui', `${name}-${hash}-${process.version}-${process.arch}.v8cache`);
}

function writeCache(file: string, data: Buffer): void {
	const temp = `${file}.${process.pid}.tmp`;
	try {
		mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
		writeFileSync(temp, data, {mode: 0o600});
		renameSync(temp, file);
	} catch {
		// A read-only or full home: run without the cache.
		try {
			rmSync(temp, {force: true});
		} catch {
			// Nothing was created.
		}
	}
}

export function loadSdk(name: SdkPackage): Record<string, unknown> {
	const file = path.join(packageRoot(), 'dist', 'sdk', `${name}.cjs`);
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
	const run = script.runInThisContext() as (...args: unknown[]) => void;
	const module = {exports: {} as Record<string, unknown>};
	run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
	// Made after the evaluation, so the functions it compiled are in the cache too.
	if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
		writeCache(cacheFile, script.createCachedData());
	}
	return module.exports;
}
