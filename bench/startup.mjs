// Start-up figures for `npm run bench`: bare Node next to kms-tui, medians of repeated warm runs.
// The TUI's first frame is timed in a pseudo-terminal (script(1)) from spawn to the first byte
// of the rendered header.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

const runs = 9;

/** Wall ms of one run; a run that fails is an error, never a (fast) figure. */
function wallMs(command, args, options = {}) {
	const started = process.hrtime.bigint();
	const result = spawnSync(command, args, {
		stdio: ['ignore', 'ignore', 'pipe'],
		encoding: 'utf8',
		...options,
	});
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	if (result.status !== 0)
		throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
	return ms;
}

const spread = (values) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;

/**
 * A small file (20 bytes, what most people encrypt) through `encrypt` and `decrypt`, on the
 * in-process sandbox and on an endpoint (`kms-tui sandbox serve`), next to `node -e 0`; the runs
 * are interleaved so that all rows see the same machine. Target: each within 1.5× of node -e 0.
 */
async function smallFileRows(cli) {
	const dir = mkdtempSync(path.join(tmpdir(), 'kms-tui-small-'));
	const sandbox = ['--sandbox', '--sandbox-dir', path.join(dir, 'sb')];
	const options = {cwd: dir, env: {...process.env, HOME: dir, NO_COLOR: '1'}};
	writeFileSync(path.join(dir, 'small.txt'), 'twenty bytes of text');
	wallMs(cli, [...sandbox, 'deploy', '--yes'], {
		...options,
		env: {...options.env, KMS_TUI_SANDBOX_STEP_MS: '0'},
	});
	wallMs(cli, [...sandbox, 'outputs', '--write-env'], options);
	const server = spawn(cli, [...sandbox, 'sandbox', 'serve', '--port', '0'], {
		...options,
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const endpoint = await new Promise((resolve, reject) => {
		let seen = '';
		server.stdout.on('data', (chunk) => {
			seen += chunk;
			const match = /http:\/\/127\.0\.0\.1:\d+/.exec(seen);
			if (match) resolve(match[0]);
		});
		server.once('exit', (code) => reject(new Error(`sandbox serve exited (${code}): ${seen}`)));
	});
	const onEndpoint = ['--endpoint-url', endpoint, '--region', 'us-east-1'];
	const endpointEnv = {
		...options,
		env: {...options.env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox'},
	};
	const rows = {
		'node -e 0': () => wallMs(process.execPath, ['-e', '0']),
		'encrypt (sandbox)': () =>
			wallMs(cli, [...sandbox, 'encrypt', 'small.txt', '-o', 'small.kms', '--force'], options),
		'decrypt (sandbox)': () =>
			wallMs(cli, [...sandbox, 'decrypt', 'small.kms', '-o', 'small.out', '--force'], options),
		'encrypt (endpoint)': () =>
			wallMs(
				cli,
				[...onEndpoint, 'encrypt', 'small.txt', '-o', 'small-e.kms', '--force'],
				endpointEnv,
			),
		'decrypt (endpoint)': () =>
			wallMs(
				cli,
				[...onEndpoint, 'decrypt', 'small-e.kms', '-o', 'small-e.out', '--force'],
				endpointEnv,
			),
	};
	const times = Object.fromEntries(Object.keys(rows).map((name) => [name, []]));
	try {
		// One untimed round first: it makes the SDK code cache (~/.cache/kms-tui in this HOME).
		rows['encrypt (sandbox)']();
		rows['decrypt (sandbox)']();
		rows['encrypt (endpoint)']();
		rows['decrypt (endpoint)']();
		for (let run = 0; run < runs; run++) {
			const names = Object.keys(rows);
			// A different order each run, so no row always follows the same neighbour.
			const order = names.map((_, index) => names[(index + run) % names.length]);
			for (const name of order) times[name].push(rows[name]());
		}
	} finally {
		server.kill('SIGTERM');
		rmSync(dir, {recursive: true, force: true});
	}
	const node = median(times['node -e 0']);
	const lines = [
		`Small file (20 bytes), median of ${runs} interleaved runs [target: each ≤ 1.5× node -e 0]:`,
	];
	for (const [name, values] of Object.entries(times)) {
		const ratio = name === 'node -e 0' ? '' : `  ${(median(values) / node).toFixed(2)}× node -e 0`;
		lines.push(
			`  ${name.padEnd(20)} ${median(values).toFixed(0).padStart(5)} ms  (${spread(values)})${ratio}`,
		);
	}
	return lines.join('\n');
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** ms from spawn until the pty shows `marker`; undefined when it never does within 10 s. */
export async function firstFrameMs(command, marker, env = {}) {
	return new Promise((resolve) => {
		const started = process.hrtime.bigint();
		// script(1) run without a terminal makes a 0×0 pty, where Ink's first frame is one column
		// wide; give it a person's 80×24 first.
		const sized = `stty cols 80 rows 24; exec ${command}`;
		const child = spawn('script', ['-qfec', sized, '/dev/null'], {
			env: {...process.env, TERM: 'xterm-256color', ...env},
		});
		let seen = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			resolve(undefined);
		}, 10_000);
		child.stdout.on('data', (chunk) => {
			seen += chunk.toString();
			if (seen.includes(marker)) {
				clearTimeout(timer);
				resolve(Number(process.hrtime.bigint() - started) / 1e6);
				child.kill('SIGKILL');
			}
		});
	});
}

export async function measureStartup(root) {
	// What users run: the launcher npm links (bin/kms-tui, a sh script that execs Node).
	const cli = path.join(root, 'bin', 'kms-tui');
	const node = median(Array.from({length: runs}, () => wallMs(process.execPath, ['-e', '0'])));
	const help = median(Array.from({length: runs}, () => wallMs(cli, ['--help'])));
	const lines = [
		`Start-up (median of ${runs} warm runs): node -e 0 ${node.toFixed(0)} ms; kms-tui --help ${help.toFixed(0)} ms`,
	];
	lines.push(await smallFileRows(cli));
	if (spawnSync('script', ['--version']).status !== 0) {
		lines.push(
			'TUI first frame: skipped (script(1) from util-linux is not installed, so there is no pty)',
		);
		return lines.join('\n');
	}
	const dir = mkdtempSync(path.join(tmpdir(), 'kms-tui-startup-'));
	// Ink draws only the final frame when it thinks it is in CI; this is a person's terminal.
	const env = {CI: 'false', KMS_TUI_SANDBOX_DIR: dir};
	const command = `${cli} --sandbox`;
	const firstFrame = [];
	const homeReady = [];
	for (let run = 0; run < runs; run++) {
		firstFrame.push(await firstFrameMs(command, 'SANDBOX', env));
		homeReady.push(await firstFrameMs(command, 'The lifecycle of a KMS key', env));
	}
	rmSync(dir, {recursive: true, force: true});
	const show = (values) =>
		values.includes(undefined) ? 'timed out' : `${median(values).toFixed(0)} ms`;
	lines.push(
		`TUI (80×24 pty, sandbox): first frame ${show(firstFrame)} [target ≤ 300 ms]; Home with live state ${show(homeReady)}; node -e 0 ${node.toFixed(0)} ms`,
	);
	return lines.join('\n');
}
