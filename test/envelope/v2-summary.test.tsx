/**
 * The TUI's header view (decrypt screen) lists every wrapped key of a v2 envelope, in the order
 * decrypt tries them, from a real envelope's inspect summary.
 */
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {expect, test} from 'vitest';
import {EnvelopeSummaryTable} from '../../source/components/envelope-summary.js';
import {encryptFile, inspectEnvelope} from '../../source/envelope/index.js';
import {
	combineLocalDataKeys,
	createLocalDataKeys,
	tempDirPerTest,
} from '../helpers/local-data-keys.js';
import {waitForFrame} from '../helpers/wait-for.js';

const dir = tempDirPerTest();

test('one row per wrapped key, numbered, sandbox keys marked', async () => {
	const arns = [
		'arn:aws:kms:us-east-1:000000000000:key/11111111-1111-1111-1111-111111111111',
		'arn:aws:kms:eu-west-1:111122223333:key/22222222-2222-2222-2222-222222222222',
	];
	const provider = combineLocalDataKeys(arns.map((keyArn) => createLocalDataKeys({keyArn})));
	const input = path.join(dir(), 'two-keys.txt');
	await writeFile(input, 'two keys');
	const {outputPath} = await encryptFile({input, provider, keyId: arns});
	const summary = await inspectEnvelope(outputPath);
	const {lastFrame, unmount} = render(<EnvelopeSummaryTable summary={summary} />);
	try {
		await waitForFrame(lastFrame, 'Keys');
		// Long values wrap at the test terminal's width: compare without the line breaks.
		const frame = (lastFrame() ?? '').replace(/\n\s*/g, ' ');
		expect(frame).toContain(`1. ${arns[0]} (a kms-tui sandbox key)`);
		expect(frame).toContain(`2. ${arns[1]}`);
		expect(frame.indexOf(arns[0] as string)).toBeLessThan(frame.indexOf(arns[1] as string));
	} finally {
		unmount();
	}
});
