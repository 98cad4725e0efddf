import {readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {decryptFile, inspectEnvelope} from '../../source/envelope/index.js';
import type {KeyService, Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

const ctrlE = '\u0005';
const ctrlX = '\u0018';

/** A key, a cwd holding data.txt, and the Encrypt screen open on them. */
async function openEncrypt(services_: Services = services) {
	const keyId = await createKey(sandbox);
	const settings = await testSettings({keyRef: keyId});
	await writeFile(path.join(settings.cwd, 'data.txt'), 'attack at dawn\n'.repeat(1000));
	const view = renderWithApp(undefined, {services: services_, settings, route: {name: 'encrypt'}});
	await waitForFrame(view.lastFrame, 'tab complete');
	return {keyId, settings, ...view};
}

describe('Encrypt', () => {
	it('completes the path, takes context pairs, writes a binary envelope and shows its header', async () => {
		const {keyId, settings, lastFrame, stdin} = await openEncrypt();
		await writeFile(path.join(settings.cwd, 'data-2.txt'), 'other');
		await type(stdin, lastFrame, 'da');
		let frame = await press(stdin, lastFrame, keys.tab, 'data-2.txt  data.txt');
		expect(frame).toMatch(/› File\s+data\n/);
		await type(stdin, lastFrame, '.');
		frame = await press(stdin, lastFrame, keys.tab, 'data.txt.kms next to the file');
		expect(frame).toContain('CLI: kms-tui encrypt data.txt --sandbox');

		await press(stdin, lastFrame, keys.enter, 'enter adds a pair');
		await type(stdin, lastFrame, 'purpose');
		frame = await press(stdin, lastFrame, keys.enter, 'Context expects NAME=VALUE');
		for (let index = 0; index < 'purpose'.length; index++)
			await press(stdin, lastFrame, keys.backspace);
		await type(stdin, lastFrame, 'purpose=demo');
		await press(stdin, lastFrame, keys.enter, '--context purpose=demo');
		await type(stdin, lastFrame, 'team=x');
		frame = await press(stdin, lastFrame, keys.enter, 'purpose=demo, team=x');
		frame = await press(stdin, lastFrame, ctrlX, (f) => !f.includes('team=x'));
		expect(frame).toContain('--context purpose=demo --sandbox');

		frame = flat(await press(stdin, lastFrame, ctrlE, 'Wrote data.txt.kms'));
		expect(frame).toContain('15,000 bytes');
		expect(frame).toMatch(
			/Key arn:aws:kms:us-east-1:000000000000:key\/\S+ \(a kms-tui sandbox key\)/,
		);
		expect(frame).toContain('Context purpose=demo');
		expect(frame).toContain('AES-256-GCM-HKDF-SHA512-COMMIT');
		expect(frame).toContain('binary, 1 frame(s)');
		expect(frame).toMatch(/Created \d{4}-\d\d-\d\dT/);
		const summary = await inspectEnvelope(path.join(settings.cwd, 'data.txt.kms'));
		expect(summary.keyArn).toContain(keyId);
		expect(summary.encryptionContext).toEqual({purpose: 'demo'});
		await press(stdin, lastFrame, 'n', 'tab complete');
	});

	it('writes a JSON envelope when json is chosen', async () => {
		const {settings, lastFrame, stdin} = await openEncrypt();
		await type(stdin, lastFrame, 'data.txt');
		await press(stdin, lastFrame, keys.enter, 'enter adds a pair');
		await press(stdin, lastFrame, keys.enter, '› Format');
		await press(stdin, lastFrame, keys.down);
		let frame = await press(stdin, lastFrame, keys.enter, '--format json');
		expect(frame).toContain('data.txt.kms.json next to the file');
		frame = flat(await press(stdin, lastFrame, ctrlE, 'Wrote data.txt.kms.json'));
		expect(frame).toContain('json, 1 frame(s)');
		const document = JSON.parse(
			await readFile(path.join(settings.cwd, 'data.txt.kms.json'), 'utf8'),
		);
		expect(document).toHaveProperty('ciphertext');
		const result = await decryptFile({
			input: path.join(settings.cwd, 'data.txt.kms.json'),
			output: path.join(settings.cwd, 'back.txt'),
			provider: services.keys,
		});
		expect(await readFile(result.outputPath, 'utf8')).toBe('attack at dawn\n'.repeat(1000));
	});

	it('esc while it runs cancels, and leaves no file at all (not even a temp file)', async () => {
		// KMS answers only when the request is aborted: the cancel lands mid-run, every time.
		let asked = 0;
		const hanging = Object.create(services.keys) as KeyService;
		hanging.generateDataKey = (request) => {
			asked++;
			return new Promise((_resolve, reject) => {
				request.signal?.addEventListener('abort', () =>
					reject(Object.assign(new Error('aborted'), {name: 'AbortError'})),
				);
			});
		};
		const {settings, lastFrame, stdin} = await openEncrypt({...services, keys: hanging});
		await type(stdin, lastFrame, 'data.txt');
		let frame = await press(stdin, lastFrame, ctrlE, 'Asking KMS for a data key');
		expect(frame).toContain('esc cancels');
		// The engine creates its temp file first, then asks KMS (which never answers here).
		await waitForFrame(lastFrame, () => asked === 1);
		expect((await readdir(settings.cwd)).some((name) => name.endsWith('.tmp'))).toBe(true);
		frame = flat(await press(stdin, lastFrame, keys.escape, 'Cancelled'));
		expect(frame).toContain('nothing was written');
		expect(frame).toContain('removed its temp file');
		expect(await readdir(settings.cwd)).toEqual(['data.txt']);
		// The form is back with the same path.
		expect(frame).toContain('data.txt.kms next to the file');
	});

	it('is read-only under --read-only: no ctrl+e', async () => {
		const keyId = await createKey(sandbox);
		const settings = await testSettings({keyRef: keyId, readOnly: true});
		await writeFile(path.join(settings.cwd, 'data.txt'), 'x');
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'encrypt'},
		});
		await waitForFrame(lastFrame, 'Read-only: encrypting is off.');
		await type(stdin, lastFrame, 'data.txt');
		stdin.write(ctrlE);
		// A key typed after ctrl+e lands right after "data.txt": the chord typed nothing either.
		const frame = await type(stdin, lastFrame, '!');
		expect(frame).toContain('data.txt!');
		expect(await readdir(settings.cwd)).toEqual(['data.txt']);
	});
});

describe('Key deletion and envelopes', () => {
	it('lists the envelopes made with the key as what would become unreadable', async () => {
		const {keyId, settings, lastFrame, stdin, unmount} = await openEncrypt();
		await type(stdin, lastFrame, 'data.txt');
		await press(stdin, lastFrame, ctrlE, 'Wrote data.txt.kms');
		unmount();
		const other = await createKey(sandbox, 'another key');
		await writeFile(path.join(settings.cwd, 'other.txt'), 'y');
		const {outputPath} = await import('../../source/envelope/index.js').then(({encryptFile}) =>
			encryptFile({
				input: path.join(settings.cwd, 'other.txt'),
				provider: services.keys,
				keyId: other,
			}),
		);
		expect(path.basename(outputPath)).toBe('other.txt.kms');
		const view = renderWithApp(undefined, {services, settings, route: {name: 'deletion'}});
		const frame = flat(await waitForFrame(view.lastFrame, 'would become unreadable'));
		expect(frame).toContain('1 envelope under');
		expect(frame).toContain('data.txt.kms');
		expect(frame).not.toContain('other.txt.kms');
		expect(keyId).not.toBe(other);
	});
});
