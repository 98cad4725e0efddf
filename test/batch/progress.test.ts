/**
 * The one progress bar of a run over many files (source/commands/progress.ts): files settled of
 * the total, bytes, MB/s and ETA; redrawn at most every 100 ms; nothing at all when stderr is not
 * a terminal. The stream is a stand-in with `isTTY` (a real terminal is what the e2e tests use).
 */
import {describe, expect, it} from 'vitest';
import {batchProgressBar} from '../../source/commands/progress.js';

function terminal(isTTY: boolean) {
	const writes: string[] = [];
	const stream = {isTTY, columns: 120, write: (text: string) => writes.push(text) > 0};
	return {stream: stream as unknown as NodeJS.WriteStream, writes};
}

describe('batchProgressBar', () => {
	it('draws files, bytes, MB/s and ETA, at most every 100 ms, and clears itself', () => {
		const {stream, writes} = terminal(true);
		let now = 0;
		const bar = batchProgressBar(stream, 'encrypting', {files: 4, bytes: 4_000_000}, () => now);
		now = 1000;
		bar.bytes(1_000_000);
		expect(writes).toHaveLength(1);
		expect(writes[0]).toContain(
			'encrypting [######..................] 0/4 files  1.0 MB  1.0 MB/s  ETA 3s',
		);
		now = 1050;
		bar.file(); // within 100 ms: counted, not drawn
		bar.bytes(1_000_000);
		expect(writes).toHaveLength(1);
		now = 2000;
		bar.file();
		expect(writes.at(-1)).toContain('2/4 files  2.0 MB');
		bar.file();
		bar.bytes(2_000_000);
		bar.file(); // the last file always draws, without an ETA
		expect(writes.at(-1)?.endsWith('4/4 files  4.0 MB  2.0 MB/s\u001B[K')).toBe(true);
		bar.finish();
		expect(writes.at(-1)).toBe('\r\u001B[K');
	});

	it('after clear() (a line printed) the next update draws again at once', () => {
		const {stream, writes} = terminal(true);
		let now = 0;
		const bar = batchProgressBar(stream, 'decrypting', {files: 3, bytes: 3}, () => now);
		now = 500;
		bar.file();
		bar.clear();
		expect(writes.at(-1)).toBe('\r\u001B[K');
		now = 510;
		bar.file();
		expect(writes.at(-1)).toContain('2/3 files');
	});

	it('writes nothing when the stream is not a terminal', () => {
		const {stream, writes} = terminal(false);
		const bar = batchProgressBar(stream, 'decrypting', {files: 1, bytes: 10});
		bar.bytes(10);
		bar.file();
		bar.clear();
		bar.finish();
		expect(writes).toEqual([]);
	});
});
