import {defineConfig} from 'vitest/config';
import {FRAME_WORKER_MODULE, frameWorkerModule} from './scripts/frame-worker-source.mjs';

export default defineConfig({
	// The engine starts its worker threads from the bundled text of frame-worker.ts, as the build does.
	plugins: [
		{
			name: 'frame-worker',
			resolveId: (id) => (id === FRAME_WORKER_MODULE ? `\0${id}` : undefined),
			load: (id) => (id === `\0${FRAME_WORKER_MODULE}` ? frameWorkerModule() : undefined),
		},
	],
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// Process-level tests spawn the built CLI and servers; two cores is what CI has.
		maxWorkers: 2,
	},
});
