/**
 * The five KMS lessons after the envelope walkthrough, each driven through its steps against the
 * real sandbox (real SDK clients over HTTP), asserting what KMS really answered; and the lesson
 * list's progress file: remembered across renders, resumed where the learner stopped.
 */
import {readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import {ListKeyRotationsCommand} from '@aws-sdk/client-kms';
import {describe, expect, it, vi} from 'vitest';
import type {Settings} from '../../source/hooks/use-app-context.js';
import type {LessonId} from '../../source/learn/lesson.js';
import {lessonById} from '../../source/learn/lessons.js';
import type {KeyService, Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {
	createKey,
	type RenderOptions,
	renderWithApp,
	screenSandbox,
	testSettings,
} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, plain, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

/**
 * A fresh key and settings whose temp dir is also the state dir, so the progress file of each
 * test is its own (source/learn/progress.ts reads KMS_TUI_STATE_DIR when it is called).
 */
async function setUp(overrides: Partial<Settings> = {}) {
	const keyId = await createKey(sandbox, 'learn lessons');
	const settings = await testSettings({keyRef: keyId, ...overrides});
	process.env.KMS_TUI_STATE_DIR = settings.cwd;
	return {keyId, settings};
}

/**
 * The real KeyService, watched: every plaintext it hands out (data keys and decrypted samples),
 * as hex to prove no frame shows one, and the Buffers themselves to prove they were zeroed.
 */
function watched() {
	const seen: {hex: string[]; buffers: Buffer[]} = {hex: [], buffers: []};
	const keysService = Object.create(services.keys) as KeyService;
	const note = (plaintext: Buffer) => {
		seen.hex.push(plaintext.toString('hex'));
		seen.buffers.push(plaintext);
	};
	keysService.generateDataKey = async (request) => {
		const key = await services.keys.generateDataKey(request);
		note(key.plaintext);
		return key;
	};
	keysService.decryptDataKey = async (request) => {
		const key = await services.keys.decryptDataKey(request);
		note(key.plaintext);
		return key;
	};
	return {services: {...services, keys: keysService}, seen};
}

const isZero = (buffer: Buffer) => buffer.every((byte) => byte === 0);

function openLesson(
	id: LessonId,
	options: Omit<RenderOptions, 'route' | 'rows' | 'services'> & {services?: Services},
) {
	const {title} = lessonById(id);
	return renderWithApp(undefined, {
		services,
		...options,
		route: {name: 'learn', lesson: {id, title}},
		// Rows enough for a whole step (the envelope walkthrough's scrolling is small-terminal's).
		rows: 50,
	});
}

/** Presses enter and waits for step `n`'s result. */
async function step(
	rendered: ReturnType<typeof openLesson>,
	n: number,
	total: number,
): Promise<string> {
	const frame = await press(
		rendered.stdin,
		rendered.lastFrame,
		keys.enter,
		(f) => f.includes(`Step ${n} of ${total}`) && !f.includes('Running step'),
	);
	return flat(frame);
}

/** A row's value as the key-value table shows it (one line at 100 columns). */
function row(frame: string, label: string): string {
	const line = frame.split('\n').find((candidate) => candidate.trimStart().startsWith(label));
	return line?.trim().slice(label.length).trim() ?? '';
}

describe('Learn: the 4 KB limit', () => {
	it('encrypts 4096 bytes directly, gets KMS’s own ValidationException at 4097, then uses a data key', async () => {
		const {keyId, settings} = await setUp();
		const spy = watched();
		const rendered = openLesson('why-envelopes', {settings, services: spy.services});
		await waitForFrame(rendered.lastFrame, 'enter runs step 1: Encrypt 4096 bytes directly');

		let frame = await step(rendered, 1, 3);
		expect(frame).toContain('Sent to KMS 4096 bytes of plaintext');
		expect(frame).toMatch(/KMS answered ✓ a \d+-byte CiphertextBlob/);
		expect(frame).toContain(`aws kms encrypt --key-id ${keyId} --plaintext fileb://4096.bin`);

		frame = await step(rendered, 2, 3);
		expect(frame).toContain('Sent to KMS 4097 bytes of plaintext');
		expect(frame).toContain('KMS refused ✘ ValidationException');
		expect(frame).toContain(
			"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
		);

		frame = await step(rendered, 3, 3);
		expect(frame).toContain('KMS calls 1 GenerateDataKey');
		expect(frame).toMatch(/Encrypted here 1048576 bytes → 1048592 bytes/);
		expect(frame).toContain('So kms-tui encrypt always uses a data key');
		expect(spy.seen.buffers).toHaveLength(1);
		expect(isZero(spy.seen.buffers[0] as Buffer)).toBe(true);
	});
});

describe('Learn: encryption context', () => {
	it('is refused by KMS with the wrong context and decrypts with the right one', async () => {
		const {keyId, settings} = await setUp();
		const spy = watched();
		const rendered = openLesson('context', {settings, services: spy.services});
		await waitForFrame(rendered.lastFrame, 'enter runs step 1');

		let frame = await step(rendered, 1, 3);
		expect(frame).toContain('Context {"purpose":"learn","file":"notes.txt"}');
		expect(frame).toContain(
			`aws kms encrypt --key-id ${keyId} --plaintext fileb://notes.txt --encryption-context purpose=learn,file=notes.txt`,
		);
		expect(frame).toContain(
			'CLI: kms-tui encrypt notes.txt --context purpose=learn --context file=notes.txt',
		);

		frame = await step(rendered, 2, 3);
		expect(frame).toContain('Context sent {"purpose":"learn","file":"other.txt"}');
		expect(frame).toContain('KMS refused ✘ InvalidCiphertextException');
		expect(spy.seen.buffers).toHaveLength(0);

		frame = await step(rendered, 3, 3);
		expect(frame).toContain('Decrypted "Meet me at the old oak tree at noon. Bring the map."');
		expect(frame).toContain('✓ identical to the original');
		expect(frame).toContain('CloudTrail logs it');
		// The decrypted sample was zeroed once shown.
		expect(spy.seen.buffers.every(isZero)).toBe(true);
	});
});

describe('Learn: tamper', () => {
	it('flips one byte of a real envelope: decrypt refuses, writes nothing, and the temp dir goes', async () => {
		const {settings} = await setUp();
		const rendered = openLesson('tamper', {settings});
		await waitForFrame(rendered.lastFrame, 'enter runs step 1: Make an envelope');

		let frame = await step(rendered, 1, 3);
		const dir = row(plain(rendered.lastFrame()), 'Temp dir');
		expect(path.basename(dir)).toMatch(/^kms-tui-learn-/);
		const envelope = await readFile(path.join(dir, 'note.txt.kms'));
		expect(frame).toContain(`Wrote note.txt.kms (${envelope.length} bytes)`);

		frame = await step(rendered, 2, 3);
		const offset = Number(/Changed byte (\d+)/.exec(frame)?.[1]);
		const changed = await readFile(path.join(dir, 'note.txt.kms'));
		expect(changed.length).toBe(envelope.length);
		const differing = [...changed.keys()].filter((index) => changed[index] !== envelope[index]);
		expect(differing).toEqual([offset]);
		expect(offset).toBeGreaterThan(envelope.indexOf(0x0a));

		frame = await step(rendered, 3, 3);
		expect(frame).toMatch(/Decrypt ✘ tampered: /);
		expect(frame).toContain('Output ✓ note.decrypted.txt does not exist: nothing was written');
		// Only the note and its envelope: no output, no temp file left by the refused decrypt.
		expect(frame).toContain('Files in dir note.txt, note.txt.kms');
		expect(frame).toContain('CLI: kms-tui decrypt note.txt.kms -o note.decrypted.txt');
		await vi.waitFor(
			async () =>
				expect(
					await stat(dir).then(
						() => 'exists',
						() => 'gone',
					),
				).toBe('gone'),
			{timeout: 10_000},
		);
	});
});

describe('Learn: GenerateDataKeyWithoutPlaintext and ReEncrypt', () => {
	it('re-wraps one data key and proves it the same by fingerprint, never showing it', async () => {
		const {keyId, settings} = await setUp();
		const spy = watched();
		const rendered = openLesson('reencrypt', {settings, services: spy.services});
		await waitForFrame(rendered.lastFrame, 'enter runs step 1: GenerateDataKeyWithoutPlaintext');

		let frame = await step(rendered, 1, 3);
		expect(frame).toContain('Plaintext none returned');
		expect(frame).toMatch(/Blob A \d+ bytes/);
		expect(frame).toContain(
			`aws kms generate-data-key-without-plaintext --key-id ${keyId} --key-spec AES_256`,
		);

		frame = await step(rendered, 2, 3);
		expect(frame).toContain('A and B different bytes');
		expect(frame).toContain(
			`aws kms re-encrypt --ciphertext-blob fileb://data-key.bin --destination-key-id ${keyId}`,
		);

		await step(rendered, 3, 3);
		const last = plain(rendered.lastFrame());
		const a = row(last, 'Key from A');
		const b = row(last, 'Key from B');
		expect(a).toMatch(/^sha256:[0-9a-f]{16}$/);
		expect(b).toBe(a);
		expect(flat(last)).toContain('✓ the same data key');

		// Two Decrypts of one data key: equal keys, both zeroed, and no frame ever showed one.
		expect(spy.seen.hex).toHaveLength(2);
		expect(spy.seen.hex[1]).toBe(spy.seen.hex[0]);
		expect(spy.seen.buffers.every(isZero)).toBe(true);
		const hidden = (spy.seen.hex[0] ?? '').slice(0, 16);
		for (const drawn of rendered.frames.map(plain)) expect(drawn).not.toContain(hidden);
	});
});

describe('Learn: rotation', () => {
	it('rotates on demand: the old ciphertext still decrypts, under another key material', async () => {
		const {keyId, settings} = await setUp();
		const rendered = openLesson('rotation', {settings});
		await waitForFrame(rendered.lastFrame, 'enter runs step 1: Encrypt before rotating');

		let frame = await step(rendered, 1, 3);
		expect(frame).toMatch(/Decrypt says key material [0-9a-f]{16}…/);

		frame = await step(rendered, 2, 3);
		expect(frame).toContain('Rotated ✓ RotateKeyOnDemand accepted');
		expect(frame).toContain('On-demand used 1 of 25 (a sandbox key: free to try)');
		expect(frame).toContain(`aws kms rotate-key-on-demand --key-id ${keyId}`);
		expect(frame).toContain(`CLI: kms-tui rotation rotate-now --sandbox --key ${keyId}`);

		await step(rendered, 3, 3);
		const last = plain(rendered.lastFrame());
		const before = /✓ decrypts, material ([0-9a-f]{16})/.exec(row(last, 'Old ciphertext'))?.[1];
		const after = /✓ decrypts, material ([0-9a-f]{16})/.exec(row(last, 'New ciphertext'))?.[1];
		expect(before).toBeDefined();
		expect(after).toBeDefined();
		expect(after).not.toBe(before);
		expect(flat(last)).toContain('Materials ✓ different');

		// The material ids shown are the key's real ones: the first and the rotated one.
		const {Rotations = []} = await sandbox.kms().send(new ListKeyRotationsCommand({KeyId: keyId}));
		expect(Rotations).toHaveLength(1);
		expect(Rotations[0]?.KeyMaterialId?.startsWith(after ?? '-')).toBe(true);
	});

	it('asks for the typed key id before rotating a key that is not the sandbox’s', async () => {
		const {keyId, settings} = await setUp();
		const rendered = openLesson('rotation', {settings, targetKind: 'endpoint'});
		const {stdin, lastFrame} = rendered;
		await waitForFrame(lastFrame, 'enter runs step 1');
		await step(rendered, 1, 3);
		const rotations = async () =>
			(await sandbox.kms().send(new ListKeyRotationsCommand({KeyId: keyId}))).Rotations ?? [];

		await press(stdin, lastFrame, keys.enter, `Type ${keyId} to confirm`);
		expect(flat(plain(lastFrame()))).toContain('That uses 1 of its 25 on-demand rotations');
		await type(stdin, lastFrame, 'not-the-key');
		await press(stdin, lastFrame, keys.enter, 'That is not');
		expect(await rotations()).toHaveLength(0);
		// esc closes the question; nothing rotated.
		await press(stdin, lastFrame, keys.escape, 'enter runs step 2');
		expect(await rotations()).toHaveLength(0);

		await press(stdin, lastFrame, keys.enter, `Type ${keyId} to confirm`);
		await type(stdin, lastFrame, keyId);
		await press(stdin, lastFrame, keys.enter, /Rotated\s+✓/);
		expect(await rotations()).toHaveLength(1);
	});

	it('does not rotate under --read-only, and says why', async () => {
		const {keyId, settings} = await setUp({readOnly: true});
		const rendered = openLesson('rotation', {settings});
		await waitForFrame(rendered.lastFrame, 'enter runs step 1');
		await step(rendered, 1, 3);
		const frame = await press(rendered.stdin, rendered.lastFrame, keys.enter, 'This step failed');
		expect(flat(frame)).toContain(
			'--read-only: step 2 (Rotate now (RotateKeyOnDemand)) changes the key',
		);
		const {Rotations = []} = await sandbox.kms().send(new ListKeyRotationsCommand({KeyId: keyId}));
		expect(Rotations).toHaveLength(0);
	});
});

describe('Learn: the lesson list and its progress', () => {
	it('shows how far each lesson got and resumes it there, across renders', async () => {
		const {settings} = await setUp();
		const first = openLesson('context', {settings});
		await waitForFrame(first.lastFrame, 'enter runs step 1');
		await step(first, 1, 3);
		await step(first, 2, 3);
		first.unmount();

		// A new app (as a new kms-tui would be): the list reads the progress file.
		const second = renderWithApp(undefined, {services, settings, route: {name: 'learn'}});
		let frame = await waitForFrame(second.lastFrame, /Encryption context\s+2\/3/);
		expect(frame).toMatch(/› 1 Envelope encryption\s+0\/6/);
		expect(frame).toMatch(/Tamper\s+0\/3/);
		await press(second.stdin, second.lastFrame, keys.down, '› 2 Why envelopes');
		await press(second.stdin, second.lastFrame, keys.down, '› 3 Encryption context');
		frame = await press(second.stdin, second.lastFrame, keys.enter, 'Resumed');
		expect(flat(frame)).toContain('Resumed: you had done 2 of 3 steps (r starts again).');
		// Step 2's result, restored, and step 3 runs on the ciphertext saved by step 1.
		expect(flat(frame)).toContain('KMS refused ✘ InvalidCiphertextException');
		expect(frame).toContain('enter runs step 3: Decrypt with the right context');
		frame = await step(second, 3, 3);
		expect(frame).toContain('✓ identical to the original');

		// esc: the list again, on the same lesson, now done.
		frame = await press(second.stdin, second.lastFrame, keys.escape, /✔ 3\/3/);
		expect(frame).toMatch(/› 3 Encryption context\s+✔ 3\/3/);
	});

	it('starts again on another key, and keeps the first key’s progress in the list', async () => {
		const {settings} = await setUp();
		const first = openLesson('context', {settings});
		await waitForFrame(first.lastFrame, 'enter runs step 1');
		await step(first, 1, 3);
		first.unmount();

		const otherKey = await createKey(sandbox, 'another learner key');
		const second = openLesson('context', {settings: {...settings, keyRef: otherKey}});
		const frame = await waitForFrame(second.lastFrame, 'enter runs step 1');
		expect(frame).not.toContain('Resumed');
	});

	it('never saves a plaintext data key: the envelope lesson resumed mid-way starts its key again', async () => {
		const {settings} = await setUp();
		const spy = watched();
		const first = openLesson('envelope', {settings, services: spy.services});
		await waitForFrame(first.lastFrame, 'enter runs step 1');
		await step(first, 1, 6);
		await step(first, 2, 6);
		first.unmount();

		const saved = await readFile(path.join(settings.cwd, 'learn.json'), 'utf8');
		expect(JSON.parse(saved).lessons.envelope.done).toBe(2);
		const [hex = ''] = spy.seen.hex;
		expect(saved).not.toContain(hex);
		expect(saved).not.toContain(Buffer.from(hex, 'hex').toString('base64'));
		// Unmounting wiped the key the lesson held.
		expect(isZero(spy.seen.buffers[0] as Buffer)).toBe(true);

		const second = openLesson('envelope', {settings, services: spy.services});
		const frame = await waitForFrame(second.lastFrame, 'enter runs step 1');
		expect(flat(frame)).toContain(
			'You had done 2 of 6 steps; a plaintext data key or a temp file is never saved, so the lesson picks up at step 1.',
		);
	});

	it('r starts a lesson again from step 1 and records it', async () => {
		const {settings} = await setUp();
		const rendered = openLesson('why-envelopes', {settings});
		await waitForFrame(rendered.lastFrame, 'enter runs step 1');
		await step(rendered, 1, 3);
		await press(rendered.stdin, rendered.lastFrame, 'r', 'enter runs step 1');
		const saved = JSON.parse(await readFile(path.join(settings.cwd, 'learn.json'), 'utf8'));
		expect(saved.lessons['why-envelopes'].done).toBe(0);
	});
});
