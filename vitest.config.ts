import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 30_000,
		hookTimeout: 60_000,
		// Process-level tests spawn the built CLI and servers; two cores is what CI has.
		maxWorkers: 2,
	},
});
