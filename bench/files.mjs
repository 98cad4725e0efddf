// What the bench scripts share: the BENCH_SIZES spelling and the random input files.
import {randomBytes} from 'node:crypto';
import {closeSync, existsSync, openSync, writeSync} from 'node:fs';

/** "64M" → 67108864 (K, M, G are powers of 1024). */
export function parseSize(label) {
	const match = /^(\d+)([KMG])$/.exec(label);
	if (!match) throw new Error(`BENCH_SIZES: "${label}" is not like 64M or 1G`);
	return Number(match[1]) * {K: 1024, M: 1024 ** 2, G: 1024 ** 3}[match[2]];
}

/** A file of `bytes` random bytes, kept when it exists (the runs of one bench share their inputs). */
export function makeRandomFile(file, bytes) {
	if (existsSync(file)) return;
	const fd = openSync(file, 'w');
	const chunk = 16 * 1024 * 1024;
	for (let written = 0; written < bytes; written += chunk)
		writeSync(fd, randomBytes(Math.min(chunk, bytes - written)));
	closeSync(fd);
}
