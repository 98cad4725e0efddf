/**
 * Untrusted text on the TUI: a key description, stack event reasons, error messages, names on
 * disk and an envelope's encryption context that hold terminal controls come out as visible
 * escapes. The frames are read raw (not ANSI-stripped), so an ESC that reached the terminal
 * would show here.
 */
import {describe, expect, it} from 'vitest';
import {EnvelopeSummaryTable} from '../../source/components/envelope-summary.js';
import {ErrorPanel} from '../../source/components/error-panel.js';
import {EventList} from '../../source/components/event-list.js';
import {PathField} from '../../source/components/path-field.js';
import {TypeToConfirm} from '../../source/components/type-to-confirm.js';
import type {EnvelopeSummary} from '../../source/envelope/index.js';
import type {Services} from '../../source/service/index.js';
import {createKey, renderWithApp, screenSandbox, testSettings} from '../helpers/render.js';
import type {TestSandbox} from '../helpers/sandbox.js';
import {waitForFrame} from '../helpers/wait-for.js';

let sandbox: TestSandbox;
let services: Services;

screenSandbox((started) => ({sandbox, services} = started));

/** Sets the window title, clears the screen, then reverses the text that follows. */
const crafted = 'x\u001b]0;pwned\u0007\u001b[2J\u202eevil\u009b31m';
const escaped = 'x\\e]0;pwned\\u{0007}\\e[2J\\u{202e}evil\\u{009b}31m';

function expectEscaped(frame: string | undefined) {
	expect(frame).toBeDefined();
	expect(frame).not.toContain('\u001b');
	expect(frame).not.toContain('\u0007');
	expect(frame).not.toContain('\u202e');
	expect(frame).not.toContain('\u009b');
	expect(frame?.replace(/\s+/g, '')).toContain(escaped);
}

async function renderOnTop(element: React.ReactElement) {
	const settings = await testSettings();
	return renderWithApp(element, {services, settings, route: {name: 'key'}, isColor: false});
}

describe('untrusted text on screen is escaped', () => {
	it('a key description on the Key screen', async () => {
		const keyId = await createKey(sandbox, crafted);
		const settings = await testSettings({keyRef: keyId});
		const {lastFrame} = renderWithApp(undefined, {
			services,
			settings,
			route: {name: 'key'},
			isColor: false,
		});
		await waitForFrame(lastFrame, 'Description');
		expectEscaped(lastFrame());
	});

	it('a failed stack event’s reason, resource and logical id', async () => {
		const {lastFrame} = await renderOnTop(
			<EventList
				startedAt={0}
				events={[
					{
						id: 'e1',
						timestamp: new Date(1000),
						logicalId: `Alias${crafted}`,
						resourceType: 'AWS::KMS::Alias',
						status: 'CREATE_FAILED',
						reason: `Resource handler returned message: ${crafted}`,
					},
				]}
			/>,
		);
		await waitForFrame(lastFrame, 'CREATE_FAILED');
		expectEscaped(lastFrame());
		expect(lastFrame()).toContain('Resource handler returned message');
	});

	it('an error panel’s message and hint', async () => {
		const {lastFrame} = await renderOnTop(
			<ErrorPanel error={{message: `Could not read: ${crafted}`, hint: `Try ${crafted}`}} />,
		);
		await waitForFrame(lastFrame, 'Could not read');
		expectEscaped(lastFrame());
	});

	it('an envelope’s encryption context and key ARN on the decrypt screen’s header view', async () => {
		const summary = {
			encoding: 'binary',
			version: 2,
			algorithm: 'AES-256-GCM-HKDF-SHA512-COMMIT',
			keyArn: `arn:aws:kms:us-east-1:000000000000:key/${crafted}`,
			encryptionContext: {purpose: crafted},
			messageId: 'm',
			frameSize: 65536,
			plaintextSizeRecorded: false,
			lengthConsistent: true,
			createdAt: '2026-01-01T00:00:00Z',
		} as unknown as EnvelopeSummary;
		const {lastFrame} = await renderOnTop(<EnvelopeSummaryTable summary={summary} />);
		await waitForFrame(lastFrame, 'Context');
		expectEscaped(lastFrame());
	});

	it('file names found on disk and a name to type', async () => {
		const {lastFrame} = await renderOnTop(
			<>
				<PathField
					label="File"
					value={`notes${crafted}.txt`}
					version={0}
					isFocused
					candidates={[`a${crafted}.kms`, 'b.kms']}
					onChange={() => undefined}
					onSubmit={() => undefined}
				/>
				<TypeToConfirm
					warning={`Delete alias/${crafted}?`}
					expected={`alias/${crafted}`}
					onConfirm={() => undefined}
				/>
			</>,
		);
		await waitForFrame(lastFrame, 'to confirm');
		expectEscaped(lastFrame());
	});
});
