/**
 * The key screen's Policy section: the statements explained and their risks, the CLI hint, and
 * at 80×24 and 60×20 a body that scrolls with ↑↓ under a fixed prompt, wrapping ARNs, never
 * cutting them.
 */
import {CreateKeyCommand} from '@aws-sdk/client-kms';
import {describe, expect, it} from 'vitest';
import {PolicySection} from '../../source/components/policy-section.js';
import {ServiceError, type Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

const root = 'arn:aws:iam::000000000000:root';
const role = 'arn:aws:iam::000000000000:role/service-role/very-long-role-name-for-wrapping-tests';

async function keyWithPolicy(...statements: unknown[]): Promise<string> {
	const {KeyMetadata} = await sandbox.kms().send(
		new CreateKeyCommand({
			Description: 'policy screen test',
			Policy: JSON.stringify({Version: '2012-10-17', Statement: statements}),
		}),
	);
	return KeyMetadata?.KeyId ?? '';
}

const risky = [
	{Sid: 'Root', Effect: 'Allow', Principal: {AWS: root}, Action: 'kms:*', Resource: '*'},
	{Sid: 'Anyone', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*'},
	{Sid: 'App\u001b[2J', Effect: 'Allow', Principal: {AWS: role}, Action: 'kms:*', Resource: '*'},
];

function fits(size: {columns: number; rows: number}) {
	return (frame: string) => {
		const lines = frame.split('\n');
		return lines.length <= size.rows && lines.every((line) => line.length <= size.columns);
	};
}

describe('the Policy section of the key screen', () => {
	it('explains the default policy and shows `kms-tui policy` with the target flags', async () => {
		const {KeyMetadata} = await sandbox.kms().send(new CreateKeyCommand({}));
		const keyId = KeyMetadata?.KeyId ?? '';
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'key'},
			rows: 60,
		});
		const frame = flat(await waitForFrame(lastFrame, 'Key policy'));
		expect(frame).toContain('The default key policy (what KMS gives a key created without one)');
		expect(frame).toContain(
			'1. Allow "Enable IAM User Permissions" Allows the account 000000000000 (root: IAM policies decide who): every KMS action on this key.',
		);
		expect(frame).toContain(`CLI: kms-tui policy --sandbox --key ${keyId}`);
		expect(frame).not.toContain('RISK');
	});

	it.each([
		{columns: 80, rows: 24},
		{columns: 60, rows: 20},
	])(
		'at $columns×$rows: fits, scrolls to every risk, wraps ARNs whole, escapes the policy text',
		async (size) => {
			const keyId = await keyWithPolicy(...risky);
			const settings = await testSettings({keyRef: keyId});
			const {lastFrame, stdin} = renderWithApp(undefined, {
				services,
				settings,
				route: {name: 'key'},
				...size,
			});
			let frame = await waitForFrame(lastFrame, (f) => f.includes('rows 1–') && fits(size)(f));
			// The prompt and the rotation hint stay put below the scrolling body.
			expect(frame).toContain('CLI: kms-tui rotation enable');
			// The body's rows: those above the position line. Each ↓ brings one new row at its bottom.
			const body = (f: string) => {
				const lines = f.split('\n');
				const at = lines.findIndex((line) => /rows \d+–\d+ of \d+/.test(line));
				const [, first, last] = lines[at]?.match(/rows (\d+)–(\d+)/) ?? [];
				return lines.slice(at - (Number(last) - Number(first) + 1), at);
			};
			const content = body(frame);
			const atEnd = (f: string) => {
				const [, last, total] = f.match(/rows \d+–(\d+) of (\d+)/) ?? [];
				return last !== undefined && last === total;
			};
			for (let step = 0; !atEnd(frame); step++) {
				expect(step).toBeLessThan(80);
				const from = Number(frame.match(/rows (\d+)–/)?.[1]);
				frame = await press(stdin, lastFrame, keys.down, `rows ${from + 1}–`);
				expect(fits(size)(frame)).toBe(true);
				expect(frame).toContain('CLI: kms-tui rotation enable');
				content.push(body(frame).at(-1) ?? '');
			}
			const seen = content.join('\n');
			const text = flat(seen.replace(/[│╭╮╰╯─]/g, ' '));
			expect(text).toContain('! HIGH RISK: Principal "*" with no condition');
			expect(text).toContain(`CLI: kms-tui policy --sandbox --key ${keyId}`);
			// Wrapped at spaces: the role's ARN is whole on screen, across lines.
			expect(seen.replace(/\s*\n\s*/g, '')).toContain(role);
			expect(seen).not.toMatch(/[\w/:-]…[\w/:-]/);
			// The Sid's ESC is shown as text, never sent to the terminal.
			expect(text).toContain('"App\\e[2J"');
		},
	);

	it('says why when the policy cannot be read, and still offers the CLI command', async () => {
		const settings = await testSettings({keyRef: 'alias/x'});
		const error = new ServiceError(
			'access-denied',
			'Access denied: your credentials may not read the key policy.',
			'Ask for kms:GetKeyPolicy in your IAM policy or the key policy.',
		);
		const {lastFrame} = renderWithApp(
			<PolicySection policy={{error}} keyArn="arn:aws:kms:us-east-1:000000000000:key/x" />,
			{
				services,
				settings,
				route: {name: 'key'},
			},
		);
		const frame = flat(await waitForFrame(lastFrame, 'Could not read the key policy'));
		expect(frame).toContain('Access denied: your credentials may not read the key policy.');
		expect(frame).toContain('→ Ask for kms:GetKeyPolicy');
		expect(frame).toContain('CLI: kms-tui policy --sandbox --key alias/x');
	});
});
