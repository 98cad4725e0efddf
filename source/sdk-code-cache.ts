/**
 * Loads an AWS SDK client package through kms-tui's V8 code cache (source/code-cache.ts). Built
 * code only: scripts/build.mjs bundles each client as CommonJS into dist/sdk/NAME.cjs and points
 * the bundles' imports of `@aws-sdk/client-kms` / `@aws-sdk/client-cloudformation` here (tests
 * run the sources and import the SDK directly).
 */
import path from 'node:path';
import {loadThroughCodeCache} from './code-cache.js';
import {packageRoot} from './config.js';

type SdkPackage = 'client-kms' | 'client-cloudformation' | 'client-cloudtrail';

export function loadSdk(name: SdkPackage): Record<string, unknown> {
	return loadThroughCodeCache(path.join(packageRoot(), 'dist', 'sdk', `${name}.cjs`), name);
}
