// Load bench of the sandbox store (issue 14): requests/s and per-request latency through the real
// AWS SDK against `kms-tui sandbox serve`, at several account sizes, and several server processes
// mutating one directory at once. Run alone (`node bench/sandbox-load.mjs`, after `npm run build`)
// or from bench/run.mjs.
//
// Accounts are filled through the store API (one transaction of N cloned keys and aliases, each
// with its own id and key material), not the SDK: 10,000 CreateKey+CreateAlias calls would take
// about as long as the whole bench. The server catches up from the journal like any process.
import {spawn} from 'node:child_process';
import {randomBytes, randomUUID} from 'node:crypto';
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {
	CreateAliasCommand,
	CreateKeyCommand,
	DecryptCommand,
	GenerateDataKeyCommand,
	KMSClient,
	ListAliasesCommand,
	ListKeysCommand,
} from '@aws-sdk/client-kms';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'kms-tui');
const credentials = {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'};
const region = 'us-east-1';

async function serve(dir) {
	// The launcher itself (a script that picks Node and its settings), as a user runs it.
	const child = spawn(cli, ['sandbox', 'serve', '--port', '0', '--json', '--sandbox-dir', dir], {
		stdio: ['ignore', 'pipe', 'inherit'],
		env: {...process.env, KMS_TUI_SANDBOX_STEP_MS: '0'},
	});
	const endpoint = await new Promise((resolve, reject) => {
		let output = '';
		child.stdout.on('data', (chunk) => {
			output += chunk.toString();
			const newline = output.indexOf('\n');
			if (newline >= 0) resolve(JSON.parse(output.slice(0, newline)).endpoint);
		});
		child.once('exit', (code) => reject(new Error(`sandbox serve exited with ${code}`)));
	});
	return {
		endpoint,
		pid: child.pid,
		client: new KMSClient({endpoint, region, credentials, maxAttempts: 1}),
		stop: async () => {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await exited;
		},
	};
}

/** Brings the account to `size` keys, each with one alias, cloned from a key the SDK created. */
async function seed(SandboxStore, dir, client, size) {
	const first = (await client.send(new CreateKeyCommand({Description: 'bench'}))).KeyMetadata.KeyId;
	await client.send(new CreateAliasCommand({AliasName: 'alias/bench-000000', TargetKeyId: first}));
	const store = new SandboxStore(dir);
	const started = performance.now();
	await store.transact((state) => {
		const kms = state.regions[region].kms;
		const template = JSON.parse(JSON.stringify(kms.keys[first]));
		const now = Date.now();
		for (let index = 1; index < size; index++) {
			const keyId = randomUUID();
			kms.keys[keyId] = {
				...template,
				keyId,
				arn: template.arn.replace(first, keyId),
				seq: kms.nextSeq++,
				materials: [
					{
						id: randomBytes(32).toString('hex'),
						material: randomBytes(32).toString('base64'),
						createdAt: now,
					},
				],
			};
			const aliasName = `alias/bench-${String(index).padStart(6, '0')}`;
			kms.aliases[aliasName] = {
				aliasName,
				targetKeyId: keyId,
				creationDate: now,
				lastUpdatedDate: now,
			};
		}
	});
	return {keyId: first, seedMs: performance.now() - started};
}

function summary(samples) {
	const sorted = [...samples].sort((a, b) => a - b);
	const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
	return {
		median: at(0.5),
		p95: at(0.95),
		total: samples.reduce((a, b) => a + b, 0),
		count: samples.length,
	};
}

async function listAll(client) {
	let marker;
	let count = 0;
	do {
		const page = await client.send(new ListAliasesCommand({Limit: 100, Marker: marker}));
		count += page.Aliases.length;
		marker = page.NextMarker;
	} while (marker);
	return count;
}

/** User + system CPU of a process so far, in ms (Linux /proc; undefined elsewhere). */
function cpuMs(pid) {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
	} catch {
		return undefined;
	}
}

async function prepare(SandboxStore, size) {
	const dir = mkdtempSync(path.join(tmpdir(), `kms-tui-load-${size}-`));
	const server = await serve(dir);
	const {client} = server;
	const {keyId, seedMs} = await seed(SandboxStore, dir, client, size);
	const blob = (await client.send(new GenerateDataKeyCommand({KeyId: keyId, KeySpec: 'AES_256'})))
		.CiphertextBlob;
	// Warm-up: the server's first request after the seed reads the journal.
	for (let index = 0; index < 20; index++) {
		await client.send(new DecryptCommand({CiphertextBlob: blob}));
	}
	return {
		size,
		dir,
		server,
		client,
		keyId,
		blob,
		seedMs,
		samples: {},
		cpu: {},
		aliases: 0,
		created: 0,
	};
}

const operations = {
	GenerateDataKey: (account) =>
		account.client.send(new GenerateDataKeyCommand({KeyId: account.keyId, KeySpec: 'AES_256'})),
	Decrypt: (account) => account.client.send(new DecryptCommand({CiphertextBlob: account.blob})),
	'CreateKey+CreateAlias': async (account) => {
		const created = (await account.client.send(new CreateKeyCommand({}))).KeyMetadata.KeyId;
		await account.client.send(
			new CreateAliasCommand({AliasName: `alias/load-${account.created++}`, TargetKeyId: created}),
		);
	},
	'ListAliases (all pages)': async (account) => {
		account.aliases = await listAll(account.client);
	},
};

/**
 * Every operation runs in rounds, and each round visits every account size in turn: the sizes
 * share the machine's drift (other work on a busy VM), and the medians compare like with like.
 */
async function measureSizes(SandboxStore, sizes, requests, rounds) {
	const accounts = [];
	for (const size of sizes) accounts.push(await prepare(SandboxStore, size));
	try {
		for (const [name, run] of Object.entries(operations)) {
			const perRound = name.startsWith('ListAliases') ? 2 : Math.ceil(requests / rounds);
			for (let round = 0; round < rounds; round++) {
				for (const account of accounts) {
					account.samples[name] ??= [];
					const before = cpuMs(account.server.pid);
					for (let index = 0; index < perRound; index++) {
						const started = performance.now();
						await run(account);
						account.samples[name].push(performance.now() - started);
					}
					const after = cpuMs(account.server.pid);
					if (before !== undefined && after !== undefined) {
						account.cpu[name] = (account.cpu[name] ?? 0) + (after - before);
					}
				}
			}
		}
		return accounts.map((account) => ({
			size: account.size,
			seedMs: account.seedMs,
			aliases: account.aliases,
			// The old store's state.json counts too, so the bench also measures an older build.
			bytes: ['state.snapshot', 'state.journal', 'state.json'].reduce(
				(sum, name) =>
					sum +
					(existsSync(path.join(account.dir, name))
						? statSync(path.join(account.dir, name)).size
						: 0),
				0,
			),
			results: Object.fromEntries(
				Object.entries(account.samples).map(([name, samples]) => [
					name,
					{...summary(samples), cpuPerRequest: (account.cpu[name] ?? Number.NaN) / samples.length},
				]),
			),
		}));
	} finally {
		for (const account of accounts) {
			await account.server.stop();
			rmSync(account.dir, {recursive: true, force: true});
		}
	}
}

async function measureProcesses(processes, mutations) {
	const dir = mkdtempSync(path.join(tmpdir(), `kms-tui-load-procs-`));
	const servers = await Promise.all(Array.from({length: processes}, () => serve(dir)));
	try {
		const started = performance.now();
		await Promise.all(
			servers.map(async ({client}, index) => {
				for (let n = 0; n < mutations; n++) {
					await client.send(new CreateKeyCommand({Description: `p${index}-${n}`}));
				}
			}),
		);
		const seconds = (performance.now() - started) / 1000;
		let marker;
		let keys = 0;
		do {
			const page = await servers[0].client.send(new ListKeysCommand({Limit: 1000, Marker: marker}));
			keys += page.Keys.length;
			marker = page.NextMarker;
		} while (marker);
		return {
			processes,
			mutations,
			keys,
			expected: processes * mutations,
			perSecond: (processes * mutations) / seconds,
		};
	} finally {
		await Promise.all(servers.map((server) => server.stop()));
		rmSync(dir, {recursive: true, force: true});
	}
}

const ms = (value) => `${value.toFixed(2)} ms`;

/** Runs the whole bench and returns its report as text. */
export async function sandboxLoadReport({
	sizes = [100, 1000, 2000, 10_000],
	requests = 300,
	rounds = 6,
	processes = [2, 4],
	mutations = 500,
} = {}) {
	const {SandboxStore} = await import(path.join(root, 'dist', 'sandbox', 'store.js'));
	const lines = [
		'sandbox store under load (real SDK → kms-tui sandbox serve, sequential requests, sizes interleaved;',
		'  server CPU = user + sys of the serve process per request, less sensitive to a busy machine than wall time)',
	];
	const bySize = await measureSizes(SandboxStore, sizes, requests, rounds);
	for (const measured of bySize) {
		lines.push(
			`  ${String(measured.size).padStart(6)} keys (seeded in ${measured.seedMs.toFixed(0)} ms, ${(measured.bytes / 1e6).toFixed(1)} MB on disk):`,
		);
		for (const [name, result] of Object.entries(measured.results)) {
			const listing = name.startsWith('ListAliases');
			const rate = listing ? '' : `  ${(result.count / (result.total / 1000)).toFixed(0)} req/s`;
			const extra = listing ? `  (${measured.aliases} aliases)` : '';
			lines.push(
				`      ${name.padEnd(24)} median ${ms(result.median)}  p95 ${ms(result.p95)}  server CPU ${ms(result.cpuPerRequest)}${rate}${extra}`,
			);
		}
	}
	const small = bySize[0];
	const large = bySize.at(-1);
	if (small && large && small !== large) {
		lines.push(`  latency at ${large.size} ÷ at ${small.size} keys, median (server CPU) [≤ 1.5×]:`);
		for (const name of ['GenerateDataKey', 'Decrypt', 'CreateKey+CreateAlias']) {
			const ratio = large.results[name].median / small.results[name].median;
			const cpu = large.results[name].cpuPerRequest / small.results[name].cpuPerRequest;
			lines.push(
				`      ${name.padEnd(24)} ${ratio.toFixed(2)}× (${cpu.toFixed(2)}×) ${ratio <= 1.5 ? 'met' : 'MISSED'}`,
			);
		}
	}
	const twoThousand = bySize.find((entry) => entry.size === 2000);
	if (twoThousand) {
		const listing = twoThousand.results['ListAliases (all pages)'].median;
		lines.push(
			`  listing ${twoThousand.aliases} aliases (${Math.ceil(twoThousand.aliases / 100)} pages of 100): ${ms(listing)} [< 200 ms] ${listing < 200 ? 'met' : 'MISSED'}`,
		);
	}
	for (const count of processes) {
		const result = await measureProcesses(count, mutations);
		const lost = result.expected - result.keys;
		lines.push(
			`  ${count} serve processes × ${mutations} CreateKey on one directory: ${result.keys} keys, ${lost} lost [0] ${lost === 0 ? 'met' : 'MISSED'}  (${result.perSecond.toFixed(0)} mutations/s in all)`,
		);
	}
	return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const quick = process.argv.includes('--quick');
	console.log(
		await sandboxLoadReport(
			quick
				? {sizes: [100, 2000], requests: 60, rounds: 3, processes: [2], mutations: 100}
				: undefined,
		),
	);
}
