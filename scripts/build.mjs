// Builds dist/ with esbuild, bundled because unbundled ink + react costs ~500 ms in module loading
// alone (perf-anchors §4):
// - dist/main.cjs, the entry (source/entry.ts; dist/cli.js only imports it);
// - dist/commands.cjs, the command line without the TUI as one CommonJS file, and dist/sdk/*.cjs,
//   the AWS SDK clients, all loaded through kms-tui's V8 code cache (source/code-cache.ts);
// - dist/esm-cli.js and dist/chunks/, the whole CLI with the TUI as ESM, code-split so that each
//   command, the TUI and the SDK load only when used.
// Type-checking is `tsc --noEmit` (npm run typecheck); esbuild only strips types.
import {createHash} from 'node:crypto';
import {readFile, rm, writeFile} from 'node:fs/promises';
import {isBuiltin} from 'node:module';
import path from 'node:path';
import {build} from 'esbuild';
import {FRAME_WORKER_MODULE, frameWorkerModule} from './frame-worker-source.mjs';
import {importedSdkNames} from './sdk-names.mjs';

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
 * a V8 code cache (source/sdk-code-cache.ts); in the other bundles, `@aws-sdk/client-kms` and
 * `@aws-sdk/client-cloudformation` become a module that re-exports what loadSdk returns.
 *
 * Each client bundle holds only what kms-tui's sources import from the package (the names are
 * read from the sources, scripts/sdk-names.mjs), built from the package's ES modules so that
 * esbuild leaves out the commands and schemas nobody calls: the KMS client's bundle is ~30 %
 * smaller, and loading it with a client made ~7 ms faster.
 */
const sdkPackages = ['client-kms', 'client-cloudformation', 'client-cloudtrail'];
/**
 * The SDK's ES modules load some built-ins with `await import('node:http')`. A bundle that
 * source/code-cache.ts runs through vm.Script has no import(): make those require()s.
 */
const builtinImportsAsRequire = {
	name: 'builtin-imports-as-require',
	setup(context) {
		context.onResolve({filter: /^[\w:/]+$/}, (args) =>
			args.kind === 'dynamic-import' && isBuiltin(args.path)
				? {path: args.path, namespace: 'builtin-require'}
				: undefined,
		);
		context.onLoad({filter: /.*/, namespace: 'builtin-require'}, (args) => ({
			contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
			loader: 'js',
		}));
	},
};
const sdkNames = Object.fromEntries(
	await Promise.all(
		sdkPackages.map(async (name) => [name, await importedSdkNames(`@aws-sdk/${name}`)]),
	),
);
const sdkThroughCodeCache = {
	name: 'sdk-through-code-cache',
	setup(context) {
		const clients = /^@aws-sdk\/client-(kms|cloudformation|cloudtrail)$/;
		context.onResolve({filter: clients}, (args) => ({path: args.path, namespace: 'kms-tui-sdk'}));
		context.onLoad({filter: /.*/, namespace: 'kms-tui-sdk'}, (args) => {
			const name = args.path.slice('@aws-sdk/'.length);
			const loader = JSON.stringify(path.resolve('source/sdk-code-cache.ts'));
			return {
				contents: `import {loadSdk} from ${loader};\nconst sdk = loadSdk(${JSON.stringify(name)});\nexport const {${sdkNames[name].join(', ')}} = sdk;\n`,
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

/**
 * In the command-line bundle (dist/commands.cjs), the TUI is not bundled: a TUI start is handed over
 * to the ESM build (source/entry.ts), so that Ink and the TUI's modules run in one module graph.
 */
const tuiOutsideCommandBundle = {
	name: 'tui-outside-command-bundle',
	setup(context) {
		context.onResolve({filter: /^\.\/tui\.js$/}, (args) =>
			/[\\/]source[\\/]import-tui\.ts$/.test(args.importer)
				? {path: './tui-not-in-command-bundle.js', external: true}
				: undefined,
		);
	},
};

/**
 * Each CommonJS bundle that goes through the code cache starts with a SHA-256 of its text, which
 * names its cache (source/code-cache.ts) without hashing a megabyte on every run.
 */
async function stampHash(file) {
	const text = await readFile(file, 'utf8');
	const hash = createHash('sha256').update(text).digest('hex');
	await writeFile(file, `// kms-tui-bundle-sha256: ${hash}\n${text}`);
}

await rm('dist', {recursive: true, force: true});
for (const name of sdkPackages) {
	await build({
		stdin: {
			contents: `export {${sdkNames[name].join(', ')}} from '@aws-sdk/${name}';\n`,
			resolveDir: process.cwd(),
			sourcefile: `sdk-${name}.js`,
			loader: 'js',
		},
		outfile: `dist/sdk/${name}.cjs`,
		bundle: true,
		format: 'cjs',
		platform: 'node',
		// The packages' ES modules (dist-es), which esbuild can shake; dist-cjs is one big file.
		mainFields: ['module', 'main'],
		plugins: [builtinImportsAsRequire],
		target: 'node20',
		define: {'process.env.NODE_ENV': '"production"'},
		logLevel: 'warning',
		legalComments: 'none',
	});
}
await build({
	entryPoints: {
		// The whole CLI with the TUI; source/entry.ts (dist/main.cjs) imports it.
		'esm-cli': 'source/cli.tsx',
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

/** What the CommonJS builds share: `import.meta.url` of the ESM sources that use it. */
const commonJs = {
	outdir: 'dist',
	outExtension: {'.js': '.cjs'},
	bundle: true,
	format: 'cjs',
	platform: 'node',
	target: 'node20',
	inject: ['scripts/cjs-import-meta-url.js'],
	define: {'process.env.NODE_ENV': '"production"', 'import.meta.url': 'importMetaUrl'},
	logLevel: 'warning',
	legalComments: 'none',
};
/**
 * The command line without the TUI as one CommonJS file, which source/entry.ts loads through the
 * same V8 code cache as the SDK: on Node 20, ESM has no compile cache, and the ESM build's two
 * dozen chunks cost a command ~30 ms of CPU in resolving, compiling and linking (and load every
 * built-in module a shared chunk imports). esbuild evaluates each module of a dynamic import()
 * here only when that import runs, as the ESM build does.
 */
await build({
	...commonJs,
	entryPoints: {commands: 'source/cli.tsx'},
	plugins: [tuiOutsideCommandBundle, builtinImportsAsRequire, sdkThroughCodeCache, frameWorker],
});
/** The entry (source/entry.ts): its import of the CLI is the ESM build's. */
const cliIsTheEsmBuild = {
	name: 'cli-is-the-esm-build',
	setup(context) {
		context.onResolve({filter: /^\.\/cli\.js$/}, () => ({path: './esm-cli.js', external: true}));
	},
};
await build({...commonJs, entryPoints: {main: 'source/entry.ts'}, plugins: [cliIsTheEsmBuild]});
// `node dist/cli.js` (the tests, the benches) runs the same entry as bin/kms-tui.
await writeFile(
	'dist/cli.js',
	"// The CLI's entry is dist/main.cjs (source/entry.ts).\nimport './main.cjs';\n",
);
const throughCodeCache = [
	'dist/commands.cjs',
	...sdkPackages.map((name) => `dist/sdk/${name}.cjs`),
];
// vm.Script gives these no import(): one left in would fail only when its code path runs.
for (const file of throughCodeCache) {
	const text = await readFile(file, 'utf8');
	const imports = text.match(/\bimport\((?!"\.\/tui-not-in-command-bundle\.js"\))[^)]*\)/g);
	if (imports)
		throw new Error(`${file} still has ${imports.join(', ')}: bundle it or make it a require()`);
}
await Promise.all(throughCodeCache.map(stampHash));
