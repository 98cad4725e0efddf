// Runs the process-level tests — the built CLI, `sandbox serve`, the launcher, the TUI in a pty —
// a second time with the built CLI started by Node 22 (vitest itself stays on the Node running
// npm). AWS SDK releases after January 2027 need Node >= 22, and package.json's `engines` says
// ">=20": both ends are tested.
//
// Node 22 comes from the npm package `node` (the registry's Node binaries), through `npx`, which
// keeps it in npm's cache: the first run downloads ~30 MB, later runs reuse it. The tests spawn
// `KMS_TUI_TEST_NODE` (see test/helpers/cli.ts) and find a `node` on PATH for the launcher.
// KMS_TUI_SKIP_NODE22=1 skips this pass (and says so).
import {execFileSync, spawnSync} from 'node:child_process';
import path from 'node:path';

const version = '22.23.3';
const files = ['test/cli', 'test/faults', 'test/sandbox/aws-cli.test.ts', 'test/e2e'];

if (process.env.KMS_TUI_SKIP_NODE22 === '1') {
	console.log('Node 22 pass skipped (KMS_TUI_SKIP_NODE22=1).');
	process.exit(0);
}

const node22 = execFileSync(
	'npx',
	['--yes', `node@${version}`, '-p', 'process.execPath'],
	{encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']},
).trim();
const reported = execFileSync(node22, ['--version'], {encoding: 'utf8'}).trim();
if (!reported.startsWith('v22.')) {
	console.error(`Expected Node 22 from node@${version}, got ${reported} at ${node22}.`);
	process.exit(1);
}
console.log(`Process tests again under ${reported} (${node22})`);

const vitest = path.resolve('node_modules/vitest/vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', ...files], {
	stdio: 'inherit',
	env: {
		...process.env,
		KMS_TUI_TEST_NODE: node22,
		PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH ?? ''}`,
	},
});
process.exit(result.status ?? 1);
