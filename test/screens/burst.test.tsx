/**
 * Keys sent together (one stdin write, as a fast typist, key repeat, a paste or a loaded machine
 * delivers them) are each counted, in order, by the screen current at that key: Home's list,
 * a text field, a key that opens a field followed by the text for it, a reload in between.
 */
import {describe, expect, it} from 'vitest';
import {bindingById} from '../../source/keymap.js';
import type {Services} from '../../source/service/index.js';
import {bracketedPaste, keys} from '../helpers/keys.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {flat, press, waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

/** The number of the step Home's › marker is on. */
function focusedStep(frame: string): number | undefined {
	const found = /^›\s+\S\s+(\d) /m.exec(frame)?.[1];
	return found === undefined ? undefined : Number(found);
}

const onStep = (n: number) => (frame: string) =>
	frame.includes('enter open') && focusedStep(frame) === n;

describe('Home under bursts of keys', () => {
	it('counts every ↓, ↑, j and k of one write', async () => {
		const settings = await testSettings({stackName: 'BurstMoves'});
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings});
		await waitForFrame(lastFrame, onStep(1));
		await press(stdin, lastFrame, keys.down.repeat(5), onStep(6));
		await press(stdin, lastFrame, keys.up.repeat(3), onStep(3));
		await press(stdin, lastFrame, 'jjjj', onStep(7));
		await press(stdin, lastFrame, 'kkkkk', onStep(2));
		// Past the ends it stops at the first and last step.
		await press(stdin, lastFrame, 'k'.repeat(9), onStep(1));
		await press(stdin, lastFrame, keys.down.repeat(12), onStep(8));
	});

	it('opens the step the ↓s of the same write landed on, and esc comes back to it', async () => {
		const settings = await testSettings({stackName: 'BurstOpen'});
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings});
		await waitForFrame(lastFrame, onStep(1));
		await press(stdin, lastFrame, `${keys.down.repeat(4)}${keys.enter}`, 'Home › Encrypt a file');
		// Back on Home the cursor is where it was opened, not on the NEXT step (1).
		await press(stdin, lastFrame, keys.escape, onStep(5));
	});

	it('loses no key while Home reloads: R and the moves after it in one write', async () => {
		const settings = await testSettings({stackName: 'BurstReload'});
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings});
		await waitForFrame(lastFrame, onStep(1));
		await press(stdin, lastFrame, `R${keys.down}jj`, onStep(4));
		await press(stdin, lastFrame, `jR${keys.up}`, onStep(4));
	});

	it('loses no key pressed as Home reloads after esc: the moves count from the step opened', async () => {
		const settings = await testSettings({stackName: 'BurstBack'});
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings});
		await waitForFrame(lastFrame, onStep(1));
		await press(stdin, lastFrame, `jj${keys.enter}`, 'Home › Key & rotation');
		// The first frame of Home again, while it reads the state anew: keys written now count.
		await press(stdin, lastFrame, keys.escape, (frame) => !frame.includes('Home ›'));
		stdin.write('jj');
		await waitForFrame(lastFrame, onStep(5));
	});
});

describe('Text fields under bursts of keys', () => {
	it('applies Backspace×N, the digits and Enter of one write, then the typed confirmation', async () => {
		const keyId = await createKey(sandbox, 'burst deletion');
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'deletion'},
		});
		await waitForFrame(lastFrame, 's schedule deletion');
		// s opens the field (30 by default); the rest of the write goes into it: 30 → 3 → "" → 7 → 7⏎.
		let frame = await press(
			stdin,
			lastFrame,
			`s${keys.backspace.repeat(2)}9${keys.backspace}7${keys.enter}`,
			`Type ${keyId} to confirm`,
		);
		expect(flat(frame)).toContain('After 7 days KMS deletes');
		frame = flat(await press(stdin, lastFrame, `${keyId}${keys.enter}`, 'c cancel deletion'));
		expect(frame).toContain('is pending deletion');
		const key = await services.keys.describeKey(keyId);
		expect(key.state).toBe('PendingDeletion');
		// Seven days, as typed in the burst (not the 30 the field started with).
		const days = ((key.deletionDate?.getTime() ?? 0) - Date.now()) / 86_400_000;
		expect(Math.round(days)).toBe(7);
	});

	it('takes `c`, the name after it and Enter in one write, and a bracketed paste whole', async () => {
		const keyId = await createKey(sandbox, 'burst aliases');
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'aliases'},
		});
		await waitForFrame(lastFrame, 'c create');
		await press(stdin, lastFrame, `cburst-typed${keys.enter}`, /Created alias\/burst-typed/);
		// A paste never triggers shortcuts (x, t, q are bindings here) and is inserted whole.
		await press(stdin, lastFrame, 'c', 'New alias');
		await press(stdin, lastFrame, bracketedPaste('burst-pasted-xtq'), 'alias/burst-pasted-xtq');
		await press(stdin, lastFrame, keys.enter, /Created alias\/burst-pasted-xtq/);
		const names = (await services.keys.listAliases(keyId)).map((alias) => alias.name);
		expect(names).toEqual(expect.arrayContaining(['alias/burst-typed', 'alias/burst-pasted-xtq']));
	});
});

describe('Typed text and a shortcut after it in one write', () => {
	it('plans the deployment with the text as typed (ctrl+d right after the last character)', async () => {
		const settings = await testSettings({stackName: 'BurstDeploy'});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'deploy'},
		});
		await waitForFrame(lastFrame, 'ctrl+d deploy');
		const burst = `${keys.backspace.repeat('kms-tui-demo'.length)}burst-deployed${keys.ctrlD}`;
		const frame = flat(await press(stdin, lastFrame, burst, 'Execute these changes?'));
		expect(frame).toContain('--param AliasName=alias/burst-deployed');
		await press(stdin, lastFrame, 'y', 'is CREATE_COMPLETE');
		const stack = await services.stacks.findStack('BurstDeploy');
		expect(stack?.parameters.AliasName).toBe('alias/burst-deployed');
	});
});

describe('Ctrl+C does what the help says', () => {
	it('cancels what is being typed (as esc does) and quits only when nothing is', async () => {
		const keyId = await createKey(sandbox, 'burst ctrl-c');
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'deletion'},
		});
		await waitForFrame(lastFrame, 's schedule deletion');
		// The help (overlay and bar, both generated from the keymap) says what ctrl+c does: it
		// cancels, as esc does, what there is to cancel, and quits otherwise.
		expect(bindingById('cancel')).toMatchObject({
			keys: ['escape', 'ctrl+c'],
			description: 'Cancel what is running, or close the field or question that is open',
		});
		expect(bindingById('quit')).toMatchObject({
			keys: ['q', 'ctrl+c'],
			description: 'Quit kms-tui (ctrl+c first cancels what there is to cancel)',
		});

		// While the days are typed, ctrl+c cancels the field, as esc does; the key is untouched.
		let frame = await press(stdin, lastFrame, `s${keys.backspace}`, 'Waiting days');
		expect(frame).toContain('esc cancel');
		frame = await press(stdin, lastFrame, keys.ctrlC, (f) => !f.includes('Waiting days'));
		expect(frame).toContain('s schedule deletion');
		expect((await services.keys.describeKey(keyId)).state).toBe('Enabled');

		// Nothing to cancel: ctrl+c quits, as the quit binding says. The app has
		// exited when Ink stops reading the terminal.
		expect(stdin.listenerCount('readable')).toBe(1);
		stdin.write(keys.ctrlC);
		await waitForFrame(lastFrame, () => stdin.listenerCount('readable') === 0);
	});

	it('closes the ? overlay and cancels the question under it; cancels the period being typed', async () => {
		const keyId = await createKey(sandbox, 'burst overlay');
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame, stdin} = renderWithApp(undefined, {services, settings, route: {name: 'key'}});
		await waitForFrame(lastFrame, 'n rotate now');
		await press(stdin, lastFrame, 'n', 'y/N');
		await press(stdin, lastFrame, '?', 'Keys');
		const frame = await press(stdin, lastFrame, keys.ctrlC, 'n rotate now');
		expect(frame).not.toContain('y/N');
		expect(stdin.listenerCount('readable')).toBe(1);
		expect((await services.keys.overview(keyId)).onDemandRotationsUsed ?? 0).toBe(0);

		// While the period is typed, only the field's keys and cancel are offered; ctrl+c closes it.
		const typing = await press(stdin, lastFrame, 'p', 'Period (days)');
		expect(typing).toContain('esc cancel');
		expect(typing).not.toContain('n rotate now');
		await press(stdin, lastFrame, keys.ctrlC, 'n rotate now');
	});
});
