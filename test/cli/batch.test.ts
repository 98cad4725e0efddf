/**
 * Many files in one command, through the built CLI: directories with --recursive, a bad file in
 * the middle (the others done, the failure named, exit 1), the --json document, envelopes skipped
 * on encrypt, usage errors for -o and -, and a real SIGINT in the middle of a batch (every output
 * complete and decryptable, or absent; no temp file left). On the sandbox, and on moto for the
 * directory run when moto's server starts.
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cleanEnv, cliNode, cliPath, runCli} from '../helpers/cli.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';

const moto = await startMoto();
if ('skipped' in moto) console.warn(`[cli batch] moto skipped: ${moto.skipped}`);
const motoServer: MotoServer | undefined = 'server' in moto ? moto.server : undefined;
afterAll(async () => {
	await motoServer?.close();
});

const flavours = [
	{
		name: 'sandbox',
		target: (work: string) => ['--sandbox', '--sandbox-dir', path.join(work, 'sandbox')],
	},
	...(motoServer ? [{name: 'moto', target: () => ['--endpoint-url', motoServer.endpoint]}] : []),
];

/** Every file under `dir`, relative, sorted. */
async function listTree(dir: string): Promise<string[]> {
	const entries = await readdir(dir, {recursive: true, withFileTypes: true});
	return entries
		.filter((entry) => entry.isFile())
		.map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
		.sort();
}

describe.each(flavours)('many files on $name', ({name, target}) => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	const kms = (...args: string[]) => runCli([...target(work), ...args], {env, cwd: work});

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), `kms-tui-batch-${name}-`));
		env = cleanEnv(work);
		const deployed = await kms('deploy', '--yes', '--param', `AliasName=alias/batch-${name}`);
		expect(deployed.code, deployed.stderr).toBe(0);
		expect((await kms('outputs', '--write-env')).code).toBe(0);
	});
	afterAll(async () => {
		await rm(work, {recursive: true, force: true});
	});

	it('a directory with a bad envelope in the middle: the others decrypt, the bad one is named, exit 1', async () => {
		const contents = new Map<string, Buffer>();
		for (const file of ['a.txt', 'b.txt', 'c.txt', 'sub/d.txt', 'sub/e.txt']) {
			const data = randomBytes(1000 + contents.size);
			contents.set(file, data);
			await mkdir(path.dirname(path.join(work, 'tree', file)), {recursive: true});
			await writeFile(path.join(work, 'tree', file), data);
		}
		const encrypted = await kms('encrypt', '-r', 'tree');
		expect(encrypted.code, encrypted.stderr).toBe(0);
		expect(encrypted.stdout.trim().split('\n')).toEqual(
			['a.txt', 'b.txt', 'c.txt', 'sub/d.txt', 'sub/e.txt'].map((file) =>
				path.join('tree', `${file}.kms`),
			),
		);
		expect(encrypted.stderr).toContain('kms-tui: 5 encrypted\n');
		// c.txt.kms, in the middle of the walk, has one byte of its last frame flipped.
		const bad = path.join(work, 'tree', 'c.txt.kms');
		const envelope = await readFile(bad);
		envelope[envelope.length - 5] = (envelope[envelope.length - 5] ?? 0) ^ 1;
		await writeFile(bad, envelope);

		await mkdir(path.join(work, 'restored'));
		const decrypted = await kms('decrypt', '-r', 'tree', '-o', 'restored');
		expect(decrypted.code, decrypted.stderr).toBe(1);
		expect(decrypted.stderr).toMatch(/kms-tui: tree\/c\.txt\.kms: .*(modified|corrupt|tamper)/i);
		expect(decrypted.stderr).toContain('4 decrypted, 5 skipped (not an envelope), 1 failed');
		// The tree is mirrored under -o; nothing of the bad file, no temp file.
		expect(await listTree(path.join(work, 'restored'))).toEqual([
			'a.txt',
			'b.txt',
			path.join('sub', 'd.txt'),
			path.join('sub', 'e.txt'),
		]);
		for (const file of ['a.txt', 'b.txt', 'sub/d.txt', 'sub/e.txt']) {
			const back = await readFile(path.join(work, 'restored', file));
			expect(back.equals(contents.get(file) as Buffer), file).toBe(true);
		}
	});

	it('--json prints one document with each file’s outcome and a summary', async () => {
		await mkdir(path.join(work, 'j'));
		await writeFile(path.join(work, 'j', 'one.txt'), 'one');
		await writeFile(path.join(work, 'j', 'two.txt'), 'two!');
		const result = await kms('encrypt', '--json', 'j/one.txt', 'j/missing.txt', 'j/two.txt');
		expect(result.code, result.stderr).toBe(1);
		expect(result.stderr).toContain('kms-tui: j/missing.txt: no such file or directory');
		const document = JSON.parse(result.stdout) as {
			files: {path: string; status: string; reason?: string; output?: string; bytes?: number}[];
			summary: Record<string, number>;
		};
		expect(
			document.files.map(({path, status, reason, output, bytes}) => ({
				path,
				status,
				reason,
				output,
				bytes,
			})),
		).toEqual([
			{
				path: 'j/missing.txt',
				status: 'failed',
				reason: 'no such file or directory',
				output: undefined,
				bytes: undefined,
			},
			{path: 'j/one.txt', status: 'done', reason: undefined, output: 'j/one.txt.kms', bytes: 3},
			{path: 'j/two.txt', status: 'done', reason: undefined, output: 'j/two.txt.kms', bytes: 4},
		]);
		expect(document.summary).toMatchObject({done: 2, skipped: 0, failed: 1, bytes: 7});
		expect(typeof document.summary.seconds).toBe('number');
	});

	it('encrypt skips what already is an envelope or an SDK message, and says so', async () => {
		await mkdir(path.join(work, 's'));
		await writeFile(path.join(work, 's', 'plain.txt'), 'plain');
		await writeFile(path.join(work, 's', 'sdk.txt'), 'for the sdk');
		expect((await kms('encrypt', 's/sdk.txt', '--format', 'esdk')).code).toBe(0);
		await rm(path.join(work, 's', 'sdk.txt'));
		expect((await kms('encrypt', 's/plain.txt', '--format', 'json')).code).toBe(0);
		await rm(path.join(work, 's', 'plain.txt'));
		await writeFile(path.join(work, 's', 'new.txt'), 'new');
		const result = await kms('encrypt', '-r', 's');
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toBe('s/new.txt.kms\n');
		// Found in the walk: counted by reason in the summary, not listed one by one.
		expect(result.stderr).not.toContain('kms-tui: skipped');
		expect(result.stderr).toContain(
			'1 encrypted, 2 skipped (1 already a kms-tui envelope, 1 already an AWS Encryption SDK message)',
		);
		// Again: nothing new to do, and no `new.txt (1).kms`.
		const again = await kms('encrypt', '-r', 's');
		expect(again.code, again.stderr).toBe(0);
		expect(again.stdout).toBe('');
		// Named on the command line: a skip says why.
		const named = await kms('encrypt', 's/new.txt', 's/plain.txt.kms.json');
		expect(named.code, named.stderr).toBe(0);
		expect(named.stderr).toContain(
			'kms-tui: skipped s/new.txt: its output exists (--force replaces it)',
		);
		expect(named.stderr).toContain(
			'kms-tui: skipped s/plain.txt.kms.json: already a kms-tui envelope',
		);
		expect(again.stderr).toContain(
			'0 encrypted, 4 skipped (1 its output exists (--force replaces it), 2 already a kms-tui envelope, 1 already an AWS Encryption SDK message)',
		);
		expect(await listTree(path.join(work, 's'))).toEqual([
			'new.txt',
			'new.txt.kms',
			'plain.txt.kms.json',
			'sdk.txt.encrypted',
		]);
	});
});

describe('many files: usage and interruption on the sandbox', () => {
	let work: string;
	let env: NodeJS.ProcessEnv;
	const sandbox = () => ['--sandbox', '--sandbox-dir', path.join(work, 'sandbox')];
	const kms = (...args: string[]) => runCli([...sandbox(), ...args], {env, cwd: work});

	beforeAll(async () => {
		work = await mkdtemp(path.join(tmpdir(), 'kms-tui-batch-usage-'));
		env = cleanEnv(work);
		const deployed = await kms('deploy', '--yes', '--param', 'AliasName=alias/batch-usage');
		expect(deployed.code, deployed.stderr).toBe(0);
		expect((await kms('outputs', '--write-env')).code).toBe(0);
		await writeFile(path.join(work, 'a.txt'), 'a');
		await writeFile(path.join(work, 'b.txt'), 'b');
	});
	afterAll(async () => {
		await rm(work, {recursive: true, force: true});
	});

	it('-o with several inputs must be a directory; - goes alone; both exit 2 before any work', async () => {
		const toFile = await kms('encrypt', 'a.txt', 'b.txt', '-o', 'out.kms');
		expect(toFile.code).toBe(2);
		expect(toFile.stderr).toContain('-o must name an existing directory');
		const withStdin = await kms('encrypt', 'a.txt', '-');
		expect(withStdin.code).toBe(2);
		expect(withStdin.stderr).toContain('- (standard input) goes alone');
		expect((await readdir(work)).filter((file) => file.endsWith('.kms'))).toEqual([]);
	});

	it('a file that is no envelope: skipped under a directory, a failure when named', async () => {
		await mkdir(path.join(work, 'mixed'));
		await writeFile(path.join(work, 'mixed', 'notes.txt'), 'not encrypted');
		await writeFile(path.join(work, 'mixed', 'secret.txt'), 'encrypted');
		expect((await kms('encrypt', 'mixed/secret.txt')).code).toBe(0);
		const walked = await kms('inspect', '--json', '-r', 'mixed');
		expect(walked.code, walked.stderr).toBe(0);
		const document = JSON.parse(walked.stdout) as {
			files: {path: string; status: string; reason?: string; version?: number}[];
			summary: Record<string, number>;
		};
		expect(document.files.map(({path, status, reason}) => ({path, status, reason}))).toEqual([
			{path: 'mixed/notes.txt', status: 'skipped', reason: 'not an envelope'},
			{path: 'mixed/secret.txt', status: 'skipped', reason: 'not an envelope'},
			{path: 'mixed/secret.txt.kms', status: 'done', reason: undefined},
		]);
		expect(document.files[2]?.version).toBe(2);
		expect(document.summary).toMatchObject({done: 1, skipped: 2, failed: 0});

		const named = await kms('decrypt', 'mixed/notes.txt', 'mixed/secret.txt.kms', '-o', 'mixed');
		expect(named.code).toBe(1);
		expect(named.stderr).toMatch(/kms-tui: mixed\/notes\.txt: not a valid kms-tui envelope/);
		// secret.txt is there already: the default name steps aside, as for one file.
		expect(named.stdout).toBe('mixed/secret (1).txt\n');
	});

	it('a directory without --recursive is named as a failure', async () => {
		await mkdir(path.join(work, 'd'));
		const result = await kms('inspect', 'd');
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('kms-tui: d: is a directory: add --recursive (-r) to enter it');
	});

	it('a reader of the paths that goes away stops the batch cleanly (exit 141, no temp file)', async () => {
		const dir = path.join(work, 'piped');
		await mkdir(dir);
		for (let i = 0; i < 400; i++) await writeFile(path.join(dir, `p${i}.txt`), `piped ${i}\n`);
		const child = spawn(cliNode, [cliPath, ...sandbox(), 'encrypt', '-r', 'piped'], {
			cwd: work,
			env,
		});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
		// `| head -1`: the first path read, then the pipe closed.
		await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
		child.stdout.destroy();
		expect(await exited).toBe(141);
		expect(stderr).toContain('standard output was closed');
		const names = await readdir(dir);
		expect(names.filter((name) => name.startsWith('.'))).toEqual([]);
		expect(names.filter((name) => name.endsWith('.kms')).length).toBeLessThan(400);
	});

	it('SIGINT during a batch leaves every output complete and decryptable, or absent; no temp file', async () => {
		const dir = path.join(work, 'many');
		await mkdir(dir);
		const count = 400;
		for (let i = 0; i < count; i++) {
			await writeFile(path.join(dir, `f${String(i).padStart(3, '0')}.txt`), `file ${i}\n`);
		}
		const child = spawn(cliNode, [cliPath, ...sandbox(), 'encrypt', '-r', 'many'], {
			cwd: work,
			env,
		});
		let stdout = '';
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
		// The first path written: the batch is under way. Interrupt it there.
		await new Promise<void>((resolve) => {
			child.stdout.on('data', (chunk: Buffer) => {
				stdout += chunk.toString();
				if (stdout.includes('\n')) resolve();
			});
		});
		child.kill('SIGINT');
		expect(await exited).toBe(130);
		expect(stderr).toMatch(/encrypted.*not started — interrupted by SIGINT/);
		const names = await readdir(dir);
		expect(names.filter((name) => name.includes('.tmp') || name.startsWith('.'))).toEqual([]);
		const envelopes = names.filter((name) => name.endsWith('.kms')).sort();
		expect(envelopes.length).toBeGreaterThan(0);
		expect(envelopes.length).toBeLessThan(count);
		// Every path printed is there, and every envelope there was printed.
		expect(stdout.trim().split('\n').sort()).toEqual(envelopes.map((name) => `many/${name}`));
		// Every envelope left is complete: all of them decrypt to their file.
		await mkdir(path.join(work, 'back'));
		const back = await kms('decrypt', ...envelopes.map((name) => `many/${name}`), '-o', 'back');
		expect(back.code, back.stderr).toBe(0);
		for (const name of envelopes) {
			const plain = name.slice(0, -'.kms'.length);
			expect(await readFile(path.join(work, 'back', plain), 'utf8')).toBe(
				await readFile(path.join(dir, plain), 'utf8'),
			);
		}
	});
});
