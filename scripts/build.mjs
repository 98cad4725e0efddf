// Builds dist/ with esbuild: the CLI as one ESM bundle (code-split so that each command, the TUI
// and the AWS SDK load only when used), which is what keeps start-up near bare Node's
// (perf-anchors §4: unbundled ink + react costs ~500 ms in module loading alone).
// Type-checking is `tsc --noEmit` (npm run typecheck); esbuild only strips types.
import {readFile, rm} from 'node:fs/promises';
import {createRequire} from 'node:module';
import path from 'node:path';
import {build} from 'esbuild';
import {FRAME_WORKER_MODULE, frameWorkerModule} from './frame-worker-source.mjs';

const requireFromHere = createRequire(import.meta.url);

/**
 * An esbuild plugin that replaces one exact piece of a dependency's file as it is bundled. The
 * build fails when the piece is not found (the dependency changed), rather than silently
 * shipping without the change.
 */
function sourcePatch({name, file, from, to}) {
	return {
		name,
		setup(context) {
			context.onLoad({filter: file}, async (args) => {
				const source = await readFile(args.path, 'utf8');
				if (!source.includes(from)) {
					throw new Error(`${args.path}: the dependency changed; update ${name} in scripts/build.mjs`);
				}
				return {contents: source.replace(from, to), loader: 'js'};
			});
		},
	};
}

const patches = [
	// meow's bundled dependencies run normalize-package-data's set-up when the module loads (it
	// sorts spdx-correct's licence table with localeCompare, builds semver's regexes…): ~20 ms of
	// every start, TUI first frame included (node --cpu-prof). meow itself calls it only when
	// `cli.pkg` is read, which kms-tui never does. This defers the set-up to the first call.
	sourcePatch({
		name: 'lazy-meow-normalize',
		file: /[\\/]meow[\\/]build[\\/]dependencies\.js$/,
		from: 'var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);',
		to: 'const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);',
	}),
	// Ink wraps text with wrap-ansi's trim off, so a line broken at a space starts the next row
	// with that space (" you confirm."), on every paragraph that wraps. Wrapping each line of the
	// text on its own, the one space a break leaves at the start of a row is dropped; indentation
	// at the start of a line of the text itself is kept.
	sourcePatch({
		name: 'ink-wrap-without-leading-space',
		file: /[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
		from: `        wrappedText = wrapAnsi(text, maxWidth, {
            trim: false,
            hard: true,
        });`,
		to: `        wrappedText = text
            .split('\\n')
            .map((line) => wrapAnsi(line, maxWidth, {trim: false, hard: true}).replace(/\\n /g, '\\n'))
            .join('\\n');`,
	}),
];

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
	plugins: [...patches, sdkThroughCodeCache, frameWorker],
	logLevel: 'warning',
	legalComments: 'none',
});
