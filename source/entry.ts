#!/usr/bin/env node
/**
 * The built CLI's entry, as CommonJS: dist/main.cjs, which bin/kms-tui runs (dist/cli.js, for
 * `node dist/cli.js`, only imports it). CommonJS because Node's ESM loader costs a command a few
 * ms that CommonJS does not. Two builds of the CLI sit behind it (scripts/build.mjs):
 *
 * - dist/commands.cjs, the command line without the TUI as one CommonJS file, loaded through
 *   kms-tui's V8 code cache (source/code-cache.ts). A command (`kms-tui encrypt f`) runs from it:
 *   one file compiled from cached data instead of two dozen ESM chunks compiled from source
 *   (Node 20 has no ESM compile cache), and only the built-in modules its own code needs.
 * - the ESM build (dist/esm-cli.js and dist/chunks/), which has the TUI (Ink has a top-level
 *   await, so it cannot be CommonJS). It runs everything without a command word: the TUI,
 *   --help, --version (as fast from either build).
 *
 * A command line with a word that is not a flag goes to the command bundle; when that word was
 * only a flag's value and no command is given (`kms-tui --region eu-west-1`), the command bundle
 * hands the TUI start over to the ESM build before doing anything (source/cli.tsx), so both
 * paths behave the same and the guess only decides which is faster.
 *
 * Where Node has a module compile cache (22.1 and later) it is switched on first, so that the
 * ESM chunks load from it. The caches live in $XDG_CACHE_HOME/kms-tui (else ~/.cache/kms-tui);
 * deleting them is always safe, and KMS_TUI_NO_CODE_CACHE=1 (or, for Node's,
 * NODE_DISABLE_COMPILE_CACHE=1) turns them off.
 */
import module from 'node:module';
import {homedir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

type EnableCompileCache = (directory?: string) => unknown;

const enableCompileCache = (module as {enableCompileCache?: EnableCompileCache}).enableCompileCache;
if (enableCompileCache && process.env.KMS_TUI_NO_CODE_CACHE !== '1') {
	const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
	try {
		// Node reports a cache it cannot use in the value it returns; it never throws for that.
		enableCompileCache(path.join(base, 'kms-tui', 'compile-cache'));
	} catch {
		// Without the cache the CLI only starts a little slower.
	}
}

/** The hook source/cli.tsx calls, in the command bundle, when no command was given. */
const startTui = Symbol.for('kms-tui.start-tui');
/** What source/cli.tsx sets when it starts a command. */
const commandRan = Symbol.for('kms-tui.command-ran');
const hooks = globalThis as {[startTui]?: () => Promise<unknown>; [commandRan]?: true};

async function start(): Promise<unknown> {
	if (!process.argv.slice(2).some((arg) => !arg.startsWith('-'))) {
		// Imported after the compile cache is on, so that it and what it imports can come from it.
		return import('./cli.js');
	}
	hooks[startTui] = async () => {
		delete hooks[startTui];
		return import('./cli.js');
	};
	// Imported here: --version and the TUI need none of what it loads.
	const {loadThroughCodeCache} = await import('./code-cache.js');
	const file = fileURLToPath(new URL('commands.cjs', import.meta.url));
	// The cache holds what the run that made it compiled: a usage error, a command's --help or a
	// TUI start would leave out every command, so only a command's run makes one.
	return loadThroughCodeCache(file, 'commands', () => hooks[commandRan] === true);
}

void start();
