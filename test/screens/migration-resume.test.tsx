/**
 * The migration's re-wrap step resumed on a real sandbox: esc during or after it, the screen
 * opened again, files re-wrapped to the new key by hand (the built `kms-tui rewrap --to`, a real
 * process) in between — a file that no longer needs the old key is done, never failed, and the
 * step's counts say which files it re-wrapped and which it found done.
 */
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {encryptFile} from '../../source/envelope/index.js';
import {planPath, readPlan} from '../../source/migration/plan-file.js';
import {scanEnvelopes} from '../../source/scan/scan.js';
import type {Services} from '../../source/service/index.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {keys} from '../helpers/keys.js';
import {
	createKey,
	deployStack,
	renderWithApp,
	screenSandbox,
	testSettings,
} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {stateDirPerTest} from '../helpers/state-dir.js';
import {flat, press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));
stateDirPerTest('migration-resume');

/**
 * `count` envelopes under the old key in a fresh directory, the alias already on a new key, and
 * the plan an earlier session left (steps 1 and 2 done): the migration is at its re-wrap step.
 */
async function atRewrapStep(stackName: string, count: number) {
	const alias = `alias/${stackName.toLowerCase()}`;
	const {stack, keyId: oldKeyId} = await deployStack(services, stackName, {AliasName: alias});
	const oldArn = stack.outputs.KeyArn ?? '';
	const settings = await testSettings({stackName});
	const files: string[] = [];
	for (let index = 0; index < count; index++) {
		const input = path.join(settings.cwd, `f${String(index).padStart(2, '0')}.txt`);
		await writeFile(input, `file ${index}\n`);
		files.push((await encryptFile({input, provider: services.keys, keyId: oldKeyId})).outputPath);
		await rm(input);
	}
	const newKey = await createKey(sandbox, `new for ${stackName}`);
	const newArn = (await services.keys.describeKey(newKey)).arn;
	await services.keys.updateAlias(alias, newKey);
	const file = planPath(settings.target);
	await mkdir(path.dirname(file), {recursive: true});
	await writeFile(
		file,
		JSON.stringify({
			version: 1,
			alias,
			oldKeyArn: oldArn,
			newKeyArn: newArn,
			stackName,
			rootDir: settings.cwd,
			done: ['new-key', 'alias'],
		}),
	);
	return {settings, files, oldArn, newArn};
}

/** The key ARNs each file is wrapped under, by file name. */
async function wrappings(cwd: string): Promise<Record<string, string[]>> {
	const scan = await scanEnvelopes([cwd]);
	return Object.fromEntries(
		scan.files.map((file) => [file.relativePath, file.keys.map((key) => key.keyArn)]),
	);
}

/** `kms-tui rewrap FILE --to KEY` through the built CLI, on the test's sandbox. */
async function rewrapByHand(file: string, toKey: string): Promise<void> {
	const home = await mkdtemp(path.join(tmpdir(), 'kms-tui-migration-resume-home-'));
	try {
		const result = await runCli(
			['--endpoint-url', sandbox.endpoint, '--region', 'us-east-1', 'rewrap', file, '--to', toKey],
			{
				cwd: path.dirname(file),
				env: cleanEnv(home, {AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox'}),
			},
		);
		expect(result.stderr).not.toContain('✘');
		expect(result.code).toBe(0);
	} finally {
		await rm(home, {recursive: true, force: true});
	}
}

const rewrappingAt = (at: number) => (frame: string) =>
	Number(/Re-wrapping (\d+)\//.exec(frame)?.[1]) >= at;

describe('Migration: the re-wrap step resumed', () => {
	it('esc during the re-wrap, a file re-wrapped by hand before reopening: the rest is re-wrapped, none fails; esc after it, reopen: it goes on at verify', async () => {
		const count = 40;
		const {settings, files, oldArn, newArn} = await atRewrapStep('MigResumeA', count);
		const first = renderWithApp(undefined, {services, settings, route: {name: 'migration'}});
		await waitForFrame(first.lastFrame, `${count} envelopes under the old key`);
		await press(first.stdin, first.lastFrame, keys.enter, rewrappingAt(2));
		await press(
			first.stdin,
			first.lastFrame,
			keys.escape,
			'Cancelled: everything done before is kept',
		);
		// Esc again leaves the screen.
		await press(first.stdin, first.lastFrame, keys.escape, 'The lifecycle of a KMS key');
		first.unmount();

		const between = await wrappings(settings.cwd);
		const left = files.filter((file) => between[path.basename(file)]?.includes(oldArn));
		expect(left.length).toBeGreaterThan(1);
		expect(left.length).toBeLessThan(count);
		// One of those left is re-wrapped to the new key by hand meanwhile.
		const byHand = left[0] ?? '';
		await rewrapByHand(byHand, newArn);

		const second = renderWithApp(undefined, {services, settings, route: {name: 'migration'}});
		const remaining = left.length - 1;
		let frame = flat(
			await waitForFrame(
				second.lastFrame,
				`${remaining} envelope${remaining === 1 ? '' : 's'} under the old key`,
			),
		);
		frame = flat(await press(second.stdin, second.lastFrame, keys.enter, /Re-wrapped \d+ of \d+/));
		expect(frame).not.toContain('not re-wrapped');
		expect(frame).toContain(`Re-wrapped ${remaining} of ${remaining}`);
		expect(frame).toMatch(/✔ 3\s+Re-wrap the envelopes/);
		const after = await wrappings(settings.cwd);
		for (const name of Object.keys(after)) expect(after[name]).toEqual([newArn]);
		expect(Object.keys(after)).toHaveLength(count);
		expect((await readPlan(planPath(settings.target)))?.done).toContain('rewrap');

		// Esc after the step, reopen: it goes on at verify, and the blast radius is 0.
		await press(second.stdin, second.lastFrame, keys.escape, 'The lifecycle of a KMS key');
		second.unmount();
		const third = renderWithApp(undefined, {services, settings, route: {name: 'migration'}});
		await waitForFrame(third.lastFrame, 'Enter scans . again');
		frame = flat(await press(third.stdin, third.lastFrame, keys.enter, 'Blast radius 0'));
		expect(frame).toMatch(/✔ 4\s+Verify: nothing needs the old key\s+blast radius 0/);
	});

	it('files re-wrapped by hand (or removed) after the screen read them are done, not failed, and the counts say which', async () => {
		const count = 6;
		const {settings, files, oldArn, newArn} = await atRewrapStep('MigResumeB', count);
		// One the new key cannot take from the old: a wrapped key KMS cannot open (a real failure).
		const broken = files[3] ?? '';
		const bytes = await readFile(broken);
		const newline = bytes.indexOf(10);
		const header = bytes
			.subarray(0, newline)
			.toString('utf8')
			.replace(
				/"encryptedDataKey":"[^"]+"/,
				`"encryptedDataKey":"${Buffer.alloc(48, 7).toString('base64')}"`,
			);
		await writeFile(broken, Buffer.concat([Buffer.from(header), bytes.subarray(newline)]));
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'migration'},
		});
		await waitForFrame(lastFrame, `${count} envelopes under the old key`);
		// The screen read the files before two were re-wrapped elsewhere and one was removed.
		await rewrapByHand(files[1] ?? '', newArn);
		await rewrapByHand(files[4] ?? '', newArn);
		await rm(files[5] ?? '');
		const byHand = await readFile(files[1] ?? '');
		const frame = flat(await press(stdin, lastFrame, keys.enter, /Re-wrapped \d+ of \d+/));
		expect(frame).toContain(
			'Re-wrapped 2 of 6 under the new key. 3 no longer under the old key (re-wrapped or removed since the scan), left as they are: f01.txt.kms, f04.txt.kms, f05.txt.kms.',
		);
		// The one real failure is the only one listed, with KMS's reason; none is "not wrapped under".
		expect(frame).toContain('✘ 1 not re-wrapped (left as they were): f03.txt.kms:');
		expect(frame).not.toContain('not wrapped under');
		expect(frame).toMatch(/› 3\s+Re-wrap the envelopes\s+1 envelope under the old key/);
		// The files done by hand are left as they were; the others are under the new key alone.
		expect(await readFile(files[1] ?? '')).toEqual(byHand);
		expect(await wrappings(settings.cwd)).toEqual({
			'f00.txt.kms': [newArn],
			'f01.txt.kms': [newArn],
			'f02.txt.kms': [newArn],
			'f03.txt.kms': [oldArn],
			'f04.txt.kms': [newArn],
		});
	});
});
