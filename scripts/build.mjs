// Builds dist/ with esbuild: the CLI as one ESM bundle (code-split so that each command, the TUI
// and the AWS SDK load only when used), which is what keeps start-up near bare Node's
// (perf-anchors §4: unbundled ink + react costs ~500 ms in module loading alone).
// Type-checking is `tsc --noEmit` (npm run typecheck); esbuild only strips types.
import {rm} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {build} from 'esbuild';
import {FRAME_WORKER_MODULE, frameWorkerModule} from './frame-worker-source.mjs';

const requireFromHere = createRequire(import.meta.url);

// Dependency patches (patches/, applied to node_modules by patch-package on `npm install`) are
// in the sources esbuild reads here, so the bundle and the tests run the same patched code.

/**
 * Ink imports its React devtools bridge (and react-devtools-core, ~130 kB) only when DEV=true.
 * The package does not ship it: the import resolves to a file that does not exist, and Ink then
 * prints its own "react-devtools-core is not installed" warning instead of loading it.
 */
const inkWithoutDevtools = {
	name: 'ink-without-devtools',
	setup(context) {
		context.onResolve({filter: /^\.\/devtools\.js$/}, (args) =>
			/[\\/]ink[\\/]build[\\/]/.test(args.importer)
				? {path: './ink-devtools-not-shipped.js', external: true}
				: undefined,
		);
	},
};

/**
 * The AWS SDK clients are bundled on their own as CommonJS (dist/sdk/NAME.cjs) and loaded through
 * a V8 code cache by source/sdk-code-cache.ts; in the main bundle, `@aws-sdk/client-kms` and
 * `@aws-sdk/client-cloudformation` become a module that re-exports what loadSdk returns (every
 * name the package exports, listed here at build time).
 */
const sdkPackages = ['client-kms', 'client-cloudformation'];
const sdkThroughCodeCache = {
	name: 'sdk-through-code-cache',
	setup(context) {
		context.onResolve({filter: /^@aws-sdk\/client-(kms|cloudformation)$/}, (args) => ({
			path: args.path,
			namespace: 'kms-tui-sdk',
		}));
		context.onLoad({filter: /.*/, namespace: 'kms-tui-sdk'}, (args) => {
			const name = args.path.slice('@aws-sdk/'.length);
			const names = Object.keys(requireFromHere(args.path)).filter(
				(key) => key !== 'default' && /^[A-Za-z_$][\w$]*$/.test(key),
			);
			const loader = JSON.stringify(path.resolve('source/sdk-code-cache.ts'));
			return {
				contents: `import {loadSdk} from ${loader};\nconst sdk = loadSdk(${JSON.stringify(name)});\nexport const {${names.join(', ')}} = sdk;\n`,
				resolveDir: process.cwd(),
				loader: 'js',
			};
		});
	},
};

/** `import source from 'virtual:kms-tui-frame-worker'`: the frame worker's bundled text. */
const frameWorker = {
	name: 'frame-worker',
	setup(context) {
		context.onResolve({filter: /^virtual:kms-tui-frame-worker$/}, (args) => ({
			path: args.path,
			namespace: 'kms-tui-frame-worker',
		}));
		context.onLoad({filter: /.*/, namespace: 'kms-tui-frame-worker'}, async (args) => {
			if (args.path !== FRAME_WORKER_MODULE) return undefined;
			return {contents: await frameWorkerModule(), loader: 'js'};
		});
	},
};

await rm('dist', {recursive: true, force: true});
await build({
	entryPoints: Object.fromEntries(
		sdkPackages.map((name) => [`sdk/${name}`, requireFromHere.resolve(`@aws-sdk/${name}`)]),
	),
	outdir: 'dist',
	outExtension: {'.js': '.cjs'},
	bundle: true,
	format: 'cjs',
	platform: 'node',
	target: 'node20',
	define: {'process.env.NODE_ENV': '"production"'},
	logLevel: 'warning',
	legalComments: 'none',
});
await build({
	entryPoints: {
		cli: 'source/entry.ts',
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
	plugins: [inkWithoutDevtools, sdkThroughCodeCache, frameWorker],
	logLevel: 'warning',
	legalComments: 'none',
});
