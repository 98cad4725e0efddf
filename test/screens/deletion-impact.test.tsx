/**
 * The TUI's deletion screens say what a deletion would break, with the same scan as the CLI:
 * the envelopes under cwd only this key opens (an SDK message among them), those another key
 * opens too, the aliases left dangling (one made outside the stack), the last use; Key deletion
 * offers "disable first"; Cleanup offers to comment out the .env variables naming the key.
 */
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {encryptFile} from '../../source/envelope/index.js';
import {encryptEsdk} from '../../source/esdk/encrypt.js';
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
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

async function plainFile(dir: string, name: string): Promise<string> {
	const file = path.join(dir, name);
	await writeFile(file, `contents of ${name}`);
	return file;
}

describe('deletion impact in the TUI', () => {
	it('Key deletion lists what breaks, and d disables the key first', async () => {
		const keyId = await createKey(sandbox);
		const otherId = await createKey(sandbox, 'another key');
		const {arn} = await services.keys.describeKey(keyId);
		const other = await services.keys.describeKey(otherId);
		await services.keys.createAlias('alias/impact-by-hand', keyId);
		const settings = await testSettings({keyRef: keyId});
		const {cwd} = settings;
		const provider = services.keys;
		await encryptFile({input: await plainFile(cwd, 'a.txt'), provider, keyId: arn});
		await encryptEsdk({
			input: await plainFile(cwd, 'b.txt'),
			provider,
			keyIds: [arn],
			suite: 'unsigned',
		});
		await encryptFile({
			input: await plainFile(cwd, 'shared.txt'),
			provider,
			keyId: [other.arn, arn],
		});

		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'deletion'},
		});
		let frame = flat(await waitForFrame(lastFrame, /Last used/));
		expect(frame).toContain('2 envelopes under');
		expect(frame).toContain('would become unreadable: a.txt.kms b.txt.encrypted');
		expect(frame).toContain('1 more also opens under another key: shared.txt.kms');
		expect(frame).toContain('Aliases left on a key that cannot be used: alias/impact-by-hand');
		expect(frame).toMatch(/Last used: (GenerateDataKey|Encrypt) on \d{4}-\d\d-\d\d/);
		expect(frame).toContain('Disable first (recommended)');
		expect(frame).toContain('d disable first');
		expect(frame).toContain('CLI: kms-tui delete-key --disable');

		frame = flat(await press(stdin, lastFrame, 'd', 'e enable key'));
		expect(frame).toContain('fails with DisabledException');
		expect((await services.keys.describeKey(keyId)).state).toBe('Disabled');
		expect(frame).not.toContain('d disable first');
	});

	it('Cleanup warns of the alias made outside the stack, disables first, then comments out .env', async () => {
		const {keyId} = await deployStack(services, 'ImpactStack', {AliasName: 'alias/impact-stack'});
		await services.keys.createAlias('alias/impact-stack-by-hand', keyId);
		const {arn} = await services.keys.describeKey(keyId);
		const settings = await testSettings({stackName: 'ImpactStack'});
		const {cwd} = settings;
		await encryptFile({
			input: await plainFile(cwd, 'data.txt'),
			provider: services.keys,
			keyId: arn,
		});
		const before = `# app\r\nKMS_KEY_ID=${keyId}\r\nKMS_KEY_ALIAS=alias/impact-stack\r\nOTHER=1\r\n`;
		await writeFile(path.join(cwd, '.env'), before);

		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'cleanup'},
		});
		let frame = flat(await waitForFrame(lastFrame, /Last used/));
		expect(frame).toContain('1 envelope under');
		expect(frame).toContain('would become unreadable: data.txt.kms');
		expect(frame).toContain(
			'Aliases made outside the stack, left pointing at a key pending deletion: alias/impact-stack-by-hand',
		);
		expect(frame).not.toMatch(/pending deletion: [^\n]*alias\/impact-stack[, ]/);
		expect(frame).toContain('Disable first (recommended)');

		frame = flat(await press(stdin, lastFrame, 'd', 'The key is Disabled'));
		expect((await services.keys.describeKey(keyId)).state).toBe('Disabled');
		expect(frame).not.toContain('d disable key first');
		await waitForFrame(lastFrame, /Last used/);

		await press(stdin, lastFrame, 'x', 'Type ImpactStack to confirm');
		await type(stdin, lastFrame, 'ImpactStack');
		frame = flat(await press(stdin, lastFrame, keys.enter, /still names the deleted key/));
		expect(frame).toContain('KMS_KEY_ID (line 2), KMS_KEY_ALIAS (line 3)');
		expect(frame).toContain('c comment out in .env');
		frame = flat(await press(stdin, lastFrame, 'c', /Commented out/));
		expect(frame).toContain('.env.bak');
		expect(await readFile(path.join(cwd, '.env'), 'utf8')).toBe(
			`# app\r\n# kms-tui destroy: the key named below was deleted with its stack\r\n# KMS_KEY_ID=${keyId}\r\n# KMS_KEY_ALIAS=alias/impact-stack\r\nOTHER=1\r\n`,
		);
		expect(await readFile(path.join(cwd, '.env.bak'), 'utf8')).toBe(before);
	});
});
