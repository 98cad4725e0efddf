import {describe, expect, it} from 'vitest';
import type {Services} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {plain, press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

/** A GenerateDataKey and a Decrypt of it, as an encrypt and a decrypt make. */
async function useKey(keyId: string, encryptionContext: Record<string, string> = {}) {
	const dataKey = await services.keys.generateDataKey({keyId, encryptionContext});
	dataKey.plaintext.fill(0);
	const decrypted = await services.keys.decryptDataKey({
		ciphertextBlob: dataKey.ciphertextBlob,
		encryptionContext,
		keyArn: dataKey.keyArn,
	});
	decrypted.plaintext.fill(0);
}

const lines = (frame: string) => frame.split('\n');

describe('Activity screen', () => {
	it('at 80×24: the key’s events newest first, the estimate and the CLI hint', async () => {
		const keyId = await createKey(sandbox, 'activity screen');
		await useKey(keyId, {purpose: 'screen'});
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'activity'},
			columns: 80,
			rows: 24,
		});
		const frame = await waitForFrame(lastFrame, 'Page 1 of 1');
		expect(frame).toContain(`The last 24h of key ${keyId} (--key)`);
		expect(frame).toMatch(/^ {2}TIME +EVENT +WHO +OUTCOME$/m);
		const row = (name: string) =>
			lines(frame).findIndex((line) =>
				new RegExp(`^[› ] \\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  ${name} +root +ok$`).test(line),
			);
		expect(row('Decrypt')).toBeGreaterThan(0);
		expect(row('GenerateDataKey')).toBeGreaterThan(row('Decrypt'));
		expect(row('CreateKey')).toBeGreaterThan(row('GenerateDataKey'));
		// The screen's own DescribeKey and ListKeyRotations may be among them: CloudTrail logs reads too.
		const count = Number(/(\d+) events, newest first/.exec(frame)?.[1]);
		expect(count).toBeGreaterThanOrEqual(3);
		expect(frame).toContain('Estimated cost $1.00/month: key $1.00 + 0 of 0 rotations $0.00');
		// Seen within the minute, counted as an hour (pricing.ts): N × 720 in 30 days.
		expect(frame).toContain(
			`${count} requests seen → ${(count * 720).toLocaleString('en-US')} in 30 days; 20,000 free, then $0.03/10,000`,
		);
		expect(frame).toContain(
			'Estimate: AWS KMS pricing, us-east-1, as of 2026 (aws.amazon.com/kms/pricing)',
		);
		expect(frame).toContain(`CLI: kms-tui activity --sandbox --key ${keyId}`);
		for (const line of lines(frame)) expect(line.length).toBeLessThanOrEqual(80);
		expect(lines(frame).length).toBeLessThanOrEqual(24);
	});

	it('c shows only what used the key (its cryptographic operations), and c again everything', async () => {
		const keyId = await createKey(sandbox, 'crypto only');
		for (let index = 0; index < 8; index++) await services.keys.describeKey(keyId);
		await useKey(keyId);
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'activity'},
			columns: 80,
			rows: 24,
		});
		const all = await waitForFrame(lastFrame, /Page 1 of \d+/);
		const total = Number(/(\d+) events, newest first/.exec(all)?.[1]);
		expect(all).toContain('DescribeKey');
		const only = await press(stdin, lastFrame, 'c', 'crypto operations only (c: all)');
		expect(only).toContain('2 events, newest first');
		const names = lines(only).flatMap((line) => /^[› ] [\d: -]{14} {2}(\w+)/.exec(line)?.[1] ?? []);
		expect(names).toEqual(['Decrypt', 'GenerateDataKey']);
		const again = await press(stdin, lastFrame, 'c', `${total} events, newest first`);
		expect(again).toContain('c: crypto only');
	});

	it('at 60×20: pages with n/p and PgDn/PgUp, columns fit the width', async () => {
		const keyId = await createKey(sandbox, 'many events');
		for (let index = 0; index < 12; index++) await services.keys.describeKey(keyId);
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'activity'},
			columns: 60,
			rows: 20,
		});
		let frame = await waitForFrame(lastFrame, /Page 1 of \d+/);
		const pages = Number(/Page 1 of (\d+)/.exec(frame)?.[1]);
		expect(pages).toBeGreaterThan(2);
		// A narrow terminal shows the time of day only.
		expect(frame).toMatch(/^› \d\d:\d\d:\d\d {2}\w+ +root +ok$/m);
		expect(frame).toMatch(/^ {2}\d\d:\d\d:\d\d {2}DescribeKey +root +ok$/m);
		for (const line of lines(frame)) expect(line.length).toBeLessThanOrEqual(60);
		expect(lines(frame).length).toBeLessThanOrEqual(20);
		expect(frame).toContain('PgDn/n older');
		expect(frame).not.toContain('newer');

		frame = await press(stdin, lastFrame, 'n', 'Page 2 of');
		expect(frame).toContain('PgUp/p newer');
		frame = await press(stdin, lastFrame, keys.pageDown, 'Page 3 of');
		frame = await press(stdin, lastFrame, keys.pageUp, 'Page 2 of');
		frame = await press(stdin, lastFrame, 'p', 'Page 1 of');
		// The last page holds the oldest event: the key's creation.
		for (let page = 1; page < pages; page++) frame = await press(stdin, lastFrame, 'n');
		expect(frame).toContain(`Page ${pages} of ${pages}`);
		expect(frame).toMatch(/ CreateKey +root +ok$/m);
		expect(frame).not.toContain('older');
	});

	it('opens one event’s details, untrusted text escaped, and esc closes them', async () => {
		const keyId = await createKey(sandbox, 'details');
		await useKey(keyId, {note: 'x\u001b[2Jy'});
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'activity'},
			columns: 80,
			rows: 30,
		});
		await waitForFrame(lastFrame, 'Page 1 of 1');
		// Down to the GenerateDataKey (the screen's own reads may be above the Decrypt).
		let frame = plain(lastFrame());
		while (!/^› .* GenerateDataKey /m.test(frame)) frame = await press(stdin, lastFrame, keys.down);
		frame = await press(stdin, lastFrame, keys.enter, 'Request');
		expect(frame).toMatch(/Event +GenerateDataKey \(kms\.amazonaws\.com\)/);
		expect(frame).toMatch(/User agent +aws-sdk-js/);
		expect(frame).toMatch(/Outcome +ok/);
		expect(frame).toContain('"keySpec":"AES_256"');
		expect(frame).toContain('{"note":"x\\u001b[2Jy"}');
		expect(lastFrame()).not.toContain('\u001b[2J');
		expect(frame).not.toMatch(/plaintext|ciphertextBlob/i);
		frame = await press(stdin, lastFrame, keys.escape, 'Page 1 of 1');
		expect(frame).toContain('TIME');
	});

	it('the key screen shows the last use, and a opens the activity', async () => {
		const keyId = await createKey(sandbox, 'last used');
		const settings = await testSettings({keyRef: keyId});
		const before = renderWithApp(undefined, {services, settings, route: {name: 'key'}});
		let frame = await waitForFrame(before.lastFrame, /Last used +never \(tracking since/);
		before.unmount();

		await useKey(keyId);
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings, route: {name: 'key'}});
		frame = await waitForFrame(lastFrame, /Last used +Decrypt, \d+ seconds? ago/);
		expect(frame).toContain('a activity');
		frame = await press(stdin, lastFrame, 'a', /Page 1 of \d+/);
		expect(frame).toContain('Activity & cost');
		// 100 columns (ink-testing-library's default) have room for the source IP.
		expect(frame).toMatch(/^ {2}TIME +EVENT +WHO +OUTCOME +SOURCE IP$/m);
		expect(frame).toMatch(/ Decrypt +root +ok +127\.0\.0\.1$/m);
	});

	it('says what is wrong when there is no key to work on', async () => {
		const settings = await testSettings({stackName: 'NoKeyStack'});
		const {lastFrame} = renderWithApp(undefined, {services, settings, route: {name: 'activity'}});
		const frame = await waitForFrame(lastFrame, 'Could not read the activity');
		expect(frame).toContain('No key to work on');
	});
});
