// Builds dist/ with esbuild: the CLI as one ESM bundle (code-split so that each command, the TUI
// and the AWS SDK load only when used), which is what keeps start-up near bare Node's
// (perf-anchors §4: unbundled ink + react costs ~500 ms in module loading alone).
// Type-checking is `tsc --noEmit` (npm run typecheck); esbuild only strips types.
import {readFile, rm} from 'node:fs/promises';
import {build} from 'esbuild';

/**
 * meow's bundled dependencies run normalize-package-data's set-up when the module loads (it sorts
 * spdx-correct's licence table with localeCompare, builds semver's regexes…): ~20 ms of every
 * start, TUI first frame included (node --cpu-prof). meow itself calls it only when `cli.pkg` is
 * read, which kms-tui never does. This defers that set-up to the first call. The build fails if
 * a meow upgrade changes the lines, rather than silently losing the change.
 */
const lazyMeowNormalize = {
	name: 'lazy-meow-normalize',
	setup(context) {
		context.onLoad({filter: /[\\/]meow[\\/]build[\\/]dependencies\.js$/}, async (args) => {
			const source = await readFile(args.path, 'utf8');
			const eager =
				'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);';
			if (!source.includes(eager)) {
				throw new Error(`${args.path}: meow changed; update lazyMeowNormalize in scripts/build.mjs`);
			}
			const lazy =
				'const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);';
			return {contents: source.replace(eager, lazy), loader: 'js'};
		});
	},
};

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
	// React's CommonJS entry points pick their development or production build at run time;
	// fixing NODE_ENV lets esbuild drop the development builds (about half of the TUI's first
	// chunk) and runs the faster production reconciler. Tests run the sources, in development mode.
	define: {'process.env.NODE_ENV': '"production"'},
	// react-devtools-core is an optional peer of ink that is only imported when DEV=true.
	external: ['react-devtools-core'],
	plugins: [lazyMeowNormalize],
	logLevel: 'warning',
	legalComments: 'none',
});
