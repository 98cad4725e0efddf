/**
 * What the length of a message file implies, from its header, the head of its final frame and
 * its footer only: the frame count, the plaintext bytes, and where the footer starts. A footer's
 * length is not in the header, so each length its last bytes allow is tried, and only one that
 * lands on a final frame head with the right sequence number and length is taken.
 */
import {read as fsRead} from 'node:fs';
import type {EsdkHeader} from './header-parse.js';
import {ESDK_IV_BYTES, ESDK_TAG_BYTES} from './suites.js';

export type EsdkFileLayout = {
	readonly frameCount: number;
	readonly plaintextSize: number;
	/** Where the footer starts (the end of the signed bytes); the file size when unsigned. */
	readonly bodyEnd: number;
	readonly footerBytes: number;
};

/** Frames and plaintext bytes a file of `size` holds, if its tail agrees with the header. */
export async function fileLayout(
	fd: number,
	header: EsdkHeader,
	size: number,
): Promise<EsdkFileLayout | undefined> {
	{
		const read = async (position: number, length: number) => {
			if (position < header.headerBytes || position + length > size) return undefined;
			const bytes = Buffer.alloc(length);
			const bytesRead = await new Promise<number>((resolve, reject) =>
				fsRead(fd, bytes, 0, length, position, (error, n) => (error ? reject(error) : resolve(n))),
			);
			return bytesRead === length ? bytes : undefined;
		};
		// The footer's length is not in the header: try the lengths its last bytes allow.
		const footers: number[] = [];
		if (!header.suite.signature) footers.push(0);
		else {
			const tail = await read(
				Math.max(header.headerBytes, size - 2 - 200),
				Math.min(size - header.headerBytes, 2 + 200),
			);
			if (tail) {
				for (let n = 1; n + 2 <= tail.length; n++) {
					if (tail.readUInt16BE(tail.length - 2 - n) === n) footers.push(2 + n);
				}
			}
		}
		for (const footer of footers) {
			const body = size - header.headerBytes - footer;
			const found = await bodyLayout(header, body, read);
			if (found) return {...found, bodyEnd: size - footer, footerBytes: footer};
		}
		return undefined;
	}
}

async function bodyLayout(
	header: EsdkHeader,
	body: number,
	read: (position: number, length: number) => Promise<Buffer | undefined>,
): Promise<{frameCount: number; plaintextSize: number} | undefined> {
	const start = header.headerBytes;
	if (header.contentType === 'non-framed') {
		const head = await read(start, ESDK_IV_BYTES + 8);
		if (!head) return undefined;
		const length =
			head.readUInt32BE(ESDK_IV_BYTES) * 2 ** 32 + head.readUInt32BE(ESDK_IV_BYTES + 4);
		return body === ESDK_IV_BYTES + 8 + length + ESDK_TAG_BYTES
			? {frameCount: 1, plaintextSize: length}
			: undefined;
	}
	const sealed = 4 + ESDK_IV_BYTES + header.frameLength + ESDK_TAG_BYTES;
	const finalOverhead = 4 + 4 + ESDK_IV_BYTES + 4 + ESDK_TAG_BYTES;
	if (body < finalOverhead) return undefined;
	const regular = Math.floor((body - finalOverhead) / sealed);
	const last = body - finalOverhead - regular * sealed;
	if (last > header.frameLength) return undefined;
	const head = await read(start + regular * sealed, 4 + 4 + ESDK_IV_BYTES + 4);
	if (!head) return undefined;
	if (head.readUInt32BE(0) !== 0xffff_ffff || head.readUInt32BE(4) !== regular + 1)
		return undefined;
	if (head.readUInt32BE(8 + ESDK_IV_BYTES) !== last) return undefined;
	return {frameCount: regular + 1, plaintextSize: regular * header.frameLength + last};
}
