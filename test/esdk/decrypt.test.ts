/**
 * Messages made by the real AWS Encryption SDK (@aws-crypto/client-node with a KMS keyring on
 * `kms-tui sandbox serve`) → `kms-tui decrypt` (the built CLI, a real process) gives back the
 * plaintext: every size around the frame length, both committing suites, 4 KiB and 64 KiB
 * frames, non-framed content, the legacy v1 suites behind --allow-non-committing, contexts,
 * several data keys with the first key disabled; and what is refused, with nothing written.
 */
import {randomBytes} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {DisableKeyCommand} from '@aws-sdk/client-kms';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	type EsdkFixture,
	kmsKeyring,
	nonFramedMessage,
	rawAesKeyring,
	sdkEncrypt,
	startEsdkFixture,
} from './decrypt-helpers.js';

let fx: EsdkFixture;
let keyArn: string;
let counter = 0;

beforeAll(async () => {
	fx = await startEsdkFixture('decrypt');
	keyArn = await fx.newKey();
});
afterAll(async () => {
	await fx?.close();
});

/** Writes `message`, decrypts it with the CLI into a fresh name; returns the result and bytes. */
async function decryptMessage(message: Buffer, flags: string[] = []) {
	const name = `m-${++counter}`;
	await fx.write(`${name}.encrypted`, message);
	const result = await fx.cli(['decrypt', `${name}.encrypted`, '-o', `${name}.out`, ...flags]);
	const output = await readFile(path.join(fx.work, `${name}.out`)).catch(() => undefined);
	return {result, output, name};
}

async function expectRoundTrip(plaintext: Buffer, message: Buffer, flags: string[] = []) {
	const {result, output} = await decryptMessage(message, flags);
	expect(result.code, result.stderr).toBe(0);
	expect(output?.equals(plaintext), `${plaintext.length} bytes`).toBe(true);
}

describe('kms-tui decrypt of AWS Encryption SDK messages', () => {
	for (const [suiteId, frameLength] of [
		[0x0578, 4096],
		[0x0478, 4096],
		[0x0578, 65536],
		[0x0478, 65536],
	] as const) {
		it(`suite 0x0${suiteId.toString(16)}, ${frameLength}-byte frames: 0, 1, F−1, F, F+1 bytes and 3 MiB + 5`, async () => {
			for (const size of [
				0,
				1,
				frameLength - 1,
				frameLength,
				frameLength + 1,
				3 * 1024 * 1024 + 5,
			]) {
				const plaintext = randomBytes(size);
				const message = await sdkEncrypt(kmsKeyring(fx.kms, [keyArn]), plaintext, {
					suiteId,
					frameLength,
				});
				await expectRoundTrip(plaintext, message);
			}
		});
	}

	it('decrypts to standard output, and the default name drops the Encryption CLI suffix .encrypted', async () => {
		const text = 'line of text for standard output\n'.repeat(3000);
		const message = await sdkEncrypt(kmsKeyring(fx.kms, [keyArn]), Buffer.from(text));
		await fx.write('report.txt.encrypted', message);
		const named = await fx.cli(['decrypt', 'report.txt.encrypted']);
		expect(named.code, named.stderr).toBe(0);
		expect(named.stdout.trim()).toBe('report.txt');
		expect(await readFile(path.join(fx.work, 'report.txt'), 'utf8')).toBe(text);
		const piped = await fx.cli(['decrypt', 'report.txt.encrypted', '-o', '-']);
		expect(piped.code, piped.stderr).toBe(0);
		expect(piped.stdout).toBe(text);
		// Standard input to standard output, binary plaintext.
		const binary = randomBytes(100_000);
		const stdin = await fx.cli(
			['decrypt', '-'],
			await sdkEncrypt(kmsKeyring(fx.kms, [keyArn]), binary),
		);
		expect(stdin.code, stdin.stderr).toBe(0);
		expect(stdin.stdoutBytes.equals(binary)).toBe(true);
	});

	it('decrypts non-framed content (built from the specification)', async () => {
		for (const size of [0, 1, 200_000]) {
			const plaintext = randomBytes(size);
			const message = await nonFramedMessage(fx.kms, keyArn, plaintext, {purpose: 'non-framed'});
			await expectRoundTrip(plaintext, message);
			await expectRoundTrip(plaintext, message, ['--context', 'purpose=non-framed']);
		}
	});

	it('refuses the legacy message format v1 suites unless --allow-non-committing, naming suite and flag', async () => {
		for (const suiteId of [0x0378, 0x0214, 0x0178, 0x0014]) {
			const plaintext = randomBytes(5000);
			const message = await sdkEncrypt(kmsKeyring(fx.kms, [keyArn]), plaintext, {suiteId});
			const refused = await decryptMessage(message);
			expect(refused.result.code).toBe(1);
			expect(refused.result.stderr).toContain(`0x0${suiteId.toString(16).padStart(3, '0')}`);
			expect(refused.result.stderr).toContain('--allow-non-committing');
			expect(refused.result.stderr).toContain('different plaintexts');
			expect(refused.output).toBeUndefined();
			await expectRoundTrip(plaintext, message, ['--allow-non-committing']);
		}
	});

	it('passes the stored context to KMS and requires --context pairs before KMS is asked', async () => {
		const plaintext = randomBytes(9000);
		const encryptionContext = {purpose: 'backup', team: 'ops'};
		const message = await sdkEncrypt(kmsKeyring(fx.kms, [keyArn]), plaintext, {encryptionContext});
		await expectRoundTrip(plaintext, message, [
			'--context',
			'purpose=backup',
			'--context',
			'team=ops',
		]);
		const wrong = await decryptMessage(message, ['--context', 'purpose=other']);
		expect(wrong.result.code).toBe(1);
		expect(wrong.result.stderr).toContain('does not contain purpose=other');
		expect(wrong.result.stderr).toContain('KMS was not asked');
		expect(wrong.output).toBeUndefined();
		expect(await fx.leftovers(wrong.name)).toEqual([`${wrong.name}.encrypted`]);
	});

	it('several data keys: the first key disabled, the second opens; all named when none does', async () => {
		const first = await fx.newKey();
		const second = await fx.newKey();
		const plaintext = randomBytes(20_000);
		const message = await sdkEncrypt(kmsKeyring(fx.kms, [first, second]), plaintext);
		await fx.kms.send(new DisableKeyCommand({KeyId: first}));
		await expectRoundTrip(plaintext, message);
		await fx.kms.send(new DisableKeyCommand({KeyId: second}));
		const none = await decryptMessage(message);
		expect(none.result.code).toBe(1);
		expect(none.result.stderr).toContain(first);
		expect(none.result.stderr).toContain(second);
		expect(none.result.stderr).toContain('disabled');
		expect(none.output).toBeUndefined();
	});

	it('refuses a data key of another provider, naming it, before KMS is asked', async () => {
		const message = await sdkEncrypt(rawAesKeyring('kms-tui-bench', 'bench-key'), randomBytes(100));
		const refused = await decryptMessage(message);
		expect(refused.result.code).toBe(1);
		expect(refused.result.stderr).toContain(
			'raw AES keyring (provider "kms-tui-bench", key "bench-key")',
		);
		expect(refused.result.stderr).toContain('aws-kms');
		expect(refused.output).toBeUndefined();
	});

	it('refuses more encrypted data keys than --max-encrypted-data-keys', async () => {
		const plaintext = randomBytes(100);
		const message = await sdkEncrypt(kmsKeyring(fx.kms, [keyArn, await fx.newKey()]), plaintext);
		const refused = await decryptMessage(message, ['--max-encrypted-data-keys', '1']);
		expect(refused.result.code).toBe(1);
		expect(refused.result.stderr).toContain('2 encrypted data keys, more than the limit of 1');
		await expectRoundTrip(plaintext, message, ['--max-encrypted-data-keys', '2']);
	});
});
