#!/usr/bin/env node
/**
 * The built CLI's entry (dist/cli.js): switches on Node's module compile cache where Node has it
 * (22.1 and later), then loads the CLI, so that every chunk after this one — the command registry,
 * the commands, the envelope engine, the TUI — is compiled from cached V8 data after the first run
 * instead of from source. Node 20 has no compile cache; there the AWS SDK still loads through
 * kms-tui's own code cache (source/sdk-code-cache.ts). The cache lives beside that one
 * ($XDG_CACHE_HOME/kms-tui, else ~/.cache/kms-tui); deleting it is always safe, and
 * KMS_TUI_NO_CODE_CACHE=1 (or Node's NODE_DISABLE_COMPILE_CACHE=1) turns it off.
 */
import module from 'node:module';
import {homedir} from 'node:os';
import path from 'node:path';

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

// Loaded after the cache is on, so that it and everything it imports can come from the cache.
await import('./cli.js');
