import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {KeyService, Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, plain, press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

// Lesson progress goes to a temp state dir, never the user's (source/learn/progress.ts).
let stateDir: string;
beforeAll(async () => {
	stateDir = await mkdtemp(path.join(tmpdir(), 'kms-tui-learn-state-'));
	process.env.KMS_TUI_STATE_DIR = stateDir;
});
afterAll(async () => {
	delete process.env.KMS_TUI_STATE_DIR;
	await rm(stateDir, {recursive: true, force: true});
});

/**
 * The real KeyService, watched: a hex copy of every plaintext data key it hands out (to prove no
 * frame ever shows one) and the very Buffers it returned (to prove the screen zeroed them).
 */
function watchedServices() {
	const seen: {hex: string[]; buffers: Buffer[]} = {hex: [], buffers: []};
	const keysService = Object.create(services.keys) as KeyService;
	keysService.generateDataKey = async (request) => {
		const key = await services.keys.generateDataKey(request);
		seen.hex.push(key.plaintext.toString('hex'));
		seen.buffers.push(key.plaintext);
		return key;
	};
	keysService.decryptDataKey = async (request) => {
		const key = await services.keys.decryptDataKey(request);
		seen.buffers.push(key.plaintext);
		return key;
	};
	return {watched: {...services, keys: keysService}, seen};
}

const isZero = (buffer: Buffer | undefined) => buffer?.every((b) => b === 0) === true;

describe('Learn envelope encryption', () => {
	it('runs the six steps for real and never shows the data key', async () => {
		const keyId = await createKey(sandbox);
		const settings = await testSettings({keyRef: keyId});
		const {watched, seen} = watchedServices();
		// Rows enough for every step whole (small-terminal.test.tsx scrolls them at 80×24 and 60×20).
		const {lastFrame, stdin, frames} = renderWithApp(undefined, {
			services: watched,
			settings,
			route: {name: 'learn', lesson: {id: 'envelope', title: 'Envelope encryption'}},
			rows: 50,
		});
		await waitForFrame(
			lastFrame,
			(f) => f.includes('enter runs step 1: GenerateDataKey') && f.includes('enter next step'),
		);

		let frame = flat(await press(stdin, lastFrame, keys.enter, 'Step 1 of 6'));
		expect(frame).toMatch(/Plaintext key [0-9a-f]{2} [0-9a-f]{2} •••• \(32 bytes\)/);
		expect(frame).toMatch(/CiphertextBlob \d+ bytes \(encrypted key\)/);
		expect(frame).toMatch(new RegExp(`Key ARN arn:aws:kms:\\S+:key/${keyId}`));
		expect(frame).toContain(`aws kms generate-data-key --key-id ${keyId} --key-spec AES_256`);
		expect(frame).toContain('CLI: kms-tui encrypt FILE --format json');
		expect(seen.hex).toHaveLength(1);

		frame = flat(await press(stdin, lastFrame, keys.enter, 'Step 2 of 6'));
		expect(frame).toMatch(/IV \(12 bytes\) [0-9a-f]{24} /);
		expect(frame).toMatch(/Tag \(16 bytes\) [0-9a-f]{32} /);
		expect(frame).toMatch(/Ciphertext ([0-9a-f]{2} ){24}… \(\d+ bytes\)/);

		frame = flat(await press(stdin, lastFrame, keys.enter, 'Step 3 of 6'));
		for (const field of ['"keyArn"', '"encryptedDataKey"', '"iv"', '"authTag"', '"ciphertext"'])
			expect(frame).toContain(field);
		expect(frame).toContain('CLI: kms-tui inspect FILE.kms.json');

		expect(isZero(seen.buffers[0])).toBe(false);
		frame = flat(await press(stdin, lastFrame, keys.enter, 'Step 4 of 6'));
		expect(frame).toContain('Key bytes now 00 00 00 … (32 bytes)');
		expect(isZero(seen.buffers[0])).toBe(true);

		frame = flat(await press(stdin, lastFrame, keys.enter, 'Step 5 of 6'));
		expect(frame).toMatch(new RegExp(`KMS used key arn:aws:kms:\\S+:key/${keyId}`));
		expect(frame).toContain('aws kms decrypt --ciphertext-blob fileb://data-key.bin');

		frame = flat(await press(stdin, lastFrame, keys.enter, 'Step 6 of 6'));
		expect(frame).toContain('✓ identical to the original');
		expect(frame).toContain('wiped: 00 00 00 … (32 bytes)');
		expect(frame).toContain('CLI: kms-tui decrypt FILE.kms.json');
		expect(isZero(seen.buffers[1])).toBe(true);

		// Not in any frame ever drawn: the key's hex beyond the two masked bytes, spaced or not.
		const [hex = ''] = seen.hex;
		const hidden = hex.slice(4, 20);
		const spaced = hidden.match(/../g)?.join(' ') ?? '';
		for (const drawn of frames.map(plain)) {
			expect(drawn).not.toContain(hidden);
			expect(drawn).not.toContain(spaced);
		}
		await press(stdin, lastFrame, keys.enter, 'enter runs step 1');
	});

	it('wipes the data key when left with esc mid-way, and opens from Home with l and the list', async () => {
		const keyId = await createKey(sandbox);
		const settings = await testSettings({keyRef: keyId, stackName: 'LearnHome'});
		const {watched, seen} = watchedServices();
		const {lastFrame, stdin} = renderWithApp(undefined, {services: watched, settings});
		await waitForFrame(lastFrame, 'l learn');
		await press(
			stdin,
			lastFrame,
			'l',
			(f) => f.includes('› 1 Envelope encryption') && f.includes('enter open lesson'),
		);
		await press(stdin, lastFrame, keys.enter, 'enter next step');
		await press(stdin, lastFrame, keys.enter, 'Step 1 of 6');
		expect(isZero(seen.buffers[0])).toBe(false);
		// esc: back to the list (the lesson's key wiped), esc again: Home.
		await press(stdin, lastFrame, keys.escape, 'enter open lesson');
		expect(isZero(seen.buffers[0])).toBe(true);
		await press(stdin, lastFrame, keys.escape, 'The lifecycle of a KMS key');
	});
});
