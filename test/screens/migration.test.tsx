/**
 * The migration screen on a real sandbox: a stack's alias moved to a new key (a second stack, or
 * a key picked), the envelopes re-wrapped, the old key's blast radius 0, then its deletion; and
 * esc at a step, reopening, and a world that changed meanwhile.
 */
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {decryptFile, encryptFile} from '../../source/envelope/index.js';
import {planPath, readPlan} from '../../source/migration/plan-file.js';
import {scanEnvelopes} from '../../source/scan/scan.js';
import type {Services} from '../../source/service/index.js';
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
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));
stateDirPerTest('migration-state');

/** Two envelopes under the key in `cwd` (one in a subdirectory), and a file that is none. */
async function envelopesUnder(cwd: string, keyId: string): Promise<string[]> {
	await mkdir(path.join(cwd, 'sub'));
	const made: string[] = [];
	for (const name of ['a.txt', path.join('sub', 'b.txt')]) {
		const input = path.join(cwd, name);
		await writeFile(input, `secret ${name}\n`);
		made.push((await encryptFile({input, provider: services.keys, keyId})).outputPath);
		await rm(input);
	}
	await writeFile(path.join(cwd, 'notes.txt'), 'not an envelope\n');
	return made;
}

async function keyArnsIn(cwd: string): Promise<string[]> {
	const scan = await scanEnvelopes([cwd]);
	return [...new Set(scan.files.flatMap((file) => file.keys.map((key) => key.keyArn)))];
}

describe('Migrate to a new key', () => {
	it('creates a second stack, moves the alias, re-wraps, shows blast radius 0, then schedules the old key’s deletion', async () => {
		const {stack, keyId: oldKeyId} = await deployStack(services, 'MigA', {
			AliasName: 'alias/mig-a',
		});
		const oldArn = stack.outputs.KeyArn ?? '';
		// Made by hand on the old key: its deletion would leave it dangling, and the screen says so.
		await services.keys.createAlias('alias/mig-a-handmade', oldKeyId);
		const settings = await testSettings({stackName: 'MigA'});
		const envFile = path.join(settings.cwd, '.env');
		await writeFile(envFile, `# mine\nAPP=1\nKMS_KEY_ID=${oldKeyId}\nKMS_KEY_ARN=${oldArn}\n`);
		const envelopes = await envelopesUnder(settings.cwd, oldKeyId);
		// One that a recovery key opens too: the migration keeps that key.
		const recovery = await createKey(sandbox, 'recovery key');
		const recoveryArn = (await services.keys.describeKey(recovery)).arn;
		await writeFile(path.join(settings.cwd, 'dr.txt'), 'two keys\n');
		const dr = await encryptFile({
			input: path.join(settings.cwd, 'dr.txt'),
			provider: services.keys,
			keyId: [oldKeyId, recovery],
		});
		await rm(path.join(settings.cwd, 'dr.txt'));
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'migration'},
		});
		let frame = flat(await waitForFrame(lastFrame, 'c create key'));
		expect(frame).toContain(`alias/mig-a → a new key · old key ${oldKeyId}`);
		expect(frame).toContain(
			'CLI: kms-tui deploy --param AliasName=alias/mig-a-next --sandbox --stack-name MigA-next',
		);

		// 1. The new key: KmsKey.yaml again as MigA-next, the change set shown before it runs.
		frame = await press(stdin, lastFrame, 'c', 'Execute these changes?');
		expect(frame).toContain('Planned changes to stack MigA-next (new stack)');
		frame = flat(await press(stdin, lastFrame, 'y', /✔ 1\s+New key/));
		const next = await services.stacks.requireStack('MigA-next');
		const newArn = next.outputs.KeyArn ?? '';
		const newKeyId = next.outputs.KeyId ?? '';
		frame = flat(await waitForFrame(lastFrame, 'enter do step'));
		expect(frame).toContain(`CLI: kms-tui alias update alias/mig-a --key ${newArn} --sandbox`);
		// The alias belongs to the first stack: the screen says what that means.
		expect(frame).toContain(
			'Stack MigA owns the alias: its template still says the old key (drift until it is updated or deleted), and deleting MigA deletes the alias — use alias/mig-a-next first, or keep MigA.',
		);

		// 2. The alias.
		frame = flat(await press(stdin, lastFrame, keys.enter, /✔ 2\s+Point the alias/));
		const alias = (await services.keys.listAliases()).find((a) => a.name === 'alias/mig-a');
		expect(alias?.targetKeyId).toBe(newKeyId);
		frame = flat(await waitForFrame(lastFrame, 'CLI: kms-tui rewrap . --recursive --to'));
		expect(frame).toContain(`--to ${newArn} --sandbox`);
		expect(frame).toContain('3 envelopes under the old key');
		expect(frame).toContain(
			'That command re-wraps every envelope under . and keeps the new key alone; Enter re-wraps only those naming the old key, and keeps their other keys.',
		);

		// 3. Re-wrap, 4. verify.
		frame = flat(await press(stdin, lastFrame, keys.enter, 'Re-wrapped 3 of 3'));
		expect((await keyArnsIn(settings.cwd)).sort()).toEqual([newArn, recoveryArn].sort());
		const scanned = await scanEnvelopes([settings.cwd]);
		expect(
			scanned.files.find((file) => file.path === dr.outputPath)?.keys.map((key) => key.keyArn),
		).toEqual([recoveryArn, newArn]);
		expect(frame).toContain(`CLI: kms-tui scan . --key ${oldArn} --sandbox`);
		frame = flat(await press(stdin, lastFrame, keys.enter, 'Blast radius 0'));
		expect(frame).toMatch(/✔ 4\s+Verify: nothing needs the old key\s+blast radius 0/);

		// 5. .env: the new stack's outputs, as `outputs --write-env --stack-name MigA-next`; every
		// other line stays.
		frame = flat(await waitForFrame(lastFrame, 'CLI: kms-tui outputs --write-env'));
		expect(frame).toContain('CLI: kms-tui outputs --write-env --sandbox --stack-name MigA-next');
		frame = flat(await press(stdin, lastFrame, keys.enter, /✔ 5\s+Point .env at the new key/));
		expect(frame).toContain('kms-tui reads KMS_STACK_NAME from it');
		expect(await readFile(envFile, 'utf8')).toBe(
			`# mine\nAPP=1\nKMS_KEY_ID=${newKeyId}\nKMS_KEY_ARN=${newArn}\n\n# Written by kms-tui outputs --write-env\nKMS_KEY_ALIAS=alias/mig-a-next\nAWS_REGION=us-east-1\nKMS_STACK_NAME=MigA-next\n`,
		);

		// 6. The old key: disabled first, the files still open (with the new key), then deletion.
		frame = flat(await waitForFrame(lastFrame, 'd disable old key'));
		expect(frame).toContain(`CLI: kms-tui delete-key --key ${oldArn} --disable --sandbox`);
		frame = flat(await press(stdin, lastFrame, 'd', /old key Disabled/));
		expect((await services.keys.describeKey(oldArn)).state).toBe('Disabled');
		const decrypted = await decryptFile({
			input: envelopes[0] ?? '',
			provider: services.keys,
			outputDir: settings.cwd,
		});
		expect(await readFile(decrypted.outputPath, 'utf8')).toBe('secret a.txt\n');
		// The waiting period first, checked as typed (as on the Key deletion screen).
		frame = flat(await press(stdin, lastFrame, 's', 'Waiting days'));
		await press(stdin, lastFrame, keys.backspace);
		await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, '5');
		await waitForFrame(lastFrame, '5 is not a whole number from 7 to 30 days.');
		// Enter on it does nothing (the backspace after it is the next key to change the frame).
		stdin.write(keys.enter);
		await press(stdin, lastFrame, keys.backspace);
		expect(lastFrame()).not.toContain('to confirm');
		await type(stdin, lastFrame, '7');
		frame = flat(await waitForFrame(lastFrame, (f) => flat(f).includes('--days 7 --sandbox')));
		expect(frame).toContain(`CLI: kms-tui delete-key --key ${oldArn} --days 7 --sandbox`);
		frame = flat(await press(stdin, lastFrame, keys.enter, `Type ${oldKeyId} to confirm`));
		expect(frame).toContain(`In 7 days KMS deletes ${oldKeyId} for good`);
		expect(frame).toMatch(
			/Alias still on it, left pointing at a\s+deleted key: alias\/mig-a-handmade/,
		);
		await type(stdin, lastFrame, 'alias/mig-a');
		frame = flat(await press(stdin, lastFrame, keys.enter, `That is not ${oldKeyId}`));
		expect((await services.keys.describeKey(oldArn)).state).toBe('Disabled');
		for (let i = 0; i < 'alias/mig-a'.length; i++) await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, oldKeyId);
		frame = flat(await press(stdin, lastFrame, keys.enter, 'Migration done.'));
		const retired = await services.keys.describeKey(oldArn);
		expect(retired.state).toBe('PendingDeletion');
		const days = ((retired.deletionDate?.getTime() ?? 0) - Date.now()) / 86_400_000;
		expect(days).toBeGreaterThan(6.9);
		expect(days).toBeLessThanOrEqual(7);
		expect(frame).toMatch(/✔ 6\s+Schedule the old key's deletion\s+old key pending deletion/);
		// Done: the plan is gone, so the next migration starts from where the alias is now.
		expect(await readPlan(planPath(settings.target))).toBeUndefined();
	});

	it('the arrows move through the keys offered, never onto the key being left', async () => {
		const {keyId: oldKeyId} = await deployStack(services, 'MigArrows', {
			AliasName: 'alias/mig-arrows',
		});
		await services.keys.createAlias('alias/mig-arrows-other', oldKeyId);
		await services.keys.createAlias('alias/mig-arrows-target', await createKey(sandbox, 'next'));
		const settings = await testSettings({stackName: 'MigArrows'});
		const {stdin, lastFrame} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'migration'},
		});
		await waitForFrame(lastFrame, 'p pick key');
		const frame = await press(stdin, lastFrame, 'p', /picks \(\d+ choices\)/);
		const count = Number(/picks \((\d+) choices\)/.exec(frame)?.[1]);
		const seen = new Set<string>();
		// The field's value, once ↓ has put a key in it: an alias, an ARN or a key id. Before the
		// first ↓ lands the field is empty and its hint ("↑↓ picks …") follows the label, which a
		// bare \S+ took for a value whenever the frame was read before ↓ was drawn.
		const fieldValue = (text: string) =>
			/› New key\s+(alias\/\S+|arn:\S+|[0-9a-f]{8}-[0-9a-f-]{27})/.exec(text)?.[1];
		for (let i = 0; i < count; i++) {
			stdin.write(keys.down);
			const field = await waitForFrame(lastFrame, (text) => {
				const value = fieldValue(text);
				return value !== undefined && !seen.has(value);
			});
			seen.add(fieldValue(field) ?? '');
		}
		expect(seen.size).toBe(count);
		expect(seen).toContain('alias/mig-arrows-target');
		for (const left of [oldKeyId, 'alias/mig-arrows', 'alias/mig-arrows-other'])
			expect(seen).not.toContain(left);
	});

	it('resumes after esc at the step it left, and re-checks each step against the world', async () => {
		const {stack, keyId: oldKeyId} = await deployStack(services, 'MigB', {
			AliasName: 'alias/mig-b',
		});
		const oldArn = stack.outputs.KeyArn ?? '';
		const picked = await createKey(sandbox, 'the key to move to');
		await services.keys.createAlias('alias/mig-b-target', picked);
		const settings = await testSettings({stackName: 'MigB'});
		await envelopesUnder(settings.cwd, oldKeyId);
		const first = renderWithApp(undefined, {services, settings, route: {name: 'migration'}});
		await waitForFrame(first.lastFrame, 'p pick key');

		// Pick a key (by its alias, one of the choices; the alias being moved is not one) instead of deploying one.
		let frame = await press(first.stdin, first.lastFrame, 'p', '↑↓ picks');
		// The sandbox is shared by the file's tests, so the window of choices shows whichever come
		// first; which keys are offered at all is the arrows test's to check.
		expect(frame).not.toMatch(/^\s{4,}alias\/mig-b →/m);
		await type(first.stdin, first.lastFrame, 'alias/mig-b-target');
		frame = flat(await press(first.stdin, first.lastFrame, keys.enter, /✔ 1\s+New key/));
		const pickedArn = (await services.keys.describeKey(picked)).arn;
		expect(frame).toContain(`CLI: kms-tui alias update alias/mig-b --key ${pickedArn}`);
		const saved = await readPlan(planPath(settings.target));
		expect(saved).toMatchObject({oldKeyArn: oldArn, newKeyArn: pickedArn, alias: 'alias/mig-b'});

		// Esc leaves (back to Home); nothing else changed.
		await press(first.stdin, first.lastFrame, keys.escape, 'The lifecycle of a KMS key');
		first.unmount();

		// Meanwhile the alias is moved by hand: reopening finds step 2 done, and goes on at 3.
		await services.keys.updateAlias('alias/mig-b', picked);
		const second = renderWithApp(undefined, {services, settings, route: {name: 'migration'}});
		frame = flat(await waitForFrame(second.lastFrame, '2 envelopes under the old key'));
		expect(frame).toContain(`alias/mig-b → a new key · old key ${oldKeyId}`);
		expect(frame).toMatch(/✔ 2\s+Point the alias at it\s+alias\/mig-b → new key/);
		expect(frame).toContain(`--to ${pickedArn}`);

		// Re-wrap, then esc and reopen: the files are re-wrapped, so it resumes at verify.
		await press(second.stdin, second.lastFrame, keys.enter, 'Re-wrapped 2 of 2');
		await press(second.stdin, second.lastFrame, keys.escape, 'The lifecycle of a KMS key');
		second.unmount();
		const third = renderWithApp(undefined, {services, settings, route: {name: 'migration'}});
		frame = flat(await waitForFrame(third.lastFrame, 'Enter scans . again'));
		expect(frame).toMatch(/✔ 3\s+Re-wrap the envelopes/);
		// The plan file says which steps were seen done.
		expect((await readPlan(planPath(settings.target)))?.done).toEqual([
			'new-key',
			'alias',
			'rewrap',
		]);
	});

	it('lists the files it could not re-wrap, leaves them as they were, and does not go on', async () => {
		const {keyId: oldKeyId} = await deployStack(services, 'MigC', {AliasName: 'alias/mig-c'});
		const settings = await testSettings({stackName: 'MigC'});
		const [, broken = ''] = await envelopesUnder(settings.cwd, oldKeyId);
		// A wrapped key KMS cannot open (not its ciphertext): the header still names the old key.
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
		const before = await readFile(broken);
		const newKey = await createKey(sandbox, 'new for C');
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'migration'},
		});
		await waitForFrame(lastFrame, 'p pick key');
		await press(stdin, lastFrame, 'p', '↑↓ picks');
		await type(stdin, lastFrame, newKey);
		await press(stdin, lastFrame, keys.enter, /✔ 1\s+New key/);
		await press(stdin, lastFrame, keys.enter, /✔ 2\s+Point the alias/);
		let frame = flat(await press(stdin, lastFrame, keys.enter, 'Re-wrapped 1 of 2'));
		expect(frame).toContain('✘ 1 not re-wrapped (left as they were): sub/b.txt.kms:');
		expect(await readFile(broken)).toEqual(before);
		// Still the current step, and the blast radius says what is left.
		expect(frame).toMatch(/› 3\s+Re-wrap the envelopes/);
		expect(frame).toContain('1 envelope under the old key');
		expect(frame).toContain('Enter re-wraps sub/b.txt.kms under the new key only');
		frame = flat(
			await press(stdin, lastFrame, keys.enter, (f) => flat(f).includes('Re-wrapped 0 of 1')),
		);
		expect(frame).toContain('✘ 1 not re-wrapped');
		expect(frame).not.toContain('Blast radius 0');
	});

	it('refuses the key being left as the new key, and changes nothing under --read-only', async () => {
		const {keyId: oldKeyId} = await deployStack(services, 'MigD', {AliasName: 'alias/mig-d'});
		const settings = await testSettings({stackName: 'MigD'});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'migration'},
		});
		await waitForFrame(lastFrame, 'p pick key');
		// The picker leaves the old key out; a key typed is still checked.
		const picking = await press(stdin, lastFrame, 'p', /↑↓ picks|No key to offer here/);
		expect(picking).not.toMatch(new RegExp(`^\\s{4,}${oldKeyId}`, 'm'));
		await type(stdin, lastFrame, oldKeyId);
		let frame = flat(await press(stdin, lastFrame, keys.enter, 'is the key being left'));
		expect(frame).toContain(`${oldKeyId} is the key being left: it cannot be the new key.`);
		expect(await readPlan(planPath(settings.target))).toBeUndefined();

		const readOnly = renderWithApp(undefined, {
			services,
			settings: {...settings, readOnly: true},
			route: {name: 'migration'},
		});
		frame = flat(await waitForFrame(readOnly.lastFrame, 'R refresh'));
		expect(frame).toContain('Read-only: nothing is changed.');
		expect(frame).not.toContain('c create key');
		// c is not a key under --read-only; R after it shows it was read and passed over.
		readOnly.stdin.write('c');
		await press(readOnly.stdin, readOnly.lastFrame, 'R');
		await waitForFrame(readOnly.lastFrame, 'R refresh');
		expect(readOnly.lastFrame()).not.toContain('Execute these changes?');
		expect(await services.stacks.findStack('MigD-next')).toBeUndefined();
	});

	it('stops between files on esc during the re-wrap: each file is done or untouched, and the step goes on', async () => {
		const {keyId: oldKeyId, stack} = await deployStack(services, 'MigE', {
			AliasName: 'alias/mig-e',
		});
		const oldArn = stack.outputs.KeyArn ?? '';
		const settings = await testSettings({stackName: 'MigE'});
		const count = 60;
		for (let index = 0; index < count; index++) {
			const input = path.join(settings.cwd, `f${index}.txt`);
			await writeFile(input, `file ${index}\n`);
			await encryptFile({input, provider: services.keys, keyId: oldKeyId});
			await rm(input);
		}
		const newKey = await createKey(sandbox, 'new for E');
		const newArn = (await services.keys.describeKey(newKey)).arn;
		await services.keys.updateAlias('alias/mig-e', newKey);
		const plan = {
			version: 1,
			alias: 'alias/mig-e',
			oldKeyArn: oldArn,
			newKeyArn: newArn,
			stackName: 'MigE',
			rootDir: settings.cwd,
			done: [],
		};
		// A plan left by an earlier session, with the alias already moved.
		const file = planPath(settings.target);
		await mkdir(path.dirname(file), {recursive: true});
		await writeFile(file, JSON.stringify(plan));
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'migration'},
		});
		await waitForFrame(lastFrame, `${count} envelopes under the old key`);
		// Esc once the second file is under way (an observable frame, not a pause).
		await press(
			stdin,
			lastFrame,
			keys.enter,
			(f) => Number(/Re-wrapping (\d+)\/60/.exec(f)?.[1]) >= 2,
		);
		let frame = flat(
			await press(stdin, lastFrame, keys.escape, 'Cancelled: everything done before is kept'),
		);
		const scan = await scanEnvelopes([settings.cwd]);
		expect(scan.files).toHaveLength(count);
		const under = (arn: string) =>
			scan.files.filter((f) => f.keys.length === 1 && f.keys[0]?.keyArn === arn).length;
		expect(under(oldArn) + under(newArn)).toBe(count);
		expect(under(oldArn)).toBeGreaterThan(0);
		expect(frame).toContain(`${under(oldArn)} envelope`);
		// No temp file left; Enter re-wraps the rest.
		expect(scan.filesSeen).toBe(count);
		frame = flat(
			await press(stdin, lastFrame, keys.enter, `Re-wrapped ${under(oldArn)} of ${under(oldArn)}`),
		);
		expect(await keyArnsIn(settings.cwd)).toEqual([newArn]);
	});

	it('takes the new stack’s key on resume when its deployment finished after esc', async () => {
		const {stack} = await deployStack(services, 'MigF', {AliasName: 'alias/mig-f'});
		const settings = await testSettings({stackName: 'MigF'});
		// The plan as createKey saves it before deploying; the deployment then ends on its own.
		const file = planPath(settings.target);
		await mkdir(path.dirname(file), {recursive: true});
		await writeFile(
			file,
			JSON.stringify({
				version: 1,
				alias: 'alias/mig-f',
				oldKeyArn: stack.outputs.KeyArn,
				newStackName: 'MigF-next',
				newStackAlias: 'alias/mig-f-next',
				stackName: 'MigF',
				rootDir: settings.cwd,
				done: [],
			}),
		);
		const {keyId: newKeyId} = await deployStack(services, 'MigF-next', {
			AliasName: 'alias/mig-f-next',
		});
		const {lastFrame} = renderWithApp(undefined, {services, settings, route: {name: 'migration'}});
		const frame = flat(await waitForFrame(lastFrame, /✔ 1\s+New key\s+stack MigF-next's key/));
		expect(frame).toContain('enter do step');
		const saved = await readPlan(file);
		expect(saved?.newKeyArn).toBe((await services.keys.describeKey(newKeyId)).arn);
		expect(saved?.done).toEqual(['new-key']);
	});
});
