import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SandboxStateError, SandboxStore} from '../../source/sandbox/store.js';

const run = promisify(execFile);
const fixture = path.resolve('test/fixtures/mutate-store.mjs');

describe('SandboxStore', () => {
	let dir: string;
	beforeEach(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-store-'));
	});
	afterEach(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	it('loses no update when two processes make 200 mutations each', async () => {
		await Promise.all([run('node', [fixture, dir, '200']), run('node', [fixture, dir, '200'])]);
		const state = await new SandboxStore(dir).read();
		expect(state.clockOffsetMs).toBe(400);
	});

	it('loses no update when one process runs concurrent transactions', async () => {
		const store = new SandboxStore(dir);
		await Promise.all(
			Array.from({length: 50}, () =>
				store.transact((state) => {
					state.clockOffsetMs += 1;
				}),
			),
		);
		expect((await store.read()).clockOffsetMs).toBe(50);
	});

	it('writes the state owner-only and leaves no temporary file behind', async () => {
		const store = new SandboxStore(dir);
		await store.transact((state) => {
			state.clockOffsetMs = 5;
		});
		for (const file of [store.snapshotFile, store.journalFile]) {
			expect((await stat(file)).mode & 0o777).toBe(0o600);
		}
		const {readdir} = await import('node:fs/promises');
		expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
	});

	it('writes nothing when the change throws', async () => {
		const store = new SandboxStore(dir);
		await store.transact((state) => {
			state.clockOffsetMs = 1;
		});
		await expect(
			store.transact((state) => {
				state.clockOffsetMs = 99;
				throw new Error('boom');
			}),
		).rejects.toThrow('boom');
		expect((await store.read()).clockOffsetMs).toBe(1);
	});

	it('refuses corrupt state with a clear error and leaves the file untouched', async () => {
		const store = new SandboxStore(dir);
		await writeFile(store.file, '{"format": "kms-tui-sandbox", "version": 1, "regio');
		await expect(store.read()).rejects.toBeInstanceOf(SandboxStateError);
		await expect(store.transact(() => undefined)).rejects.toThrow(/not valid JSON.*sandbox reset/s);
		expect(await readFile(store.file, 'utf8')).toBe(
			'{"format": "kms-tui-sandbox", "version": 1, "regio',
		);
	});

	it('refuses a JSON file that is not sandbox state', async () => {
		const store = new SandboxStore(dir);
		await writeFile(store.file, '{"hello": "world"}');
		await expect(store.read()).rejects.toThrow(/not kms-tui sandbox state/);
	});

	it('reset keeps the previous file as a backup, even when it was corrupt', async () => {
		const store = new SandboxStore(dir);
		await writeFile(store.file, 'garbage');
		await store.reset();
		expect(await readFile(`${store.file}.bak`, 'utf8')).toBe('garbage');
		expect((await store.read()).regions).toEqual({});
	});
});
