/**
 * `kms-tui inspect` shows an envelope's header as it is stored, and nothing in it is
 * authenticated: a crafted context value, key ARN or name must reach the terminal escaped, never
 * as the ESC sequences, C1 controls or bidi overrides it holds (issue 10 item 7). Runs the built
 * CLI (`npm run build` first); inspect needs no KMS and no sandbox.
 */
import {randomBytes} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {expect, test} from 'vitest';
import {serializeHeader} from '../../source/envelope/format.js';
import type {EnvelopeHeader} from '../../source/envelope/index.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {tempDirPerTest} from '../helpers/local-data-keys.js';

const dir = tempDirPerTest();

function craftedHeader(context: Record<string, string>, keyArn: string): EnvelopeHeader {
	return {
		format: 'kms-tui-envelope',
		version: 1,
		algorithm: 'AES-256-GCM-HKDF-SHA512-COMMIT',
		keyArn,
		encryptedDataKey: randomBytes(40).toString('base64'),
		encryptionContext: context,
		messageId: randomBytes(32).toString('hex'),
		frameSize: 1024 * 1024,
		commitment: randomBytes(32).toString('base64'),
		createdAt: '2026-01-01T00:00:00.000Z',
	};
}

test('inspect escapes every header value it prints: context keys and values, the key ARN', async () => {
	const header = craftedHeader(
		{
			'title\u001b]0;pwned\u0007': 'clear\u001b[2J\u001b[H',
			purpose: 'c1\u009b31m bidi\u202egnp.exe line\u2028sep bom\ufeff',
		},
		'arn:aws:kms:us-east-1:111122223333:key/1234',
	);
	const file = path.join(dir(), 'crafted.kms');
	await writeFile(
		file,
		Buffer.concat([Buffer.from(`${serializeHeader(header)}\n`), randomBytes(16)]),
	);
	const result = await runCli(['inspect', file], {env: cleanEnv(dir()), cwd: dir()});
	expect(result.code, result.stderr).toBe(0);
	expect(result.stdout).toContain('title\\e]0;pwned\\u{0007}=clear\\e[2J\\e[H');
	expect(result.stdout).toContain(
		'c1\\u{009b}31m bidi\\u{202e}gnp.exe line\\u{2028}sep bom\\u{feff}',
	);
	// Nothing a terminal acts on is left, newlines between the lines aside.
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
	expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e\u2028\ufeff]/u);
});

test('an envelope whose key ARN holds a bidi override is not an envelope', async () => {
	const header = craftedHeader({}, 'arn:aws:kms:us-east-1:111122223333:key/\u202e4321');
	const file = path.join(dir(), 'crafted.kms');
	await writeFile(
		file,
		Buffer.concat([Buffer.from(`${serializeHeader(header)}\n`), randomBytes(16)]),
	);
	const result = await runCli(['inspect', file], {env: cleanEnv(dir()), cwd: dir()});
	expect(result.code).toBe(1);
	expect(result.stderr).toContain('field "keyArn" is invalid');
	expect(result.stderr).not.toContain('\u202e');
});
