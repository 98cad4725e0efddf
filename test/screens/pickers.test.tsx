/**
 * The fields that name a key or a file offer what exists: the alias retarget field and the
 * encrypt screen's key list the keys (ListKeys + ListAliases), the decrypt screen's output path
 * is editable and never overwrites without a typed confirmation.
 */
import {readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {
	CreateAliasCommand,
	DisableKeyCommand,
	ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {describe, expect, it} from 'vitest';
import {encryptFile, inspectEnvelope} from '../../source/envelope/index.js';
import {loadKeyChoices} from '../../source/hooks/use-key-picker.js';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, plain, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

/** Presses ↓ (or ↑) until the field holds `value` (each press must change the frame). */
async function pick(
	stdin: {write(data: string): void},
	lastFrame: () => string | undefined,
	label: string,
	value: string,
	arrow: string = keys.down,
): Promise<string> {
	const field = new RegExp(`› ${label}\\s+${value}\\s*\\n`);
	let frame = await waitForFrame(lastFrame, '↑↓ picks');
	for (let moves = 0; !field.test(frame); moves++) {
		expect(moves).toBeLessThan(40);
		frame = await press(stdin, lastFrame, arrow);
	}
	return frame;
}

describe('Pickers', () => {
	it('retarget offers the keys that exist, picked with ↓, and still takes typing', async () => {
		const keyId = await createKey(sandbox, 'picker this');
		const otherKeyId = await createKey(sandbox, 'picker other');
		const pendingKeyId = await createKey(sandbox, 'picker pending');
		await sandbox
			.kms()
			.send(new ScheduleKeyDeletionCommand({KeyId: pendingKeyId, PendingWindowInDays: 7}));
		await sandbox
			.kms()
			.send(new CreateAliasCommand({AliasName: 'alias/picker-other', TargetKeyId: otherKeyId}));
		await services.keys.createAlias('alias/picker-app', keyId);
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'aliases'},
			rows: 40,
		});
		await waitForFrame(lastFrame, 'alias/picker-app');
		while (!/› alias\/picker-app/.test(plainFrame(lastFrame)))
			await press(stdin, lastFrame, keys.down);

		let frame = await press(stdin, lastFrame, 't', 'Point at key');
		frame = await waitForFrame(lastFrame, '↑↓ picks');
		expect(frame).toContain(`alias/picker-other → ${otherKeyId}`);
		expect(frame).toContain(`${otherKeyId} picker other`);
		// A key pending deletion cannot be an alias's target: it is not offered.
		expect(frame).not.toContain(pendingKeyId);

		frame = await pick(stdin, lastFrame, 'Point at key', otherKeyId);
		expect(frame).toContain(
			`CLI: kms-tui alias update alias/picker-app --key ${otherKeyId} --sandbox`,
		);
		frame = await press(stdin, lastFrame, keys.enter, '✔ Pointed alias/picker-app');
		expect((await services.keys.listAliases(otherKeyId)).map((a) => a.name)).toContain(
			'alias/picker-app',
		);

		// Typing is still a way in: an alias name, edited after a pick.
		frame = await press(stdin, lastFrame, 't', 'Point at key');
		await waitForFrame(lastFrame, '↑↓ picks');
		for (let index = 0; index < keyId.length; index++)
			await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, keyId);
		frame = await press(stdin, lastFrame, keys.enter, '✔ Pointed alias/picker-app');
		expect((await services.keys.listAliases(keyId)).map((a) => a.name)).toContain(
			'alias/picker-app',
		);
	});

	it('encrypt starts at the session key and offers the Enabled keys and their aliases', async () => {
		const sessionKeyId = await createKey(sandbox, 'encrypt session');
		const otherKeyId = await createKey(sandbox, 'encrypt other');
		const disabledKeyId = await createKey(sandbox, 'encrypt disabled');
		await sandbox.kms().send(new DisableKeyCommand({KeyId: disabledKeyId}));
		await services.keys.createAlias('alias/encrypt-other', otherKeyId);
		await services.keys.createAlias('alias/encrypt-disabled', disabledKeyId);
		const settings = await testSettings({keyRef: sessionKeyId});
		await writeFile(path.join(settings.cwd, 'data.txt'), 'attack at dawn\n');
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'encrypt'},
			rows: 40,
		});
		let frame = await waitForFrame(lastFrame, 'tab complete');
		expect(frame).toMatch(new RegExp(`  Key\\s+${sessionKeyId}\\n`));
		expect(frame).toContain('--key; shift+tab picks another');
		await type(stdin, lastFrame, 'data.txt');

		frame = await press(stdin, lastFrame, keys.shiftTab, '↑↓ picks');
		// The list opens on the session's key; the aliases come first, above it.
		expect(frame).toMatch(new RegExp(`› ${sessionKeyId} encrypt session`));
		frame = await pick(stdin, lastFrame, 'Key', 'alias/encrypt-other', keys.up);
		expect(frame).toContain(`› alias/encrypt-other → ${otherKeyId}`);
		const choices = (await loadKeyChoices(services, 'usable', new AbortController().signal)).map(
			(choice) => choice.value,
		);
		expect(choices).toEqual(expect.arrayContaining(['alias/encrypt-other', otherKeyId]));
		expect(choices).not.toContain(disabledKeyId);
		expect(choices).not.toContain('alias/encrypt-disabled');
		expect(frame).toContain('CLI: kms-tui encrypt data.txt --key alias/encrypt-other --sandbox');

		frame = await press(stdin, lastFrame, '\u0005', 'Wrote data.txt.kms');
		const summary = await inspectEnvelope(path.join(settings.cwd, 'data.txt.kms'));
		expect(summary.keyArn).toMatch(new RegExp(`:key/${otherKeyId}$`));
	});

	it('decrypt lets you choose the output path, and replaces a file only once confirmed', async () => {
		const keyId = await createKey(sandbox, 'decrypt output');
		const settings = await testSettings({keyRef: keyId});
		const input = path.join(settings.cwd, 'notes.txt');
		await writeFile(input, 'meet at noon\n');
		await encryptFile({input, provider: services.keys, keyId});
		await writeFile(input, 'the file that stays\n');
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'decrypt'},
			rows: 40,
		});
		await waitForFrame(lastFrame, '↑↓ picks one');
		await type(stdin, lastFrame, 'notes.txt.kms');
		// notes.txt exists: the default is the free name decrypt would write, never the existing file.
		let frame = await press(stdin, lastFrame, keys.enter, '› Output');
		expect(frame).toMatch(/› Output\s+notes \(1\)\.txt\n/);
		expect(frame).toContain('CLI: kms-tui decrypt notes.txt.kms --sandbox');

		// One burst: a Backspace that takes the trailing space changes nothing a frame shows.
		await press(stdin, lastFrame, keys.backspace.repeat('notes (1).txt'.length), /› Output\s*\n/);
		await type(stdin, lastFrame, 'notes.txt');
		frame = await waitForFrame(lastFrame, 'CLI: kms-tui decrypt notes.txt.kms -o notes.txt');
		frame = await press(stdin, lastFrame, keys.enter, 'Type notes.txt to confirm');
		expect(flat(frame)).toContain('notes.txt exists. Replace it with the decrypted file?');
		expect(frame).toContain('-o notes.txt --force');
		expect(await readFile(input, 'utf8')).toBe('the file that stays\n');

		// esc goes back to the field, and the file is still untouched.
		frame = await press(stdin, lastFrame, keys.escape, '› Output');
		expect(await readFile(input, 'utf8')).toBe('the file that stays\n');
		frame = await press(stdin, lastFrame, keys.enter, 'Type notes.txt to confirm');
		await type(stdin, lastFrame, 'notes.txt');
		frame = await press(stdin, lastFrame, keys.enter, '✔ Decrypted');
		expect(flat(frame)).toMatch(/Output notes\.txt /);
		expect(await readFile(input, 'utf8')).toBe('meet at noon\n');
		expect((await readdir(settings.cwd)).sort()).toEqual(['notes.txt', 'notes.txt.kms']);
	});

	it('decrypt writes where the output field says (a new name needs no confirmation)', async () => {
		const keyId = await createKey(sandbox, 'decrypt elsewhere');
		const settings = await testSettings({keyRef: keyId});
		const input = path.join(settings.cwd, 'report.txt');
		await writeFile(input, 'quarterly\n');
		await encryptFile({input, provider: services.keys, keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'decrypt'},
			rows: 40,
		});
		await waitForFrame(lastFrame, '↑↓ picks one');
		await type(stdin, lastFrame, 'report.txt.kms');
		await press(stdin, lastFrame, keys.enter, /› Output\s+report \(1\)\.txt/);
		await press(stdin, lastFrame, keys.backspace.repeat('report (1).txt'.length), /› Output\s*\n/);
		await type(stdin, lastFrame, 'copy.txt');
		await press(stdin, lastFrame, keys.enter, '✔ Decrypted');
		expect(await readFile(path.join(settings.cwd, 'copy.txt'), 'utf8')).toBe('quarterly\n');
		expect(await readFile(input, 'utf8')).toBe('quarterly\n');
	});
});

function plainFrame(lastFrame: () => string | undefined): string {
	return flat(plain(lastFrame()));
}
