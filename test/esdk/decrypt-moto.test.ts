/**
 * One round trip through moto's KMS, where moto runs: the real AWS Encryption SDK encrypts with
 * a KMS keyring on moto, `kms-tui decrypt --endpoint-url` (the built CLI) gives the plaintext.
 */
import {randomBytes} from 'node:crypto';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {CreateKeyCommand, KMS} from '@aws-sdk/client-kms';
import {afterAll, describe, expect, it} from 'vitest';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {type MotoServer, startMoto} from '../helpers/moto.js';
import {credentials, kmsKeyring, sdkEncrypt} from './decrypt-helpers.js';

const moto = await startMoto();
if ('skipped' in moto) console.warn(`[esdk decrypt on moto] skipped: ${moto.skipped}`);
const server: MotoServer | undefined = 'server' in moto ? moto.server : undefined;
afterAll(async () => {
	await server?.close();
});

describe.runIf(server)('kms-tui decrypt of an SDK message on moto', () => {
	it('decrypts what the SDK encrypted with a KMS keyring on moto, context included', async () => {
		const endpoint = (server as MotoServer).endpoint;
		const work = await mkdtemp(path.join(tmpdir(), 'kms-tui-esdk-moto-'));
		const kms = new KMS({endpoint, region: 'us-east-1', credentials});
		try {
			const keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
			const plaintext = randomBytes(100_000);
			const message = await sdkEncrypt(kmsKeyring(kms, [keyArn]), plaintext, {
				encryptionContext: {purpose: 'moto'},
			});
			await writeFile(path.join(work, 'm.encrypted'), message);
			const result = await runCli(
				[
					'--endpoint-url',
					endpoint,
					'--region',
					'us-east-1',
					'decrypt',
					'm.encrypted',
					'--context',
					'purpose=moto',
				],
				{env: cleanEnv(work), cwd: work},
			);
			expect(result.code, result.stderr).toBe(0);
			expect(result.stdout.trim()).toBe('m');
			expect((await readFile(path.join(work, 'm'))).equals(plaintext)).toBe(true);
		} finally {
			kms.destroy();
			await rm(work, {recursive: true, force: true});
		}
	});
});
