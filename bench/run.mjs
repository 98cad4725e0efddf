// `npm run bench`: kms-tui's envelope speed against its peers, measured in the same run.
//
// Makes 64 MiB and 1 GiB random files, then times file → file encrypt and decrypt through the
// real CLI (a sandbox key, so one real GenerateDataKey / Decrypt over HTTP per file), and the same
// files through the I/O limit (`node -e 0` plus `dd bs=1M`: a process start and a copy), age
// (installed with apt-get if missing) and the AWS Encryption SDK. Runs are interleaved (the run
// loop is outermost) so all tools see the same drift; medians are reported with their spread, CPU
// time and peak RSS from /usr/bin/time. Prints ratios against the targets: each run's own ratio
// (same run, so the same drift), then their median and range.
//
// Environment: BENCH_RUNS (default 3; the targets are judged on ≥ 7), BENCH_SIZES (default
// "64M,1G"), BENCH_DIR (default a temp dir), BENCH_ONLY (comma-separated tool-name prefixes, e.g.
// "kms-tui binary,age,limit": only those rows).
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {makeRandomFile, parseSize} from './files.mjs';
import {serveSandbox} from './serve.mjs';
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

/** Runs a command under /usr/bin/time; returns wall and CPU (user + sys) seconds and peak RSS in MiB. */
function timed(command, args, env) {
	spawnSync('sync');
	// As in perf-anchors: let writeback from the previous command settle before timing the next.
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
	const started = process.hrtime.bigint();
	const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...args], {
		env: {...process.env, ...env},
		encoding: 'utf8',
		maxBuffer: 1 << 20,
	});
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
	const [user, sys, rssKb] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
	return {seconds, cpu: user + sys, rssMiB: rssKb / 1024};
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
const server = await serveSandbox(cli, sandboxDir);
const {endpoint} = server;
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
	// The key is named on encrypt only: decrypt finds it in the envelope.
	const withKey = (args) => (args[0] === 'encrypt' ? ['--key', keyId, ...args] : args);
	const kmsTui = (...args) => [launcher, [...target, ...withKey(args), '--force'], kmsEnv];
	// The same CLI started as `node dist/cli.js`, without the launcher's allocator settings.
	const bareNode = (...args) => [
		process.execPath,
		[cli, ...target, ...withKey(args), '--force'],
		kmsEnv,
	];
	const list = [
		// The limit: what starting Node and copying the file cost, with no crypto at all.
		{
			tool: 'limit',
			op: 'node -e 0',
			bytes: 0, // No MB/s: its time is added to dd's.
			run: () => [process.execPath, ['-e', '0']],
		},
		{
			tool: 'limit',
			op: 'dd bs=1M',
			bytes: size.bytes,
			run: () => ['dd', [`if=${input}`, `of=${out('dd')}`, 'bs=1M', 'status=none']],
			done: () => drop(out('dd')),
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
	const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
	return only ? list.filter((item) => only.some((name) => item.tool.startsWith(name))) : list;
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
			const {seconds, cpu, rssMiB} = timed(command, args, env);
			item.done?.();
			const key = `${size.label}|${item.tool}|${item.op}`;
			const entry = results.get(key) ?? {
				size: size.label,
				tool: item.tool,
				op: item.op,
				bytes: item.bytes,
				rates: [],
				seconds: [],
				cpu: [],
				rss: 0,
			};
			entry.rates.push(item.bytes / 1e6 / seconds);
			entry.seconds.push(seconds);
			entry.cpu.push(cpu);
			entry.rss = Math.max(entry.rss, rssMiB);
			results.set(key, entry);
		}
	}
	console.error(`bench: run ${run + 1}/${runs} done`);
}

// --- report ------------------------------------------------------------------------------------
const range = (values, digits) =>
	`[${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]`;
console.log(
	`\nkms-tui bench: ${runs} interleaved run(s); median [min–max]; MB/s = 10^6 plaintext bytes per second of wall time; CPU = user + sys seconds\n`,
);
console.log(
	`${'size'.padEnd(5)} ${'tool'.padEnd(36)} ${'op'.padEnd(9)} ${'MB/s'.padStart(16)} ${'wall s'.padStart(7)} ${'CPU s'.padStart(6)} ${'peak RSS MiB'.padStart(13)}`,
);
for (const entry of results.values()) {
	entry.median = median(entry.rates);
	const mbs = entry.bytes ? `${entry.median.toFixed(0)} ${range(entry.rates, 0)}` : '–';
	console.log(
		`${entry.size.padEnd(5)} ${entry.tool.padEnd(36)} ${entry.op.padEnd(9)} ${mbs.padStart(16)} ${median(entry.seconds).toFixed(2).padStart(7)} ${median(entry.cpu).toFixed(2).padStart(6)} ${entry.rss.toFixed(0).padStart(13)}`,
	);
}

const entryOf = (size, tool, op) => results.get(`${size}|${tool}|${op}`);
const largest = sizes.at(-1).label;
/**
 * Speed of `ours` over `peer` (its time ÷ ours) in each run, from the same run: the median of
 * those and their range say how stable the figure is. `peer` may be several entries timed back
 * to back (the limit: a Node start plus dd), their times added up.
 */
function runRatios(ours, peers) {
	if (!ours || peers.some((peer) => !peer)) return undefined;
	const ratios = ours.seconds.map(
		(seconds, run) => peers.reduce((sum, peer) => sum + peer.seconds[run], 0) / seconds,
	);
	return {median: median(ratios), text: `${median(ratios).toFixed(2)}× ${range(ratios, 2)}`};
}
console.log(
	`\nRatios at ${largest}, kms-tui binary's speed ÷ the peer's, per run then median [min–max] (target in brackets):`,
);
for (const op of ['encrypt', 'decrypt']) {
	const ours = entryOf(largest, 'kms-tui binary', op);
	const line = [
		['age', [entryOf(largest, 'age', op)], 1.5],
		['aws-encryption-sdk', [entryOf(largest, 'aws-encryption-sdk', op)], 4.0],
	]
		.map(([name, peers, target]) => [name, runRatios(ours, peers), target])
		.filter(([, ratio]) => ratio)
		.map(
			([name, ratio, target]) =>
				`${name} ${ratio.text} [≥ ${target}×] ${ratio.median >= target ? 'met' : 'MISSED'}`,
		);
	// How close to the limit: 1× would be a bare Node start plus a plain copy of the file.
	const limit = runRatios(ours, [
		entryOf(largest, 'limit', 'node -e 0'),
		entryOf(largest, 'limit', 'dd bs=1M'),
	]);
	if (limit) line.push(`limit (node -e 0 + dd bs=1M) ${limit.text}`);
	console.log(`  ${op.padEnd(8)} ${line.join('   ')}`);
}
for (const op of ['encrypt', 'decrypt']) {
	const ours = entryOf(largest, 'kms-tui binary', op);
	const age = entryOf(largest, 'age', op);
	if (ours && age) {
		console.log(
			`  ${op.padEnd(8)} CPU seconds, kms-tui binary ${median(ours.cpu).toFixed(2)} ${range(ours.cpu, 2)}, age ${median(age.cpu).toFixed(2)} ${range(age.cpu, 2)}`,
		);
	}
}
{
	const ratio = (op) =>
		runRatios(entryOf(largest, 'kms-tui binary → /dev/null', op), [
			entryOf(largest, 'age → /dev/null', op),
		]);
	if (ratio('encrypt') && ratio('decrypt')) {
		console.log(
			`  → /dev/null, kms-tui ÷ age: encrypt ${ratio('encrypt').text}   decrypt ${ratio('decrypt').text}` +
				'  (the tools without the output file: on this VM, writing into page cache the guest has not\n' +
				'   touched lately costs several times a write into memory just freed, for every tool alike)',
		);
	}
}
const ourRss = [...results.values()]
	.filter((entry) => entry.tool === 'kms-tui binary')
	.map((entry) => entry.rss);
if (ourRss.length > 0) {
	const maxRss = Math.max(...ourRss);
	console.log(
		`  peak RSS of kms-tui binary at any size: ${maxRss.toFixed(0)} MiB [≤ 100 MiB] ${maxRss <= 100 ? 'met' : 'MISSED'}`,
	);
}

const startup = await measureStartup(root);
if (startup) console.log(`\n${startup}`);
console.log(`\n${await (await import('./sandbox-load.mjs')).sandboxLoadReport()}`);

server.stop();
if (!process.env.BENCH_DIR) rmSync(work, {recursive: true, force: true});
await import('./esdk-format.mjs'); // The SDK's message format, kms-tui against the SDK (issue 12).
// Many small files in one command, against age in a shell loop and the SDK in one process (issue 13).
if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY.includes('many-files'))
	console.log(`\n${await (await import('./many-files.mjs')).manyFilesReport()}`);
