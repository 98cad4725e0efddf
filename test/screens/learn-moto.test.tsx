/**
 * The lessons on another KMS: moto's server, where it can start (it can on the CI image). Each
 * lesson runs to its end, and where moto differs from AWS the lesson says so instead of
 * passing moto's behaviour off as KMS's.
 */
import {CreateKeyCommand, KMSClient} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LessonId} from '../../source/learn/lesson.js';
import {lessonById} from '../../source/learn/lessons.js';
import {createServices, type Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';
import {renderWithApp, testSettings} from '../helpers/render.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

const started = await startMoto();
const moto: MotoServer | undefined = 'server' in started ? started.server : undefined;
if (!moto) console.warn(`[learn-moto] skipped: ${'skipped' in started ? started.skipped : ''}`);

describe.runIf(moto)('Learn on moto', () => {
	let services: Services;
	let kms: KMSClient;
	const connection = {
		region: 'us-east-1',
		endpoint: moto?.endpoint ?? '',
		staticCredentials: {accessKeyId: 'moto', secretAccessKey: 'moto'},
	};

	beforeAll(() => {
		services = createServices({...connection, isLocal: true, pollMs: 50});
		kms = new KMSClient({
			region: connection.region,
			endpoint: connection.endpoint,
			credentials: connection.staticCredentials,
		});
	});
	afterAll(async () => {
		services?.close();
		kms?.destroy();
		await moto?.close();
	});

	/** Runs every step of a lesson on a fresh moto key; the frames of each step, flattened. */
	async function runLesson(id: LessonId): Promise<{keyId: string; frames: string[]}> {
		const output = await kms.send(new CreateKeyCommand({Description: `learn ${id}`}));
		const keyId = output.KeyMetadata?.KeyId ?? '';
		const settings = await testSettings({keyRef: keyId});
		process.env.KMS_TUI_STATE_DIR = settings.cwd;
		const lesson = lessonById(id);
		const {stdin, lastFrame} = renderWithApp(undefined, {
			services,
			settings,
			targetKind: 'endpoint',
			route: {name: 'learn', lesson: {id, title: lesson.title}},
			rows: 50,
		});
		await waitForFrame(lastFrame, 'enter runs step 1');
		const frames: string[] = [];
		for (let n = 1; n <= lesson.steps.length; n++) {
			const done = (f: string) =>
				(f.includes(`Step ${n} of`) && !f.includes('Running step')) ||
				f.includes('This step failed');
			let frame = await press(
				stdin,
				lastFrame,
				keys.enter,
				(f) => done(f) || f.includes('to confirm'),
			);
			if (frame.includes('to confirm')) {
				await type(stdin, lastFrame, keyId);
				frame = await press(stdin, lastFrame, keys.enter, done);
			}
			frames.push(flat(frame));
		}
		return {keyId, frames};
	}

	it('why envelopes: moto refuses 4097 bytes as KMS does', async () => {
		const {frames} = await runLesson('why-envelopes');
		expect(frames[0]).toMatch(/KMS answered ✓ a \d+-byte CiphertextBlob/);
		// moto enforces the limit with AWS's own exception and message.
		expect(frames[1]).toContain('KMS refused ✘ ValidationException');
		expect(frames[1]).toContain('Member must have length less than or equal to 4096');
		expect(frames[2]).toContain('KMS calls 1 GenerateDataKey');
	});

	it('encryption context: moto refuses the wrong context too', async () => {
		const {frames} = await runLesson('context');
		expect(frames[1]).toContain('KMS refused ✘ InvalidCiphertextException');
		expect(frames[2]).toContain('✓ identical to the original');
	});

	it('tamper: the refusal is local, so it is the same on any endpoint', async () => {
		const {frames} = await runLesson('tamper');
		expect(frames[2]).toMatch(/Decrypt ✘ tampered: /);
		expect(frames[2]).toContain('Output ✓ note.decrypted.txt does not exist');
	});

	it('GenerateDataKeyWithoutPlaintext and ReEncrypt: the same fingerprint on moto', async () => {
		const {frames} = await runLesson('reencrypt');
		const prints = frames[2]?.match(/sha256:[0-9a-f]{16}/g) ?? [];
		expect(prints).toHaveLength(2);
		expect(prints[1]).toBe(prints[0]);
		expect(frames[2]).toContain('✓ the same data key');
	});

	it('rotation: rotates, and says moto reports no key material ids', async () => {
		const {frames} = await runLesson('rotation');
		expect(frames[1]).toContain('Rotated ✓ RotateKeyOnDemand accepted');
		// moto rotates, but its Decrypt has no KeyMaterialId: the lesson says so, and guesses nothing.
		expect(frames[2]).toContain(
			'Old ciphertext ✓ decrypts, material not reported by this endpoint',
		);
		expect(frames[2]).toContain(
			'Materials not reported by this endpoint (AWS returns KeyMaterialId on Decrypt)',
		);
	});
});
