// Many small files (issue 13 item 2): 1,000 files of 4 KiB encrypted, then decrypted, in ONE
// kms-tui command each (`encrypt -r DIR -o OUT`, `decrypt -r OUT -o BACK`), against
//   - age in a shell loop, one process per file (what a user of age writes for a directory), and
//   - @aws-crypto/client-node in ONE Node process with a KMS keyring on the same sandbox, one data
//     key per file (no caching CMM), 8 files in flight (as kms-tui: the strongest fair peer).
// kms-tui and the SDK both ask the same `kms-tui sandbox serve` (its own process, reached over
// HTTP as AWS would be) for a data key per file; age has no KMS at all. The sandbox's CPU time
// is read from /proc around each command, so the report says how much of a run is the sandbox
// (each request is one locked, journalled, fsynced transaction).
//
// Runs are interleaved (the tools in a different order each run); medians with [min–max] of wall
// time, CPU of the command (user + sys, children included) and CPU of the sandbox; ratios per run.
// Every run's decrypted files are compared with the inputs.
//
// Usage: node bench/many-files.mjs          (or from bench/run.mjs)
//   BENCH_FILES (default 1000), BENCH_FILE_BYTES (default 4096), BENCH_RUNS (default 3),
//   BENCH_DIR (default a temp dir), BENCH_ONLY (run.mjs's filter: this part runs when unset or
//   when it names many-files)
// Peer mode (used by the bench itself): node bench/many-files.mjs sdk encrypt|decrypt IN OUT ENDPOINT KEY
import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import {readdir, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {createSandboxKey, sandboxCredentials, serveSandbox} from './serve.mjs';

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..');
const credentials = sandboxCredentials;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The SDK side: every file of IN into OUT, in this one process, 8 at a time, a data key each. */
async function sdkPeer([operation, input, output, endpoint, keyId]) {
	const {buildClient, CommitmentPolicy, KmsKeyringNode, AlgorithmSuiteIdentifier} = await import(
		'@aws-crypto/client-node'
	);
	const {KMS} = await import('@aws-sdk/client-kms');
	const kms = new KMS({endpoint, region: 'us-east-1', credentials});
	const keyring = new KmsKeyringNode({generatorKeyId: keyId, clientProvider: () => kms});
	const {encrypt, decrypt} = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
	const names = (await readdir(input)).sort();
	let next = 0;
	const lane = async () => {
		while (next < names.length) {
			const name = names[next++];
			const data = await readFile(path.join(input, name));
			if (operation === 'encrypt') {
				// The unsigned committing suite: the SDK's fastest, as in run.mjs (kms-tui's binary
				// format is unsigned too).
				const {result} = await encrypt(keyring, data, {
					suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
				});
				await writeFile(path.join(output, `${name}.encrypted`), result);
			} else {
				const {plaintext} = await decrypt(keyring, data);
				await writeFile(path.join(output, name.replace(/\.encrypted$/, '')), plaintext);
			}
		}
	};
	await Promise.all(Array.from({length: 8}, lane));
	kms.destroy();
}

/** CPU seconds (user + sys) a process has used so far, from /proc (Linux); undefined elsewhere. */
function processCpu(pid) {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		const ticks = Number(fields[11]) + Number(fields[12]);
		return ticks / 100; // USER_HZ is 100 on Linux
	} catch {
		return undefined;
	}
}

/** Wall and CPU (user + sys, children included) seconds of one command; the sandbox's CPU too. */
function timed(command, args, serverPid) {
	spawnSync('sync');
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
	const serverBefore = processCpu(serverPid);
	const started = process.hrtime.bigint();
	const result = spawnSync('/usr/bin/time', ['-f', '%U %S', command, ...args], {
		env: {...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
		encoding: 'utf8',
		maxBuffer: 16 << 20,
	});
	const wall = Number(process.hrtime.bigint() - started) / 1e9;
	const serverAfter = processCpu(serverPid);
	if (result.status !== 0) {
		throw new Error(
			`${command} ${args.slice(0, 4).join(' ')}… failed: ${result.stderr.slice(-800)}`,
		);
	}
	const [user, sys] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
	const sandboxCpu =
		serverBefore === undefined || serverAfter === undefined
			? undefined
			: serverAfter - serverBefore;
	return {wall, cpu: user + sys, sandboxCpu};
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
};
const range = (values, digits) =>
	`[${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]`;

/** Every file of `original` is in `copy`, byte for byte (names may carry a suffix to strip). */
function sameTree(original, copy) {
	const names = readdirSync(original);
	const got = readdirSync(copy);
	if (got.length !== names.length) return `${copy} holds ${got.length} files, not ${names.length}`;
	for (const name of names) {
		const a = readFileSync(path.join(original, name));
		const b = readFileSync(path.join(copy, name));
		if (!a.equals(b)) return `${path.join(copy, name)} differs from its input`;
	}
	return undefined;
}

export async function manyFilesReport() {
	const cli = path.join(root, 'dist', 'cli.js');
	const launcher = path.join(root, 'bin', 'kms-tui');
	const files = Number(process.env.BENCH_FILES ?? 1000);
	const fileBytes = Number(process.env.BENCH_FILE_BYTES ?? 4096);
	const runs = Number(process.env.BENCH_RUNS ?? 3);
	const work = process.env.BENCH_DIR
		? path.join(process.env.BENCH_DIR, 'many-files')
		: mkdtempSync(path.join(tmpdir(), 'kms-tui-bench-many-'));
	mkdirSync(work, {recursive: true});

	const server = await serveSandbox(cli, path.join(work, 'sandbox'));
	const {endpoint} = server;
	const stopServer = server.stop;
	const keyArn = await createSandboxKey(endpoint);

	const hasAge = spawnSync('age', ['--version']).status === 0;
	if (!hasAge)
		console.error(
			'bench many-files: age is not installed (run.mjs installs it); its rows are skipped.',
		);
	const ageKey = path.join(work, 'age.key');
	if (hasAge && !existsSync(ageKey)) spawnSync('age-keygen', ['-o', ageKey], {stdio: 'ignore'});
	const ageRecipient = hasAge
		? spawnSync('age-keygen', ['-y', ageKey], {encoding: 'utf8'}).stdout.trim()
		: '';

	const input = path.join(work, 'in');
	if (!existsSync(input) || readdirSync(input).length !== files) {
		rmSync(input, {recursive: true, force: true});
		mkdirSync(input);
		for (let i = 0; i < files; i++) {
			writeFileSync(path.join(input, `f${String(i).padStart(5, '0')}.bin`), randomBytes(fileBytes));
		}
	}
	const dir = (name) => path.join(work, name);
	const fresh = (...names) => {
		for (const name of names) {
			rmSync(dir(name), {recursive: true, force: true});
			mkdirSync(dir(name));
		}
	};
	const sh = (script) => ['sh', ['-c', script]];
	const quote = (text) => `'${text.replaceAll("'", "'\\''")}'`;
	const target = ['--endpoint-url', endpoint];
	const groups = [
		{
			tool: 'kms-tui (one command)',
			encrypt: () => [
				launcher,
				[...target, 'encrypt', '-r', input, '-o', dir('kt'), '--key', keyArn],
			],
			decrypt: () => [launcher, [...target, 'decrypt', '-r', dir('kt'), '-o', dir('kt.back')]],
			before: () => fresh('kt', 'kt.back'),
			check: () => sameTree(input, dir('kt.back')),
		},
		...(hasAge
			? [
					{
						tool: 'age (shell loop)',
						encrypt: () =>
							sh(
								`for f in ${quote(input)}/*; do age -r ${ageRecipient} -o ${quote(dir('age'))}/"$(basename "$f")".age "$f" || exit 1; done`,
							),
						decrypt: () =>
							sh(
								`for f in ${quote(dir('age'))}/*.age; do n="$(basename "$f" .age)"; age -d -i ${quote(ageKey)} -o ${quote(dir('age.back'))}/"$n" "$f" || exit 1; done`,
							),
						before: () => fresh('age', 'age.back'),
						check: () => sameTree(input, dir('age.back')),
					},
				]
			: []),
		{
			tool: 'aws-encryption-sdk (one process)',
			encrypt: () => [
				process.execPath,
				[here, 'sdk', 'encrypt', input, dir('sdk'), endpoint, keyArn],
			],
			decrypt: () => [
				process.execPath,
				[here, 'sdk', 'decrypt', dir('sdk'), dir('sdk.back'), endpoint, keyArn],
			],
			before: () => fresh('sdk', 'sdk.back'),
			check: () => sameTree(input, dir('sdk.back')),
		},
	];

	const results = new Map();
	for (let run = 0; run < runs; run++) {
		const shift = run % groups.length;
		for (const group of [...groups.slice(shift), ...groups.slice(0, shift)]) {
			group.before();
			for (const op of ['encrypt', 'decrypt']) {
				const [command, args] = group[op]();
				const measured = timed(command, args, server.pid);
				const key = `${group.tool}|${op}`;
				const entry = results.get(key) ?? {tool: group.tool, op, wall: [], cpu: [], sandbox: []};
				entry.wall.push(measured.wall);
				entry.cpu.push(measured.cpu);
				if (measured.sandboxCpu !== undefined) entry.sandbox.push(measured.sandboxCpu);
				results.set(key, entry);
			}
			const problem = group.check();
			if (problem) throw new Error(`bench many-files: ${group.tool}: ${problem}`);
		}
		console.error(`bench many-files: run ${run + 1}/${runs} done`);
	}
	stopServer();
	if (!process.env.BENCH_DIR) rmSync(work, {recursive: true, force: true});

	const lines = [
		`Many files: ${files} files of ${fileBytes} bytes, encrypt then decrypt; ${runs} interleaved run(s); median [min–max]`,
		'  (kms-tui and the SDK: one data key per file from the same sandbox, its own process; age: no KMS)',
		'  (kms-tui writes each output to a temp file, fdatasyncs it and links it into place, never over an',
		'   existing file; the SDK peer and age write in place, neither atomically nor durably)',
		'',
		`  ${'tool'.padEnd(34)} ${'op'.padEnd(8)} ${'wall s'.padStart(17)} ${'files/s'.padStart(8)} ${'CPU s'.padStart(6)} ${'sandbox CPU s'.padStart(14)}`,
	];
	for (const entry of results.values()) {
		const sandbox = entry.sandbox.length > 0 ? median(entry.sandbox).toFixed(2) : '–';
		lines.push(
			`  ${entry.tool.padEnd(34)} ${entry.op.padEnd(8)} ${`${median(entry.wall).toFixed(2)} ${range(entry.wall, 2)}`.padStart(17)} ${(files / median(entry.wall)).toFixed(0).padStart(8)} ${median(entry.cpu).toFixed(2).padStart(6)} ${sandbox.padStart(14)}`,
		);
	}
	lines.push(
		'',
		'  kms-tui’s speed ÷ the peer’s (its wall time ÷ ours), per run, then median [min–max] (target > 1×):',
	);
	const ours = groups[0].tool;
	for (const op of ['encrypt', 'decrypt']) {
		const mine = results.get(`${ours}|${op}`);
		const parts = [];
		for (const group of groups.slice(1)) {
			const peer = results.get(`${group.tool}|${op}`);
			const ratios = mine.wall.map((wall, run) => peer.wall[run] / wall);
			parts.push(
				`${group.tool} ${median(ratios).toFixed(2)}× ${range(ratios, 2)} ${median(ratios) > 1 ? 'met' : 'MISSED'}`,
			);
		}
		lines.push(`    ${op.padEnd(8)} ${parts.join('   ')}`);
	}
	return lines.join('\n');
}

const invokedAs = process.argv[1] && path.resolve(process.argv[1]) === here;
if (invokedAs && process.argv[2] === 'sdk') {
	await sdkPeer(process.argv.slice(3));
} else if (invokedAs) {
	console.log(await manyFilesReport());
}
