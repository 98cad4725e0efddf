// The AWS Encryption SDK's own message format, in `npm run bench` (issue 12 item 6): kms-tui
// encrypting and decrypting SDK messages against @aws-crypto/client-node doing the same, same
// files, same run, both suites (0x0478 unsigned, 0x0578 signed) and 4 KiB / 1 MiB frames.
//
// Both sides use a KMS keyring on one `kms-tui sandbox serve` endpoint (its own process, reached
// over HTTP as AWS would be): kms-tui reads only aws-kms data keys, so the SDK's messages must be
// made with a KMS keyring to be decryptable by both, and both then pay one KMS round trip per file.
// (bench/esdk.mjs, the raw-AES peer of run.mjs, would make messages kms-tui cannot open.) The decrypt
// rows open the same SDK-made message with both tools; each kms-tui message is also checked once
// with the SDK (interop at size).
//
// Usage: node bench/esdk-format.mjs          (or from bench/run.mjs)
//   BENCH_SIZES (default "64M"; e.g. "64M,1G"), BENCH_RUNS (default 3), BENCH_DIR (default a temp dir),
//   BENCH_ONLY (run.mjs's filter: this part runs when unset or when it names esdk-format)
// Peer mode (used by the bench itself): node bench/esdk-format.mjs sdk encrypt|decrypt IN OUT FRAME SUITE ENDPOINT KEY
import {spawnSync} from 'node:child_process';
import {createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {pipeline} from 'node:stream/promises';
import {fileURLToPath} from 'node:url';
import {makeRandomFile, parseSize} from './files.mjs';
import {createSandboxKey, sandboxCredentials, serveSandbox} from './serve.mjs';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..');
const credentials = sandboxCredentials;
const suites = {unsigned: 0x0478, signed: 0x0578};

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The SDK side as its own process: streaming file → file with a KMS keyring, as a user would. */
async function sdkPeer([operation, input, output, frame, suite, endpoint, keyId]) {
	const {buildClient, CommitmentPolicy, KmsKeyringNode} = await import('@aws-crypto/client-node');
	const {KMS} = await import('@aws-sdk/client-kms');
	const kms = new KMS({endpoint, region: 'us-east-1', credentials});
	const keyring = new KmsKeyringNode({generatorKeyId: keyId, clientProvider: () => kms});
	const {encryptStream, decryptStream, decryptUnsignedMessageStream} = buildClient(
		CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
	);
	const transform =
		operation === 'encrypt'
			? encryptStream(keyring, {suiteId: suites[suite], frameLength: Number(frame)})
			: suite === 'signed'
				? decryptStream(keyring)
				: decryptUnsignedMessageStream(keyring);
	await pipeline(
		createReadStream(input, {highWaterMark: 1024 * 1024}),
		transform,
		createWriteStream(output),
	);
	kms.destroy();
}

/** Wall, user and sys seconds and peak RSS (MiB) of one command, after writeback settled. */
function timed(command, args) {
	spawnSync('sync');
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
	const started = process.hrtime.bigint();
	const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...args], {
		env: {...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
		encoding: 'utf8',
		maxBuffer: 1 << 20,
	});
	const wall = Number(process.hrtime.bigint() - started) / 1e9;
	if (result.status !== 0) {
		return {
			failed: `${path.basename(command)} ${args.slice(0, 3).join(' ')}…: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
		};
	}
	const [user, sys, rssKb] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
	return {wall, cpu: user + sys, rssMiB: rssKb / 1024};
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
};

function same(a, b) {
	return spawnSync('cmp', ['-s', a, b]).status === 0;
}

async function bench() {
	const cli = path.join(root, 'dist', 'cli.js');
	const launcher = path.join(root, 'bin', 'kms-tui');
	const runs = Number(process.env.BENCH_RUNS ?? 3);
	const sizes = (process.env.BENCH_SIZES ?? '64M')
		.split(',')
		.map((label) => ({label, bytes: parseSize(label)}));
	const work = process.env.BENCH_DIR
		? path.join(process.env.BENCH_DIR, 'esdk-format')
		: mkdtempSync(path.join(tmpdir(), 'kms-tui-bench-esdk-'));
	mkdirSync(work, {recursive: true});

	const server = await serveSandbox(cli, path.join(work, 'sandbox'));
	const {endpoint} = server;
	const stopServer = server.stop;
	const keyArn = await createSandboxKey(endpoint);

	for (const size of sizes) makeRandomFile(path.join(work, `in-${size.label}.bin`), size.bytes);
	// Only encrypt takes --key: decrypt finds the key in the message.
	const kmsTui = (operation, ...args) => [
		launcher,
		[
			'--endpoint-url',
			endpoint,
			operation,
			...(operation === 'encrypt' ? ['--key', keyArn] : []),
			...args,
			'--force',
		],
	];
	const sdk = (...args) => [process.execPath, [here, 'sdk', ...args, endpoint, keyArn]];

	/** Per size, suite and frame: both encrypt, then both decrypt the SDK's message. */
	function cases(size) {
		const input = path.join(work, `in-${size.label}.bin`);
		const list = [];
		for (const suite of Object.keys(suites)) {
			for (const frame of [4096, 1024 * 1024]) {
				const tag = `${suite}-${frame}`;
				const out = (name) => path.join(work, `out-${size.label}-${tag}-${name}`);
				const group = `${suite} ${frame === 4096 ? '4 KiB' : '1 MiB'}`;
				list.push(
					{
						group,
						tool: 'kms-tui',
						op: 'encrypt',
						run: () =>
							kmsTui(
								'encrypt',
								input,
								'--format',
								'esdk',
								'--esdk-suite',
								suite,
								'--frame-size',
								String(frame),
								'-o',
								out('kt'),
							),
						// Interop at size, untimed: the SDK must open what kms-tui wrote.
						check: () => {
							const opened = timed(...sdk('decrypt', out('kt'), out('kt.sdk'), frame, suite));
							const ok = !opened.failed && same(input, out('kt.sdk'));
							rmSync(out('kt.sdk'), {force: true});
							rmSync(out('kt'), {force: true});
							return ok
								? undefined
								: `the SDK could not decrypt kms-tui's message (${opened.failed ?? 'different bytes'})`;
						},
					},
					{
						group,
						tool: 'aws-encryption-sdk',
						op: 'encrypt',
						run: () => sdk('encrypt', input, out('sdk'), frame, suite),
					},
					{
						group,
						tool: 'kms-tui',
						op: 'decrypt',
						run: () => kmsTui('decrypt', out('sdk'), '-o', out('sdk.kt')),
						check: () => {
							const ok = same(input, out('sdk.kt'));
							rmSync(out('sdk.kt'), {force: true});
							return ok ? undefined : 'kms-tui decrypt gave different bytes';
						},
					},
					{
						group,
						tool: 'aws-encryption-sdk',
						op: 'decrypt',
						run: () => sdk('decrypt', out('sdk'), out('sdk.sdk'), frame, suite),
						check: () => {
							const ok = same(input, out('sdk.sdk'));
							rmSync(out('sdk.sdk'), {force: true});
							rmSync(out('sdk'), {force: true});
							return ok ? undefined : 'the SDK gave different bytes';
						},
					},
				);
			}
		}
		return list;
	}

	const results = new Map();
	for (let run = 0; run < runs; run++) {
		for (const size of sizes) {
			const list = cases(size);
			// Interleaved: the groups in a different order each run (within a group the order is fixed).
			const groups = [...new Set(list.map((item) => item.group))];
			const shift = run % groups.length;
			const order = [...groups.slice(shift), ...groups.slice(0, shift)];
			for (const group of order) {
				for (const item of list.filter((entry) => entry.group === group)) {
					const [command, args] = item.run();
					const measured = timed(command, args);
					const problem = measured.failed ?? item.check?.();
					const key = `${size.label}|${item.group}|${item.tool}|${item.op}`;
					const entry = results.get(key) ?? {
						size,
						...item,
						rates: [],
						cpu: [],
						rss: 0,
						problems: [],
					};
					if (problem) entry.problems.push(problem);
					else {
						entry.rates.push(size.bytes / 1e6 / measured.wall);
						entry.cpu.push(measured.cpu);
						entry.rss = Math.max(entry.rss, measured.rssMiB);
					}
					results.set(key, entry);
				}
			}
		}
		console.error(`bench esdk-format: run ${run + 1}/${runs} done`);
	}
	stopServer();

	console.log(
		`\nAWS Encryption SDK message format: ${runs} interleaved run(s); MB/s = 10^6 plaintext bytes per wall second (median, min–max); CPU = user+sys s (median)\n`,
	);
	console.log(
		`${'size'.padEnd(5)} ${'suite, frames'.padEnd(17)} ${'tool'.padEnd(19)} ${'op'.padEnd(8)} ${'MB/s'.padStart(6)} ${'min–max'.padStart(11)} ${'CPU s'.padStart(6)} ${'RSS MiB'.padStart(8)}`,
	);
	for (const entry of results.values()) {
		entry.median = entry.rates.length > 0 ? median(entry.rates) : undefined;
		const spread =
			entry.rates.length > 0
				? `${Math.min(...entry.rates).toFixed(0)}–${Math.max(...entry.rates).toFixed(0)}`
				: '';
		const line = `${entry.size.label.padEnd(5)} ${entry.group.padEnd(17)} ${entry.tool.padEnd(19)} ${entry.op.padEnd(8)} ${(entry.median?.toFixed(0) ?? '—').padStart(6)} ${spread.padStart(11)} ${(entry.cpu.length > 0 ? median(entry.cpu).toFixed(2) : '—').padStart(6)} ${(entry.rss > 0 ? entry.rss.toFixed(0) : '—').padStart(8)}`;
		console.log(entry.problems.length > 0 ? `${line}   FAILED: ${entry.problems[0]}` : line);
	}

	const largest = sizes.at(-1).label;
	const rate = (group, tool, op) => results.get(`${largest}|${group}|${tool}|${op}`)?.median;
	const ratio = (group, op) => {
		const ours = rate(group, 'kms-tui', op);
		const theirs = rate(group, 'aws-encryption-sdk', op);
		return ours && theirs ? ours / theirs : undefined;
	};
	console.log(`\nRatios at ${largest}, kms-tui ÷ aws-encryption-sdk (target in brackets):`);
	for (const group of [...new Set([...results.values()].map((entry) => entry.group))]) {
		const target = (op) =>
			(op === 'encrypt' && group.endsWith('1 MiB')) || (op === 'decrypt' && group.endsWith('4 KiB'))
				? 4
				: undefined;
		const parts = ['encrypt', 'decrypt'].map((op) => {
			const value = ratio(group, op);
			if (value === undefined) return `${op} —`;
			const goal = target(op);
			return `${op} ${value.toFixed(2)}×${goal ? ` [≥ ${goal}×] ${value >= goal ? 'met' : 'MISSED'}` : ''}`;
		});
		console.log(`  ${group.padEnd(16)} ${parts.join('   ')}`);
	}
	if (!sizes.some((size) => size.bytes >= 1024 ** 3)) {
		console.log('  (the targets are for 1 GiB: BENCH_SIZES=1G node bench/esdk-format.mjs)');
	}
	const peak = Math.max(
		0,
		...[...results.values()].filter((entry) => entry.tool === 'kms-tui').map((entry) => entry.rss),
	);
	console.log(
		`  peak RSS of kms-tui on SDK messages: ${peak.toFixed(0)} MiB [≤ 100 MiB] ${peak <= 100 ? 'met' : 'MISSED'}`,
	);
	if (!process.env.BENCH_DIR) rmSync(work, {recursive: true, force: true});
}

// Last, so that every const above is initialised when the top-level await runs. From run.mjs,
// BENCH_ONLY (its row filter) skips this part unless it names esdk-format.
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
if (process.argv[2] === 'sdk') await sdkPeer(process.argv.slice(3));
else if (!only || only.some((name) => name.startsWith('esdk-format'))) await bench();
