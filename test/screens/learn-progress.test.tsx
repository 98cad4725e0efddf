/**
 * The Learn progress file (source/learn/progress.ts) with real files: where it lives, what it
 * keeps, and that anything it did not write reads as no progress instead of breaking the list.
 */
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises';
import {homedir, tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {
	type LessonProgress,
	progressFile,
	readProgress,
	saveLessonProgress,
} from '../../source/learn/progress.js';
import {stateDir, targetIdentity as targetOf} from '../../source/state-dir.js';

let dir: string | undefined;
afterEach(async () => {
	if (dir) await rm(dir, {recursive: true, force: true});
	dir = undefined;
});

async function tempFile(): Promise<string> {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-learn-progress-'));
	return path.join(dir, 'state', 'learn.json');
}

const entry = (done: number): LessonProgress => ({
	done,
	keyRef: 'alias/demo',
	target: 'sandbox us-east-1 /tmp/sandbox',
	results: [{rows: [{label: 'Sent to KMS', value: '4096 bytes of plaintext'}]}],
	carry: {keyArn: 'arn:aws:kms:us-east-1:000000000000:key/k'},
});

describe('Learn progress file', () => {
	it('lives in KMS_TUI_STATE_DIR, else the XDG state dir', () => {
		expect(progressFile({KMS_TUI_STATE_DIR: '/tmp/s'})).toBe('/tmp/s/learn.json');
		if (process.platform === 'linux') {
			expect(stateDir({XDG_STATE_HOME: '/x/state'})).toBe('/x/state/kms-tui');
			expect(stateDir({})).toBe(path.join(homedir(), '.local', 'state', 'kms-tui'));
		}
	});

	it('keeps each lesson apart, in a 0600 file it replaces whole', async () => {
		const file = await tempFile();
		expect(await readProgress(file)).toEqual({});
		await saveLessonProgress('context', entry(2), file);
		await saveLessonProgress('tamper', entry(1), file);
		await saveLessonProgress('context', entry(3), file);
		const progress = await readProgress(file);
		expect(progress.context?.done).toBe(3);
		expect(progress.tamper?.done).toBe(1);
		expect((await stat(file)).mode & 0o777).toBe(0o600);
		expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(1);
	});

	it('reads a file it did not write as no progress, entry by entry', async () => {
		const file = await tempFile();
		await saveLessonProgress('context', entry(2), file);
		const saved = JSON.parse(await readFile(file, 'utf8'));
		saved.lessons.tamper = {done: 'two', keyRef: 'k', target: 't', results: [], carry: {}};
		saved.lessons.rotation = {...entry(1), carry: {blob: 7}};
		saved.lessons.reencrypt = {...entry(1), results: [{rows: [{label: 1, value: 'x'}]}]};
		await writeFile(file, JSON.stringify(saved));
		expect(Object.keys(await readProgress(file))).toEqual(['context']);

		await writeFile(file, '{not json');
		expect(await readProgress(file)).toEqual({});
		await writeFile(file, JSON.stringify({version: 2, lessons: {context: entry(1)}}));
		expect(await readProgress(file)).toEqual({});
	});

	it('tells targets apart', () => {
		const sandbox = targetOf({kind: 'sandbox', region: 'us-east-1', sandboxDir: '/tmp/a'});
		expect(targetOf({kind: 'sandbox', region: 'us-east-1', sandboxDir: '/tmp/b'})).not.toBe(
			sandbox,
		);
		expect(targetOf({kind: 'aws', region: 'us-east-1'})).not.toBe(sandbox);
	});
});
