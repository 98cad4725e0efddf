/**
 * The footer signature of a message file, verified on a worker thread while the main thread opens
 * the frames: the signature's hash (SHA-384 for the default suite) costs about as much CPU as
 * AES-GCM itself, and the two need not wait for each other. The worker reads the signed bytes
 * [0, end) of the file itself (positional reads on the same descriptor) and answers true or false;
 * the caller still checks that the message it parsed ends its body at `end` with that signature.
 */

import {createVerify, type KeyObject} from 'node:crypto';
import {read as fsRead, readSync} from 'node:fs';
import {Worker} from 'node:worker_threads';
import {EnvelopeError} from '../envelope/errors.js';
import type {EsdkHeader} from './header-parse.js';
import type {EsdkFileLayout} from './layout.js';
import type {EsdkVerifier} from './signature-verify.js';

type Job = {fd: number; end: number; hash: string; key: Buffer; signature: Buffer};

/** Runs in the worker (its source text is the worker's code): self-contained, CommonJS. */
function workerMain(): void {
	const {workerData, parentPort} = require('node:worker_threads');
	const fs = require('node:fs');
	const crypto = require('node:crypto');
	const job = workerData as {
		fd: number;
		end: number;
		hash: string;
		key: Uint8Array;
		signature: Uint8Array;
	};
	const verifier = crypto.createVerify(job.hash);
	const buffer = Buffer.allocUnsafe(1024 * 1024);
	let position = 0;
	while (position < job.end) {
		const n = fs.readSync(job.fd, buffer, 0, Math.min(buffer.length, job.end - position), position);
		if (n === 0) break;
		verifier.update(buffer.subarray(0, n));
		position += n;
	}
	let ok = false;
	if (position === job.end) {
		try {
			const key = crypto.createPublicKey({key: Buffer.from(job.key), format: 'der', type: 'spki'});
			ok = verifier.verify({key, dsaEncoding: 'der'}, Buffer.from(job.signature));
		} catch {
			ok = false;
		}
	}
	parentPort.postMessage(ok);
}

/** The same check on the calling thread (when no worker could run). */
function verifyHere(job: Job, key: KeyObject): boolean {
	const verifier = createVerify(job.hash);
	const buffer = Buffer.allocUnsafe(1024 * 1024);
	let position = 0;
	while (position < job.end) {
		const n = readSync(job.fd, buffer, 0, Math.min(buffer.length, job.end - position), position);
		if (n === 0) return false;
		verifier.update(buffer.subarray(0, n));
		position += n;
	}
	try {
		return verifier.verify({key, dsaEncoding: 'der'}, job.signature);
	} catch {
		return false;
	}
}

export type SignatureCheck = {
	/** Resolves with the verdict; never rejects (a worker that fails is replaced by this thread). */
	readonly result: Promise<boolean>;
	/** Stops the worker (a failed or cancelled run); resolves once it is gone. */
	stop(): Promise<void>;
};

export function verifySignatureInWorker(options: {
	fd: number;
	end: number;
	hash: 'sha256' | 'sha384';
	key: KeyObject;
	signature: Buffer;
}): SignatureCheck {
	const job: Job = {
		fd: options.fd,
		end: options.end,
		hash: options.hash,
		key: options.key.export({format: 'der', type: 'spki'}) as Buffer,
		signature: options.signature,
	};
	let worker: Worker | undefined;
	let settled = false;
	let stopped = false;
	const result = new Promise<boolean>((resolve) => {
		const settle = (ok: boolean) => {
			if (settled) return;
			settled = true;
			resolve(ok);
		};
		// A worker that cannot start or dies: this thread does the work (unless the run stopped).
		const fallback = () => {
			if (!settled && !stopped) settle(verifyHere(job, options.key));
		};
		try {
			worker = new Worker(`(${workerMain.toString()})()`, {eval: true, workerData: job});
		} catch {
			fallback();
			return;
		}
		worker.once('message', (ok: unknown) => settle(ok === true));
		worker.once('error', fallback);
		worker.once('exit', () => {
			fallback();
			settle(false);
		});
	});
	return {
		result,
		stop: async () => {
			stopped = true;
			await worker?.terminate();
		},
	};
}

/** Files from this size on have their signature checked on a worker thread. */
const PARALLEL_SIGNATURE_BYTES = 8 * 1024 * 1024;

/**
 * Starts the signature check of a message file on a worker, from the layout its length gives
 * (layout.ts; the caller refuses a file without one). The reader
 * then gets a verifier that only records the signature it parsed; `confirm` demands that the
 * body ended where the worker stopped hashing, with the same signature, and that it verified.
 */
export async function parallelSignature(
	header: EsdkHeader,
	key: KeyObject,
	fd: number,
	layout: EsdkFileLayout,
) {
	const signature = header.suite.signature;
	if (!signature || layout.bodyEnd < PARALLEL_SIGNATURE_BYTES || layout.footerBytes < 2) {
		return undefined;
	}
	const footer = Buffer.alloc(layout.footerBytes - 2);
	const read = await new Promise<number>((resolve, reject) =>
		fsRead(fd, footer, 0, footer.length, layout.bodyEnd + 2, (error, n) =>
			error ? reject(error) : resolve(n),
		),
	);
	if (read !== footer.length) return undefined;
	const check = verifySignatureInWorker({
		fd,
		end: layout.bodyEnd,
		hash: signature.hash,
		key,
		signature: footer,
	});
	let parsed: Buffer | undefined;
	const verifier: EsdkVerifier = {
		update() {},
		verify(der) {
			parsed = Buffer.from(der);
			return true;
		},
	};
	return {
		check,
		verifier,
		async confirm(signedEnd: number, label: string) {
			const sameBytes =
				signedEnd === layout.bodyEnd && parsed !== undefined && parsed.equals(footer);
			if (!sameBytes || !(await check.result)) {
				throw new EnvelopeError(
					'tampered',
					`${label}: the signature does not match — the message was modified or is corrupt. Nothing was written.`,
				);
			}
		},
	};
}
