/**
 * The Decrypt screen with AWS Encryption SDK messages (written by encryptEsdk, the engine behind
 * `kms-tui encrypt --format esdk`): found by content, header shown as `kms-tui inspect` shows it,
 * then decrypted through the same flow.
 */
import {readdir, readFile, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {encryptEsdk} from '../../source/esdk/encrypt.js';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

const pickReady = (frame: string) => frame.includes('picks one') && frame.includes('tab complete');

const secret = 'the vault code is 0000\n'.repeat(500);

/** A cwd holding report.pdf.encrypted (an SDK message under a fresh key), the plaintext removed. */
async function givenMessage(encryptionContext: Record<string, string> = {app: 'demo'}) {
	const keyId = await createKey(sandbox);
	const settings = await testSettings({keyRef: keyId});
	const input = path.join(settings.cwd, 'report.pdf');
	await writeFile(input, secret);
	const result = await encryptEsdk({
		input,
		provider: services.keys,
		keyIds: [keyId],
		encryptionContext,
		frameLength: 4096,
	});
	await rm(input);
	return {settings, message: result.outputPath};
}

describe('Decrypt, AWS Encryption SDK messages', () => {
	it('lists one, shows its header before any KMS call, then writes identical bytes', async () => {
		const {settings, message} = await givenMessage();
		expect(path.basename(message)).toBe('report.pdf.encrypted');
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'decrypt'},
		});
		await waitForFrame(lastFrame, pickReady);
		let frame = await press(stdin, lastFrame, keys.down, /› report\.pdf\.encrypted\s+SDK message/);
		expect(frame).toContain('CLI: kms-tui decrypt report.pdf.encrypted --sandbox');
		frame = flat(await press(stdin, lastFrame, keys.enter, 'nothing is verified until'));
		expect(frame).toContain('report.pdf.encrypted: AWS Encryption SDK message v2');
		expect(frame).toMatch(/suite 0x0578 /);
		expect(frame).toMatch(/data keys 1\. arn:aws:kms:\S+key\//);
		expect(frame).toContain('context app=demo, aws-crypto-public-key=(the signature');
		expect(frame).toContain('framed, 3 frame(s) of up to 4,096 bytes');
		expect(frame).toContain('plaintext 11,500 bytes');
		expect(frame).toContain('CLI: kms-tui inspect report.pdf.encrypted');
		expect(await readdir(settings.cwd)).toEqual(['report.pdf.encrypted']);

		frame = flat(await press(stdin, lastFrame, keys.enter, 'every frame verified'));
		expect(frame).toContain('Output report.pdf');
		expect(frame).toContain('Bytes 11,500');
		expect(frame).toContain('Mode 0600');
		expect(await readFile(path.join(settings.cwd, 'report.pdf'), 'utf8')).toBe(secret);
	});

	it('finds a message by its bytes whatever its name, and lists no other file', async () => {
		const {settings, message} = await givenMessage();
		await rename(message, path.join(settings.cwd, 'backup.bin'));
		// Starts like a v2 message (0x02 0x05) but is not one: not listed.
		await writeFile(path.join(settings.cwd, 'fake.bin'), Buffer.from([2, 5, 0, 0, 1, 2, 3]));
		await writeFile(path.join(settings.cwd, 'notes.txt'), 'hello');
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'decrypt'},
		});
		const listed = await waitForFrame(lastFrame, pickReady);
		expect(listed).toContain('backup.bin');
		expect(listed).not.toContain('fake.bin');
		expect(listed).not.toContain('notes.txt');
		await press(stdin, lastFrame, keys.down, /› backup\.bin/);
		const frame = flat(await press(stdin, lastFrame, keys.enter, 'nothing is verified until'));
		expect(frame).toContain('backup.bin: AWS Encryption SDK message v2');
		await press(stdin, lastFrame, keys.enter, 'every frame verified');
		expect(await readFile(path.join(settings.cwd, 'backup.bin.decrypted'), 'utf8')).toBe(secret);
	});

	it('fits its header and output field in 80×24, with untrusted context values escaped', async () => {
		const {settings} = await givenMessage({app: 'demo\u001B]0;pwned\u0007'});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'decrypt'},
			columns: 80,
			rows: 24,
		});
		await waitForFrame(lastFrame, pickReady);
		await press(stdin, lastFrame, keys.down, /› report\.pdf\.encrypted/);
		const frame = await press(stdin, lastFrame, keys.enter, (f) => {
			const lines = f.split('\n');
			return f.includes('› Output') && lines.length <= 24 && lines.every((l) => l.length <= 80);
		});
		expect(frame).toContain('Home › Decrypt a file');
		expect(frame).toContain('AWS Encryption SDK message v2');
		expect(frame).not.toContain('\u0007');
		expect(frame).not.toContain('\u001B]0;');
	});
});
