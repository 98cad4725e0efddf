// The frame worker (source/envelope/frame-worker.ts) as one CommonJS text, for
// `new Worker(text, {eval: true})`. Embedding the text means no worker file has to be found next
// to whichever bundle chunk the engine ended up in. Used by scripts/build.mjs (esbuild plugin)
// and vitest.config.ts (Vite plugin), so tests run the same bundle the CLI ships.
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';

export const FRAME_WORKER_MODULE = 'virtual:kms-tui-frame-worker';

export async function frameWorkerSource() {
	const result = await build({
		entryPoints: [fileURLToPath(new URL('../source/envelope/frame-worker.ts', import.meta.url))],
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		write: false,
		legalComments: 'none',
		logLevel: 'warning',
	});
	return result.outputFiles[0].text;
}

/** The module's contents: `export default "<the text>"`. */
export async function frameWorkerModule() {
	return `export default ${JSON.stringify(await frameWorkerSource())};\n`;
}
