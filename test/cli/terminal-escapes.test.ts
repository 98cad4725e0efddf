/**
 * Untrusted text through the built CLI: a key description, stack outputs, a stack event's
 * reason and an AWS error message that hold terminal controls (set the window title, clear the
 * screen, reverse the text, a C1 CSI) come out as visible escapes, on stdout and stderr alike.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {type CliResult, cleanEnv, runCli} from '../helpers/cli.js';

const crafted = 'x\u001b]0;pwned\u0007\u001b[2J\u202eevil\u009b31m';
const escaped = 'x\\e]0;pwned\\u{0007}\\e[2J\\u{202e}evil\\u{009b}31m';

let work: string;
let env: NodeJS.ProcessEnv;
let deployed: CliResult;
const kms = (...args: string[]) =>
	runCli(['--sandbox', '--sandbox-dir', path.join(work, 'sandbox'), ...args], {env, cwd: work});

function expectEscaped(result: CliResult, where: 'stdout' | 'stderr') {
	for (const stream of [result.stdout, result.stderr]) {
		expect(stream).not.toContain('\u001b');
		expect(stream).not.toContain('\u0007');
		expect(stream).not.toContain('\u202e');
		expect(stream).not.toContain('\u009b');
	}
	expect(result[where]).toContain(escaped);
}

async function template(name: string, body: unknown): Promise<string> {
	const file = path.join(work, name);
	await writeFile(file, JSON.stringify(body));
	return file;
}

beforeAll(async () => {
	work = await mkdtemp(path.join(tmpdir(), 'kms-tui-escapes-'));
	env = cleanEnv(work);
	const file = await template('crafted.json', {
		Resources: {Key: {Type: 'AWS::KMS::Key', Properties: {Description: `d${crafted}`}}},
		Outputs: {KeyId: {Value: {Ref: 'Key'}}, Note: {Value: `n${crafted}`}},
	});
	deployed = await kms('deploy', '--yes', '--template', file);
	expect(deployed.code, deployed.stderr).toBe(0);
});
afterAll(async () => {
	await rm(work, {recursive: true, force: true});
});

describe('untrusted text printed by the CLI is escaped', () => {
	it('stack outputs shown after a deploy', () => {
		expectEscaped(deployed, 'stdout');
		expect(deployed.stdout).toMatch(/Note +n/);
	});

	it('a key description (kms-tui key)', async () => {
		const result = await kms('key');
		expect(result.code, result.stderr).toBe(0);
		expectEscaped(result, 'stdout');
		expect(result.stdout).toContain(`description  d${escaped}`);
	});

	it('--json keeps the exact value, with C1 controls and bidi overrides as \\u escapes', async () => {
		const result = await kms('key', '--json');
		expect(result.code, result.stderr).toBe(0);
		for (const raw of ['\u001b', '\u0007', '\u202e', '\u009b'])
			expect(result.stdout).not.toContain(raw);
		expect(result.stdout).toContain('\\u202e');
		expect(JSON.parse(result.stdout).key.description).toBe(`d${crafted}`);
	});

	it('stack outputs (kms-tui outputs)', async () => {
		const result = await kms('outputs');
		expect(result.code, result.stderr).toBe(0);
		expectEscaped(result, 'stdout');
	});

	it('a failed resource’s event reason, live and in the failure report', async () => {
		const file = await template('failing.json', {
			Resources: {
				Alias: {
					Type: 'AWS::KMS::Alias',
					Properties: {AliasName: 'alias/escapes', TargetKeyId: crafted},
				},
			},
		});
		const result = await kms('--stack-name', 'Failing', 'deploy', '--yes', '--template', file);
		expect(result.code).toBe(1);
		expect(result.stdout).toContain('CREATE_FAILED');
		expectEscaped(result, 'stdout');
		expect(result.stderr).toContain(escaped);
	});

	it('an AWS error message that quotes the input', async () => {
		const result = await kms('key', '--key', crafted);
		expect(result.code).toBe(1);
		expectEscaped(result, 'stderr');
	});
});
