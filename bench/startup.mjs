// Start-up figures for `npm run bench`: bare Node next to kms-tui, medians of repeated warm runs.
// The TUI's first frame is timed in a pseudo-terminal (script(1)) from spawn to the first byte
// of the rendered header.
//
// Each figure is the median with its spread (min–max), in wall time and, where `perf stat` works
// (Linux with perf installed and allowed), in CPU time (task-clock: every thread of the process),
// which other load on the machine disturbs much less than wall time. The load average is printed
// with them: on a busy machine, compare the CPU figures.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {loadavg, tmpdir} from 'node:os';
import path from 'node:path';

const runs = 11;

const perfFile = path.join(tmpdir(), `kms-tui-bench-perf-${process.pid}.txt`);
const perfWorks =
	spawnSync('perf', ['stat', '-e', 'task-clock', '-o', perfFile, '--', 'true']).status === 0;

/** One run's wall and CPU ms (CPU undefined without perf); a failing run is an error. */
function measure(command, args, options = {}) {
	const [run, runArgs] = perfWorks
		? ['perf', ['stat', '-e', 'task-clock', '-o', perfFile, '--', command, ...args]]
		: [command, args];
	const started = process.hrtime.bigint();
	const result = spawnSync(run, runArgs, {
		stdio: ['ignore', 'ignore', 'pipe'],
		encoding: 'utf8',
		...options,
	});
	let wall = Number(process.hrtime.bigint() - started) / 1e6;
	if (result.status !== 0)
		throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
	if (!perfWorks) return {wall, cpu: undefined};
	const report = readFileSync(perfFile, 'utf8');
	const cpu = Number(/([\d.]+)\s+msec task-clock/.exec(report)?.[1]);
	// perf's own start-up is not the command's: take the elapsed time it measured around it.
	const elapsed = Number(/([\d.]+) seconds time elapsed/.exec(report)?.[1]) * 1000;
	if (Number.isFinite(elapsed)) wall = elapsed;
	return {wall, cpu: Number.isFinite(cpu) ? cpu : undefined};
}

const wallMs = (command, args, options) => measure(command, args, options).wall;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
/** "123 ms (118–140)", or "n/a" when a value is missing. */
const show = (values) =>
	values.some((value) => value === undefined)
		? 'n/a'
		: `${median(values).toFixed(0).padStart(4)} ms (${spread(values)})`;
const load = () => loadavg()[0].toFixed(2);

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
		'node -e 0': () => measure(process.execPath, ['-e', '0']),
		'encrypt (sandbox)': () =>
			measure(cli, [...sandbox, 'encrypt', 'small.txt', '-o', 'small.kms', '--force'], options),
		'decrypt (sandbox)': () =>
			measure(cli, [...sandbox, 'decrypt', 'small.kms', '-o', 'small.out', '--force'], options),
		'encrypt (endpoint)': () =>
			measure(
				cli,
				[...onEndpoint, 'encrypt', 'small.txt', '-o', 'small-e.kms', '--force'],
				endpointEnv,
			),
		'decrypt (endpoint)': () =>
			measure(
				cli,
				[...onEndpoint, 'decrypt', 'small-e.kms', '-o', 'small-e.out', '--force'],
				endpointEnv,
			),
	};
	const times = Object.fromEntries(Object.keys(rows).map((name) => [name, []]));
	const loadBefore = load();
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
	const loadAfter = load();
	const node = times['node -e 0'];
	const ratio = (values, pick) => {
		const base = median(node.map(pick));
		const own = values.map(pick);
		return own.includes(undefined) ? 'n/a' : `${(median(own) / base).toFixed(2)}×`;
	};
	const lines = [
		`Small file (20 bytes), median (min–max) of ${runs} interleaved runs, load average ${loadBefore} → ${loadAfter} [target: each ≤ 1.5× node -e 0]:`,
		`  ${''.padEnd(20)} ${'wall'.padEnd(18)} ${'CPU (user+sys)'.padEnd(18)} × node -e 0 (wall, CPU)`,
	];
	for (const [name, values] of Object.entries(times)) {
		const walls = values.map((value) => value.wall);
		const cpus = values.map((value) => value.cpu);
		const ratios =
			name === 'node -e 0'
				? ''
				: `${ratio(values, (value) => value.wall)}, ${ratio(values, (value) => value.cpu)}`;
		lines.push(`  ${name.padEnd(20)} ${show(walls).padEnd(18)} ${show(cpus).padEnd(18)} ${ratios}`);
	}
	return lines.join('\n');
}

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
	const node = [];
	const help = [];
	for (let run = 0; run < runs; run++) {
		node.push(measure(process.execPath, ['-e', '0']));
		help.push(measure(cli, ['--help']));
	}
	const both = (values) =>
		`${show(values.map((value) => value.wall))} wall, ${show(values.map((value) => value.cpu))} CPU`;
	const lines = [
		`Start-up (median (min–max) of ${runs} warm runs${perfWorks ? '' : '; CPU needs `perf stat`'}): node -e 0 ${both(node)}; kms-tui --help ${both(help)}`,
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
	rmSync(perfFile, {force: true});
	const shown = (values) => (values.includes(undefined) ? 'timed out' : show(values));
	lines.push(
		`TUI (80×24 pty, sandbox, wall, load average ${load()}): first frame ${shown(firstFrame)} [target ≤ 300 ms]; Home with live state ${shown(homeReady)}; node -e 0 ${show(node.map((value) => value.wall))}`,
	);
	return lines.join('\n');
}
