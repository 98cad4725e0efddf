/**
 * 80×24 and 60×20: every screen fits the rows it has, the `?` overlay scrolls with its title in
 * view, tables size their columns from the width, and no identifier or status is cut with `…`.
 */
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {EventList, eventColumns} from '../../source/components/event-list.js';
import {encryptFile} from '../../source/envelope/index.js';
import type {Services, StackEvent} from '../../source/service/index.js';
import {keys} from '../helpers/keys.js';
import {deployStack, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import {flat, press, type, waitForFrame} from '../helpers/wait-for.js';

let services: Services;

screenSandbox((started) => ({services} = started));

const sizes = [
	{columns: 80, rows: 24},
	{columns: 60, rows: 20},
] as const;

const pageDown = '\u001B[6~';
const pageUp = '\u001B[5~';

/** Gives the fake terminal a size and tells Ink, as a real terminal's SIGWINCH would. */
function sized(stdout: NodeJS.EventEmitter, size: {columns: number; rows: number}): void {
	Object.defineProperty(stdout, 'columns', {configurable: true, get: () => size.columns});
	Object.defineProperty(stdout, 'rows', {configurable: true, get: () => size.rows});
	stdout.emit('resize');
}

/** The frame fits the terminal: no line wider than it, no more lines than it has rows. */
function fits(size: {columns: number; rows: number}) {
	return (frame: string) => {
		const lines = frame.split('\n');
		return lines.length <= size.rows && lines.every((line) => line.length <= size.columns);
	};
}

/** The text with the line breaks of wrapping (and the indentation after them) taken out. */
function unwrapped(frame: string): string {
	return frame.replace(/\s*\n\s*/g, '');
}

describe.each(sizes)('at $columns×$rows', (size) => {
	it('the ? overlay fits with its title and scrolls with ↑↓ and PgUp/PgDn', async () => {
		const settings = await testSettings({stackName: `SmallHelp${size.columns}`});
		const {lastFrame, stdin, stdout} = renderWithApp(undefined, {services, settings});
		await waitForFrame(lastFrame, 'enter open');
		sized(stdout, size);
		await waitForFrame(lastFrame, fits(size));
		let frame = await press(stdin, lastFrame, '?', (f) => f.includes('rows 1–') && fits(size)(f));
		const first = frame;
		expect(frame.split('\n').some((line) => /^│ Keys\s+│$/.test(line))).toBe(true);
		expect(frame).toMatch(/rows 1–\d+ of \d+ · ↑↓ PgUp PgDn scroll/);
		expect(frame).not.toContain('Everywhere');

		frame = await press(stdin, lastFrame, keys.down, /rows 2–/);
		expect(fits(size)(frame)).toBe(true);
		const atEnd = (f: string) => {
			const [, last, total] = f.match(/rows \d+–(\d+) of (\d+)/) ?? [];
			return last !== undefined && last === total;
		};
		for (let page = 0; !atEnd(frame); page++) {
			expect(page).toBeLessThan(5);
			frame = await press(stdin, lastFrame, pageDown);
		}
		expect(fits(size)(frame)).toBe(true);
		expect(frame).toMatch(/│ Keys\s+│/);
		expect(frame).toContain('Go back to the previous screen');
		// The end is kept: ↑ moves one row back from it.
		const firstShown = Number(frame.match(/rows (\d+)–/)?.[1]);
		frame = await press(stdin, lastFrame, keys.up, `rows ${firstShown - 1}–`);

		for (let page = 0; !frame.includes('rows 1–'); page++) {
			expect(page).toBeLessThan(6);
			frame = await press(stdin, lastFrame, pageUp);
		}
		expect(frame).toBe(first);
		frame = await press(stdin, lastFrame, keys.escape, (f) => !f.includes('│ Keys'));
		expect(frame).toContain('Deploy the stack');
	});

	it('Home fits, and its statuses are whole: never done: CREATE_C…', async () => {
		// Short names, as a real stack's: `--stack-name SmallHome60` alone would take a row.
		const stackName = `H${size.columns}`;
		const settings = await testSettings({stackName});
		const {keyId} = await deployStack(services, stackName, {
			AliasName: `alias/small-home-${size.columns}`,
		});
		const {lastFrame, stdout} = renderWithApp(undefined, {services, settings});
		await waitForFrame(lastFrame, 'done: CREATE_COMPLETE');
		sized(stdout, size);
		const frame = await waitForFrame(lastFrame, fits(size));
		expect(frame).toMatch(/✔ 1 Deploy the stack\s+(done: )?CREATE_COMPLETE\n/);
		expect(frame).toMatch(/Delete the stack\s+(to do: )?stack CREATE_COMPLETE\n/);
		expect(frame).toMatch(/Write \.env\s+NEXT\s+(to do: )?no KMS_KEY_ID in \.env\n/);
		expect(frame).not.toMatch(/\w…/);
		expect(unwrapped(frame)).toContain(`key ${keyId}`);
	});

	it('Learn keeps its heading and prompt on screen at every step; the body scrolls', async () => {
		const stackName = `SmallLearn${size.columns}`;
		const settings = await testSettings({stackName});
		// Lesson progress (source/learn/progress.ts) goes to the test's temp dir, not the user's.
		process.env.KMS_TUI_STATE_DIR = settings.cwd;
		const {keyId} = await deployStack(services, stackName, {
			AliasName: `alias/small-learn-${size.columns}`,
		});
		const {lastFrame, stdin, stdout} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'learn', lesson: {id: 'envelope', title: 'Envelope encryption'}},
		});
		await waitForFrame(lastFrame, 'enter runs step 1');
		sized(stdout, size);
		await waitForFrame(lastFrame, fits(size));
		for (let step = 1; step <= 6; step++) {
			const frame = await press(
				stdin,
				lastFrame,
				keys.enter,
				(f) => f.includes(`Step ${step} of 6`) && !f.includes('Running step') && fits(size)(f),
			);
			expect(flat(frame)).toContain(`Envelope encryption on ${keyId}, for real`);
			expect(frame).toMatch(step < 6 ? /enter runs step \d/ : /Done: that is what/);
			expect(frame).not.toMatch(/[0-9a-f]…[0-9a-f]/);
			if (step === 3) {
				// The envelope (a JSON block) is taller than 60×20 has: ↓ shows its last line.
				let scrolled = await waitForFrame(
					lastFrame,
					(f) => f.includes('CLI: kms-tui inspect') || f.includes('rows 1–'),
				);
				while (!scrolled.includes('CLI: kms-tui inspect')) {
					const from = Number(scrolled.match(/rows (\d+)–/)?.[1]);
					scrolled = await press(stdin, lastFrame, keys.down);
					expect(scrolled).toContain(`rows ${from + 1}–`);
				}
				expect(fits(size)(scrolled)).toBe(true);
				expect(flat(scrolled)).toContain(`Envelope encryption on ${keyId}, for real`);
				expect(scrolled).toContain('Step 3 of 6');
			}
		}
	});

	it('Encrypt fits with its key list open; Decrypt with its output field', async () => {
		const stackName = `E${size.columns}`;
		const settings = await testSettings({stackName});
		const {keyId} = await deployStack(services, stackName, {
			AliasName: `alias/small-encrypt-${size.columns}`,
		});
		const input = path.join(settings.cwd, 'data.txt');
		await writeFile(input, 'attack at dawn\n');
		await encryptFile({input, provider: services.keys, keyId});
		const encrypt = renderWithApp(undefined, {services, settings, route: {name: 'encrypt'}});
		await waitForFrame(encrypt.lastFrame, 'tab complete');
		sized(encrypt.stdout, size);
		await type(encrypt.stdin, encrypt.lastFrame, 'data.txt');
		let frame = await press(encrypt.stdin, encrypt.lastFrame, keys.shiftTab, (f) =>
			f.includes('↑↓ picks'),
		);
		frame = await waitForFrame(encrypt.lastFrame, fits(size));
		expect(frame).toContain('Home › Encrypt a file');
		expect(frame).toMatch(new RegExp(`› ${keyId}`));
		encrypt.unmount();

		const decrypt = renderWithApp(undefined, {services, settings, route: {name: 'decrypt'}});
		await waitForFrame(decrypt.lastFrame, '↑↓ picks one');
		sized(decrypt.stdout, size);
		await type(decrypt.stdin, decrypt.lastFrame, 'data.txt.kms');
		frame = await press(decrypt.stdin, decrypt.lastFrame, keys.enter, '› Output');
		frame = await waitForFrame(decrypt.lastFrame, fits(size));
		expect(frame).toContain('Home › Decrypt a file');
		expect(frame).toMatch(/› Output\s+data \(1\)\.txt/);
		expect(unwrapped(frame)).toContain(`key/${keyId}`);
	});

	it('Outputs shows the ARN whole (wrapped, never cut in the middle)', async () => {
		const stackName = `SmallOutputs${size.columns}`;
		const settings = await testSettings({stackName});
		const {stack} = await deployStack(services, stackName, {
			AliasName: `alias/small-key-${size.columns}`,
		});
		const arn = stack.outputs.KeyArn ?? '';
		const {lastFrame, stdout} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'outputs'},
		});
		await waitForFrame(lastFrame, arn.slice(-12));
		sized(stdout, size);
		const frame = await waitForFrame(lastFrame, (f) =>
			f.split('\n').every((l) => l.length <= size.columns),
		);
		expect(unwrapped(frame)).toContain(arn);
		expect(frame).not.toMatch(/arn:aws:kms:[^\n]*…/);
	});
});

describe('EventList', () => {
	const at = new Date('2026-12-01T09:00:00Z');
	const event = (status: string, logicalId: string, resourceType: string, reason?: string) =>
		({
			id: `${logicalId}-${status}`,
			timestamp: at,
			status,
			logicalId,
			resourceType,
			reason,
		}) as StackEvent;
	const events = [
		event('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'KmsKey', 'AWS::CloudFormation::Stack'),
		event(
			'CREATE_FAILED',
			'Alias',
			'AWS::KMS::Alias',
			'Alias alias/aws/x must not begin with alias/aws/',
		),
		event('CREATE_COMPLETE', 'Key', 'AWS::KMS::Key'),
	];

	it('sizes its columns from the longest value and the width', () => {
		expect(eventColumns(events, 100)).toEqual({time: 7, status: 37, logicalId: 8, hasType: true});
		// 7 + 37 + 8 + 26 = 78: the resource types are left out below that, never cut.
		expect(eventColumns(events, 78).hasType).toBe(true);
		expect(eventColumns(events, 77).hasType).toBe(false);
	});

	it.each([80, 60])('shows every status and reason whole at %i columns', async (columns) => {
		const settings = await testSettings();
		const {lastFrame, stdout} = renderWithApp(
			<EventList events={events} startedAt={at.getTime()} />,
			{services, settings},
		);
		sized(stdout, {columns, rows: 24});
		const frame = await waitForFrame(lastFrame, (f) =>
			f.split('\n').every((line) => line.length <= columns),
		);
		expect(frame).toContain('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
		expect(frame).toMatch(/CREATE_COMPLETE\s+Key/);
		expect(flat(frame)).toContain('Alias alias/aws/x must not begin with alias/aws/');
		expect(frame).not.toContain('…');
		if (columns === 80) expect(frame).toContain('AWS::CloudFormation::Stack');
		else expect(frame).not.toContain('AWS::');
	});
});
