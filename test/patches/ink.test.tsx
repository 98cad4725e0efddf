/**
 * The dependency patches in patches/ are applied to node_modules on install (patch-package), so
 * the tests run the same Ink the bundle ships. This checks the patched behaviour itself, through
 * ink-testing-library, and that the bundle carries the same code.
 */
import {readdir, readFile} from 'node:fs/promises';
import {Box, Text} from 'ink';
import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';

describe('patched Ink', () => {
	it('wraps a paragraph without starting its rows with the space it broke at', () => {
		const {lastFrame, unmount} = render(
			<Box width={20}>
				<Text>The key is scheduled for deletion unless you confirm.</Text>
			</Box>,
		);
		const rows = (lastFrame() ?? '').split('\n');
		unmount();
		expect(rows.length).toBeGreaterThan(1);
		for (const row of rows) expect(row.startsWith(' ')).toBe(false);
	});

	it('keeps indentation that starts a line of the text itself', () => {
		const {lastFrame, unmount} = render(
			<Box width={30}>
				<Text>{'first line\n  indented second'}</Text>
			</Box>,
		);
		const rows = (lastFrame() ?? '').split('\n');
		unmount();
		expect(rows[1]).toBe('  indented second');
	});

	it('is what the built bundle ships', async () => {
		const chunks = await readdir('dist/chunks');
		const texts = await Promise.all(
			chunks
				.filter((name) => name.endsWith('.js'))
				.map((name) => readFile(`dist/chunks/${name}`, 'utf8')),
		);
		expect(texts.some((text) => text.includes('.map((line) => wrapAnsi(line, maxWidth'))).toBe(
			true,
		);
	});
});
