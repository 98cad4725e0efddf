/**
 * `kms-tui inspect` shows an envelope's header as it is stored, and nothing in it is
 * authenticated: a crafted context value, key ARN or name must reach the terminal escaped, never
 * as the ESC sequences, C1 controls or bidi overrides it holds (issue 10 item 7). Runs the built
 * CLI (`npm run build` first); inspect needs no KMS and no sandbox.
 */
import {randomBytes} from 'node:crypto';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {serializeHeader} from '../../source/envelope/format.js';
import type {EnvelopeHeader} from '../../source/envelope/index.js';
import {cleanEnv, runCli} from '../helpers/cli.js';
import {tempDirPerTest} from '../helpers/local-data-keys.js';

const dir = tempDirPerTest();

function craftedHeader(
	version: 1 | 2,
	context: Record<string, string>,
	keyArns: readonly string[],
): EnvelopeHeader {
	return {
		format: 'kms-tui-envelope',
		version,
		algorithm: 'AES-256-GCM-HKDF-SHA512-COMMIT',
		encryptionContext: context,
		messageId: randomBytes(32).toString('hex'),
		frameSize: 1024 * 1024,
		commitment: randomBytes(32).toString('base64'),
		createdAt: '2026-01-01T00:00:00.000Z',
		wrappedKeys: keyArns.map((keyArn) => ({
			keyArn,
			encryptedDataKey: randomBytes(40).toString('base64'),
		})),
	};
}

async function inspectCrafted(header: EnvelopeHeader) {
	const file = path.join(dir(), 'crafted.kms');
	await writeFile(
		file,
		Buffer.concat([Buffer.from(`${serializeHeader(header)}\n`), randomBytes(16)]),
	);
	return runCli(['inspect', file], {env: cleanEnv(dir()), cwd: dir()});
}

describe.each([1, 2] as const)('version %i', (version) => {
	test('inspect escapes every header value it prints: context keys and values, the key ARN', async () => {
		const result = await inspectCrafted(
			craftedHeader(
				version,
				{
					'title\u001b]0;pwned\u0007': 'clear\u001b[2J\u001b[H',
					purpose: 'c1\u009b31m bidi\u202egnp.exe line\u2028sep bom\ufeff',
				},
				['arn:aws:kms:us-east-1:111122223333:key/1234'],
			),
		);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain(`kms-tui envelope v${version} (binary)`);
		expect(result.stdout).toMatch(/\n {2}key {10}arn:aws:kms:us-east-1:111122223333:key\/1234\n/);
		expect(result.stdout).toContain('title\\e]0;pwned\\u{0007}=clear\\e[2J\\e[H');
		expect(result.stdout).toContain(
			'c1\\u{009b}31m bidi\\u{202e}gnp.exe line\\u{2028}sep bom\\u{feff}',
		);
		// Nothing a terminal acts on is left, newlines between the lines aside.
		expect(result.stdout).not.toMatch(
			// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
			/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e\u2028\ufeff]/u,
		);
	});
});

test('an envelope whose key ARN holds a bidi override is not an envelope (v1)', async () => {
	const result = await inspectCrafted(
		craftedHeader(1, {}, ['arn:aws:kms:us-east-1:111122223333:key/\u202e4321']),
	);
	expect(result.code).toBe(1);
	expect(result.stderr).toContain('field "keyArn" is invalid');
	expect(result.stderr).not.toContain('\u202e');
});

test('v2: every wrapped key is listed in order; a disguised ARN in any of them is refused', async () => {
	const arns = [
		'arn:aws:kms:us-east-1:111122223333:key/1111',
		'arn:aws:kms:eu-west-1:111122223333:key/2222',
		'arn:aws:kms:us-east-1:000000000000:key/3333',
	];
	const listed = await inspectCrafted(craftedHeader(2, {}, arns));
	expect(listed.code, listed.stderr).toBe(0);
	expect(listed.stdout).toContain(
		[
			`  keys         1. ${arns[0]}`,
			`               2. ${arns[1]}`,
			`               3. ${arns[2]}  (a kms-tui sandbox key)`,
		].join('\n'),
	);
	const json = await runCli(['inspect', path.join(dir(), 'crafted.kms'), '--json'], {
		env: cleanEnv(dir()),
		cwd: dir(),
	});
	expect(JSON.parse(json.stdout).wrappedKeys).toEqual(
		arns.map((keyArn) => ({keyArn, encryptedDataKeyBytes: 40})),
	);

	const disguised = await inspectCrafted(
		craftedHeader(2, {}, [arns[0] as string, 'arn:aws:kms:us-east-1:111122223333:key/\u202e4321']),
	);
	expect(disguised.code).toBe(1);
	expect(disguised.stderr).toContain('field "wrappedKeys[1].keyArn" is invalid');
	expect(disguised.stderr).not.toContain('\u202e');
});
