/**
 * The bundled text of frame-worker.ts, made by scripts/frame-worker-source.mjs: embedded by the
 * build (scripts/build.mjs) and by the test runner (vitest.config.ts).
 */
declare module 'virtual:kms-tui-frame-worker' {
	const source: string;
	export default source;
}
