// Builds dist/ with esbuild: the CLI as one ESM bundle (code-split so that each command, the TUI
// and the AWS SDK load only when used), which is what keeps start-up near bare Node's
// (perf-anchors §4: unbundled ink + react costs ~500 ms in module loading alone).
// Type-checking is `tsc --noEmit` (npm run typecheck); esbuild only strips types.
import {rm} from 'node:fs/promises';
import {build} from 'esbuild';

await rm('dist', {recursive: true, force: true});
await build({
	entryPoints: {
		cli: 'source/cli.tsx',
		// Loaded directly by test/fixtures/mutate-store.mjs and bench/envelope-engine.mjs.
		'sandbox/store': 'source/sandbox/store.ts',
		'envelope/index': 'source/envelope/index.ts',
	},
	outdir: 'dist',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	sourcemap: 'linked',
	chunkNames: 'chunks/[name]-[hash]',
	// Bundled CommonJS dependencies call require(); give the ESM bundle one.
	banner: {
		js: "import {createRequire as __kmsTuiCreateRequire} from 'node:module'; const require = __kmsTuiCreateRequire(import.meta.url);",
	},
	// react-devtools-core is an optional peer of ink that is only imported when DEV=true.
	external: ['react-devtools-core'],
	logLevel: 'warning',
	legalComments: 'none',
});
