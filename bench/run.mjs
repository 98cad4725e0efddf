// `npm run bench`: kms-tui's envelope speed against its peers, measured in the same run.
//
// Makes 64 MiB and 1 GiB random files, then times file → file encrypt and decrypt through the
// real CLI (a sandbox key, so one real GenerateDataKey / Decrypt over HTTP per file), and the same
// files through `cat` (the I/O limit), age (installed with apt-get if missing) and the AWS
// Encryption SDK. Runs are interleaved (the run loop is outermost) so all tools see the same
// drift; medians are reported with peak RSS from /usr/bin/time. Prints ratios against the targets.
//
// Environment: BENCH_RUNS (default 3), BENCH_SIZES (default "64M,1G"), BENCH_DIR (default a temp dir).
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {measureStartup} from './startup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
// Timed runs go through the launcher users get from npm (bin/kms-tui: glibc malloc tuning).
const launcher = path.join(root, 'bin', 'kms-tui');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const sizes = (process.env.BENCH_SIZES ?? '64M,1G')
	.split(',')
	.map((label) => ({label, bytes: parseSize(label)}));
const work = process.env.BENCH_DIR ?? mkdtempSync(path.join(tmpdir(), 'kms-tui-bench-'));
const jsonLimit = 64 * 1024 * 1024 - 1;

function parseSize(label) {
	const match = /^(\d+)([KMG])$/.exec(label);
	if (!match) throw new Error(`BENCH_SIZES: "${label}" is not like 64M or 1G`);
	return Number(match[1]) * {K: 1024, M: 1024 ** 2, G: 1024 ** 3}[match[2]];
}

function ensureAge() {
	if (spawnSync('age', ['--version']).status === 0) return true;
	console.error('bench: age is not installed; installing the Debian package…');
	const update = spawnSync('apt-get', ['update', '-qq'], {stdio: 'inherit'});
	const install =
		update.status === 0 &&
		spawnSync('apt-get', ['install', '-y', '-qq', 'age'], {stdio: 'inherit'});
	if (install && install.status === 0 && spawnSync('age', ['--version']).status === 0) return true;
	console.error('bench: could not install age; its rows are skipped.');
	return false;
}

function makeRandomFile(file, bytes) {
	if (existsSync(file)) return;
	const fd = openSync(file, 'w');
	const chunk = 16 * 1024 * 1024;
	for (let written = 0; written < bytes; written += chunk)
		writeSync(fd, randomBytes(Math.min(chunk, bytes - written)));
	closeSync(fd);
}

/** Runs a command under /usr/bin/time; returns wall seconds and peak RSS in MiB. */
function timed(command, args, env) {
	spawnSync('sync');
	// As in perf-anchors: let writeback from the previous command settle before timing the next.
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
	const started = process.hrtime.bigint();
	const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
		env: {...process.env, ...env},
		encoding: 'utf8',
		maxBuffer: 1 << 20,
	});
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
	const rssKb = Number(result.stderr.trim().split('\n').at(-1));
	return {seconds, rssMiB: rssKb / 1024};
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
};

// --- setup -------------------------------------------------------------------------------------
mkdirSync(work, {recursive: true});
const hasAge = ensureAge();
// The sandbox runs as its own process, as KMS is remote in real use: the CLI's time and memory
// are then its own (one HTTP round trip to GenerateDataKey or Decrypt per file).
const sandboxDir = path.join(work, 'sandbox');
const kmsEnv = {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'};
const server = spawn(
	process.execPath,
	[cli, 'sandbox', 'serve', '--port', '0', '--json', '--sandbox-dir', sandboxDir],
	{
		env: {...process.env, KMS_TUI_SANDBOX_STEP_MS: '0'},
		stdio: ['ignore', 'pipe', 'inherit'],
	},
);
const endpoint = await new Promise((resolve, reject) => {
	let output = '';
	server.stdout.on('data', (chunk) => {
		output += chunk;
		if (output.includes('\n')) resolve(JSON.parse(output.split('\n')[0]).endpoint);
	});
	server.once('exit', (code) => reject(new Error(`sandbox serve exited with ${code}`)));
});
// However the bench ends, the server goes with it.
process.on('exit', () => server.kill('SIGTERM'));
const target = ['--endpoint-url', endpoint];
const keyId = JSON.parse(
	execFileSync(
		process.execPath,
		[cli, ...target, 'deploy', '--yes', '--json', '--stack-name', 'Bench'],
		{env: {...process.env, ...kmsEnv}, encoding: 'utf8'},
	),
).stack.outputs.KeyId;
if (hasAge && !existsSync(path.join(work, 'age.key')))
	execFileSync('age-keygen', ['-o', path.join(work, 'age.key')], {stdio: 'ignore'});
const ageRecipient = hasAge
	? execFileSync('age-keygen', ['-y', path.join(work, 'age.key')], {encoding: 'utf8'}).trim()
	: '';

for (const size of sizes) {
	makeRandomFile(path.join(work, `in-${size.label}.bin`), size.bytes);
	makeRandomFile(path.join(work, `in-json-${size.label}.bin`), Math.min(size.bytes, jsonLimit));
}

/** Outputs go as soon as they are not needed: gigabytes of them would otherwise crowd the page cache. */
function drop(...files) {
	for (const file of files) rmSync(file, {force: true});
}

/** Every decrypt timed must give its input back, byte for byte. */
function verifyAndDrop(original, decrypted, ...others) {
	if (spawnSync('cmp', ['-s', original, decrypted]).status !== 0)
		throw new Error(`${decrypted} differs from ${original}`);
	drop(decrypted, ...others);
}

function cases(size) {
	const input = path.join(work, `in-${size.label}.bin`);
	const out = (name) => path.join(work, `out-${size.label}-${name}`);
	const kmsTui = (...args) => [launcher, [...target, '--key', keyId, ...args, '--force'], kmsEnv];
	// The same CLI started as `node dist/cli.js`, without the launcher's allocator settings.
	const bareNode = (...args) => [
		process.execPath,
		[cli, ...target, '--key', keyId, ...args, '--force'],
		kmsEnv,
	];
	const list = [
		{
			tool: 'cat',
			op: 'copy',
			bytes: size.bytes,
			run: () => ['sh', ['-c', `cat "${input}" > "${out('cat')}"`]],
			done: () => drop(out('cat')),
		},
		{
			tool: 'kms-tui binary',
			op: 'encrypt',
			bytes: size.bytes,
			run: () => kmsTui('encrypt', input, '-o', out('kt.kms')),
		},
		// The same work with the output thrown away: the tool's own speed, without the cost of
		// allocating a GiB of page cache for the output (see the note printed with the ratios).
		{
			tool: 'kms-tui binary → /dev/null',
			group: 'kms-tui binary',
			op: 'encrypt',
			bytes: size.bytes,
			run: () => kmsTui('encrypt', input, '-o', '/dev/null'),
		},
		{
			tool: 'kms-tui binary → /dev/null',
			group: 'kms-tui binary',
			op: 'decrypt',
			bytes: size.bytes,
			run: () => kmsTui('decrypt', out('kt.kms'), '-o', '/dev/null'),
		},
		{
			tool: 'kms-tui binary',
			op: 'decrypt',
			bytes: size.bytes,
			run: () => kmsTui('decrypt', out('kt.kms'), '-o', out('kt.dec')),
			done: () => verifyAndDrop(input, out('kt.dec'), out('kt.kms')),
		},
		{
			tool: 'kms-tui binary, node dist/cli.js',
			op: 'encrypt',
			bytes: size.bytes,
			run: () => bareNode('encrypt', input, '-o', out('kn.kms')),
		},
		{
			tool: 'kms-tui binary, node dist/cli.js',
			op: 'decrypt',
			bytes: size.bytes,
			run: () => bareNode('decrypt', out('kn.kms'), '-o', out('kn.dec')),
			done: () => verifyAndDrop(input, out('kn.dec'), out('kn.kms')),
		},
	];
	const jsonInput = path.join(work, `in-json-${size.label}.bin`);
	const jsonBytes = Math.min(size.bytes, jsonLimit);
	list.push(
		{
			tool: `kms-tui json${jsonBytes < size.bytes ? ' (64 MiB−1 B, its limit)' : ''}`,
			op: 'encrypt',
			bytes: jsonBytes,
			run: () => kmsTui('encrypt', jsonInput, '--format', 'json', '-o', out('kt.json')),
		},
		{
			tool: `kms-tui json${jsonBytes < size.bytes ? ' (64 MiB−1 B, its limit)' : ''}`,
			op: 'decrypt',
			bytes: jsonBytes,
			run: () => kmsTui('decrypt', out('kt.json'), '-o', out('kt.json.dec')),
			done: () => verifyAndDrop(jsonInput, out('kt.json.dec'), out('kt.json')),
		},
	);
	if (hasAge) {
		list.push(
			{
				tool: 'age',
				op: 'encrypt',
				bytes: size.bytes,
				run: () => ['age', ['-r', ageRecipient, '-o', out('age'), input]],
			},
			{
				tool: 'age → /dev/null',
				group: 'age',
				op: 'encrypt',
				bytes: size.bytes,
				run: () => ['age', ['-r', ageRecipient, '-o', '/dev/null', input]],
			},
			{
				tool: 'age → /dev/null',
				group: 'age',
				op: 'decrypt',
				bytes: size.bytes,
				run: () => ['age', ['-d', '-i', path.join(work, 'age.key'), '-o', '/dev/null', out('age')]],
			},
			{
				tool: 'age',
				op: 'decrypt',
				bytes: size.bytes,
				run: () => [
					'age',
					['-d', '-i', path.join(work, 'age.key'), '-o', out('age.dec'), out('age')],
				],
				done: () => drop(out('age'), out('age.dec')),
			},
		);
	}
	// The ESDK's fastest settings per perf-anchors: unsigned committing suite, 1 MiB frames.
	list.push(
		{
			tool: 'aws-encryption-sdk',
			op: 'encrypt',
			bytes: size.bytes,
			run: () => [
				process.execPath,
				[path.join(root, 'bench', 'esdk.mjs'), 'encrypt', input, out('esdk'), String(1024 * 1024)],
			],
		},
		{
			tool: 'aws-encryption-sdk',
			op: 'decrypt',
			bytes: size.bytes,
			run: () => [
				process.execPath,
				[path.join(root, 'bench', 'esdk.mjs'), 'decrypt', out('esdk'), out('esdk.dec'), '0'],
			],
			done: () => drop(out('esdk'), out('esdk.dec')),
		},
	);
	return list;
}

/**
 * The cases with the tools in a different order each run (a tool's encrypt still comes before its
 * decrypt). On this VM a write into memory the guest has not touched lately costs several times
 * one into memory just freed, so a fixed order would hand the same tool the cheap pages every run.
 */
function rotated(list, run) {
	const groups = [];
	for (const item of list) {
		const last = groups.at(-1);
		if (last && (last[0].group ?? last[0].tool) === (item.group ?? item.tool)) last.push(item);
		else groups.push([item]);
	}
	const shift = run % groups.length;
	return [...groups.slice(shift), ...groups.slice(0, shift)].flat();
}

const results = new Map();
for (let run = 0; run < runs; run++) {
	for (const size of sizes) {
		for (const item of rotated(cases(size), run)) {
			const [command, args, env] = item.run();
			const {seconds, rssMiB} = timed(command, args, env);
			item.done?.();
			const key = `${size.label}|${item.tool}|${item.op}`;
			const entry = results.get(key) ?? {
				size: size.label,
				tool: item.tool,
				op: item.op,
				bytes: item.bytes,
				rates: [],
				rss: 0,
			};
			entry.rates.push(item.bytes / 1e6 / seconds);
			entry.rss = Math.max(entry.rss, rssMiB);
			results.set(key, entry);
		}
	}
	console.error(`bench: run ${run + 1}/${runs} done`);
}

// --- report ------------------------------------------------------------------------------------
console.log(
	`\nkms-tui bench: ${runs} interleaved run(s), medians; MB/s = 10^6 plaintext bytes per second of wall time\n`,
);
console.log(
	`${'size'.padEnd(5)} ${'tool'.padEnd(36)} ${'op'.padEnd(8)} ${'MB/s'.padStart(8)} ${'peak RSS MiB'.padStart(13)}`,
);
for (const entry of results.values()) {
	entry.median = median(entry.rates);
	console.log(
		`${entry.size.padEnd(5)} ${entry.tool.padEnd(36)} ${entry.op.padEnd(8)} ${entry.median.toFixed(0).padStart(8)} ${entry.rss.toFixed(0).padStart(13)}`,
	);
}

const rate = (size, tool, op) => results.get(`${size}|${tool}|${op}`)?.median;
const largest = sizes.at(-1).label;
console.log(`\nRatios at ${largest} (kms-tui binary ÷ peer; target in brackets):`);
for (const op of ['encrypt', 'decrypt']) {
	const ours = rate(largest, 'kms-tui binary', op);
	const line = [
		['age', rate(largest, 'age', op), 1.0],
		['cat', rate(largest, 'cat', 'copy'), 0.8],
		['aws-encryption-sdk', rate(largest, 'aws-encryption-sdk', op), 4.0],
	]
		.filter(([, peer]) => peer)
		.map(
			([name, peer, target]) =>
				`${name} ${(ours / peer).toFixed(2)}× [≥ ${target}×] ${ours / peer >= target ? 'met' : 'MISSED'}`,
		);
	console.log(`  ${op.padEnd(8)} ${line.join('   ')}`);
}
{
	const ours = (op) => rate(largest, 'kms-tui binary → /dev/null', op);
	const age = (op) => rate(largest, 'age → /dev/null', op);
	if (ours('encrypt') && age('encrypt')) {
		console.log(
			`  → /dev/null, kms-tui ÷ age: encrypt ${(ours('encrypt') / age('encrypt')).toFixed(2)}×   decrypt ${(ours('decrypt') / age('decrypt')).toFixed(2)}×` +
				'  (the tools without the output file: on this VM, writing into page cache the guest has not\n' +
				'   touched lately costs several times a write into memory just freed, for every tool alike)',
		);
	}
}
const maxRss = Math.max(
	...[...results.values()]
		.filter((entry) => entry.tool === 'kms-tui binary')
		.map((entry) => entry.rss),
);
console.log(
	`  peak RSS of kms-tui binary at any size: ${maxRss.toFixed(0)} MiB [≤ 100 MiB] ${maxRss <= 100 ? 'met' : 'MISSED'}`,
);

const startup = await measureStartup(root);
if (startup) console.log(`\n${startup}`);

server.kill('SIGTERM');
if (!process.env.BENCH_DIR) rmSync(work, {recursive: true, force: true});
