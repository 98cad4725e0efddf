import {readdir, readFile, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {encryptFile} from '../../source/envelope/index.js';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

/** The list is up and the screen's keys (↑↓, tab) are registered: the help bar says both. */
const pickReady = (frame: string) => frame.includes('picks one') && frame.includes('tab complete');

const secret = 'the vault code is 0000\n'.repeat(500);

/** A cwd holding secret.txt.kms (made with a fresh key); the plaintext itself is removed. */
async function givenEnvelope(options: {keep?: boolean} = {}) {
	const keyId = await createKey(sandbox);
	const settings = await testSettings({keyRef: keyId});
	const input = path.join(settings.cwd, 'secret.txt');
	await writeFile(input, secret);
	const result = await encryptFile({
		input,
		provider: services.keys,
		keyId,
		encryptionContext: {app: 'demo'},
	});
	if (!options.keep) await rm(input);
	return {keyId, settings, envelope: result.outputPath};
}

describe('Decrypt', () => {
	it('lists envelopes, shows the header before any KMS call, then writes identical bytes', async () => {
		const {settings} = await givenEnvelope();
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'decrypt'},
		});
		await waitForFrame(lastFrame, pickReady);
		let frame = await press(stdin, lastFrame, keys.down, /› secret\.txt\.kms/);
		expect(frame).toContain('CLI: kms-tui decrypt secret.txt.kms --sandbox');
		frame = flat(await press(stdin, lastFrame, keys.enter, 'nothing is verified until'));
		expect(frame).toMatch(/Key arn:aws:kms:\S+ \(a kms-tui sandbox key\)/);
		expect(frame).toContain('Context app=demo');
		expect(frame).toContain('Plaintext 11,500 bytes');
		expect(frame).toContain('CLI: kms-tui inspect secret.txt.kms');
		expect(await readdir(settings.cwd)).toEqual(['secret.txt.kms']);

		frame = flat(await press(stdin, lastFrame, keys.enter, 'every frame verified'));
		expect(frame).toContain('Output secret.txt');
		expect(frame).toContain('Bytes 11,500');
		expect(frame).toContain('Mode 0600');
		const output = path.join(settings.cwd, 'secret.txt');
		expect(await readFile(output, 'utf8')).toBe(secret);
		expect((await stat(output)).mode & 0o777).toBe(0o600);
		await press(stdin, lastFrame, 'n', 'tab completes');
	});

	it('shows a tampered envelope as an error with what to do, and writes nothing', async () => {
		const {settings, envelope} = await givenEnvelope();
		const bytes = await readFile(envelope);
		const last = bytes.length - 20;
		bytes[last] = (bytes[last] ?? 0) ^ 0x01;
		await writeFile(envelope, bytes);
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'decrypt'},
		});
		await waitForFrame(lastFrame, pickReady);
		await type(stdin, lastFrame, 'sec');
		await press(stdin, lastFrame, keys.tab, /› Envelope\s+secret\.txt\.kms\n/);
		await press(stdin, lastFrame, keys.enter, 'nothing is verified until');
		const frame = flat(await press(stdin, lastFrame, keys.enter, 'Not decrypted'));
		expect(frame).toContain('modified or is corrupt');
		expect(await readdir(settings.cwd)).toEqual(['secret.txt.kms']);
		await press(stdin, lastFrame, keys.escape, 'tab completes');
	});

	it('says how to cancel when the key is pending deletion', async () => {
		const {keyId, settings} = await givenEnvelope();
		await services.keys.scheduleDeletion(keyId, 7);
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'decrypt'},
		});
		await waitForFrame(lastFrame, pickReady);
		await press(stdin, lastFrame, keys.down, /› secret/);
		await press(stdin, lastFrame, keys.enter, 'nothing is verified until');
		const frame = flat(await press(stdin, lastFrame, keys.enter, 'Not decrypted'));
		expect(frame).toContain('is scheduled for');
		expect(frame).toContain('kms-tui delete-key --cancel');
		expect(await readdir(settings.cwd)).toEqual(['secret.txt.kms']);
	});
});

describe('Home steps 5 and 6', () => {
	it('follow the envelopes in cwd: to do → encrypted → decrypted', async () => {
		const keyId = await createKey(sandbox);
		const settings = await testSettings({keyRef: keyId, stackName: 'HomeEnvelopes'});
		const input = path.join(settings.cwd, 'notes.txt');
		await writeFile(input, 'hello');
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings});
		let frame = await waitForFrame(lastFrame, 'enter open');
		expect(frame).toMatch(/Encrypt a file\s+(NEXT\s+)?to do: no envelope yet/);
		expect(frame).toMatch(/Decrypt it\s+waiting: encrypt first/);

		const {outputPath} = await encryptFile({input, provider: services.keys, keyId});
		// The help bar's `enter open` comes back a render after the steps: wait for both.
		frame = await press(
			stdin,
			lastFrame,
			'R',
			(f) => f.includes('done: 1 envelope here') && f.includes('enter open'),
		);
		expect(frame).toMatch(/Decrypt it\s+(NEXT\s+)?to do: 1 to decrypt/);

		// Open step 6 from Home and decrypt there: the copy is `notes (1).txt`.
		while (!flat(frame).includes('see its header first'))
			frame = await press(stdin, lastFrame, keys.down);
		await press(stdin, lastFrame, keys.enter, 'Home › Decrypt a file');
		await waitForFrame(lastFrame, pickReady);
		await press(stdin, lastFrame, keys.down, /› notes\.txt\.kms/);
		await press(stdin, lastFrame, keys.enter, 'nothing is verified until');
		await press(stdin, lastFrame, keys.enter, 'every frame verified');
		frame = await press(stdin, lastFrame, keys.escape, 'enter open');
		frame = await waitForFrame(lastFrame, 'done: decrypted notes.txt.kms');
		expect(await readFile(path.join(settings.cwd, 'notes (1).txt'), 'utf8')).toBe('hello');
		expect(path.basename(outputPath)).toBe('notes.txt.kms');
	});
});
