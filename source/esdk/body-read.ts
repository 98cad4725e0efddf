/**
 * Reading an ESDK message body (data-format/message-body.md, message-body-aad.md) and its footer
 * (message-footer.md) as a state machine fed with consecutive chunks of any size: framed content
 * (regular frames, then exactly one final frame) or non-framed content, then the footer of the
 * signed suites, then the end of input. Each frame is opened with a streaming AES-GCM decipher,
 * so neither a large frame nor a non-framed body is ever held whole unless the output must not
 * see unverified bytes (`holdUnverified`: a stream), and small fields cut by a chunk boundary
 * are the only bytes copied. Every byte of the header and body goes to the signature verifier.
 */
import {createDecipheriv, type DecipherGCM, type KeyObject} from 'node:crypto';
import {EnvelopeError} from '../envelope/errors.js';
import type {EsdkHeader} from './header-parse.js';
import type {EsdkVerifier} from './signature-verify.js';
import {ESDK_IV_BYTES, ESDK_TAG_BYTES} from './suites.js';

const FRAME_LABEL = Buffer.from('AWSKMSEncryptionClient Frame', 'utf8');
const FINAL_FRAME_LABEL = Buffer.from('AWSKMSEncryptionClient Final Frame', 'utf8');
const SINGLE_BLOCK_LABEL = Buffer.from('AWSKMSEncryptionClient Single Block', 'utf8');
const SEQUENCE_END = 0xffff_ffff;
/** Non-framed content is at most 2^36 − 32 bytes (one AES-GCM invocation). */
export const MAX_NON_FRAMED_BYTES = 2 ** 36 - 32;
/** Bytes per decipher.update(): large outputs churn malloc (see envelope/derive.ts). */
const UPDATE_SLICE = 64 * 1024;

/** The body AAD: message id ‖ content label ‖ UInt32 sequence number ‖ UInt64 content length. */
export function bodyAad(
	messageId: Buffer,
	label: Buffer,
	sequence: number,
	length: number,
): Buffer {
	const aad = Buffer.allocUnsafe(messageId.length + label.length + 12);
	messageId.copy(aad, 0);
	label.copy(aad, messageId.length);
	const at = messageId.length + label.length;
	aad.writeUInt32BE(sequence, at);
	aad.writeUInt32BE(Math.floor(length / 2 ** 32), at + 4);
	aad.writeUInt32BE(length >>> 0, at + 8);
	return aad;
}

/** True when `iv` is the IV of sequence number `n`: eight zero bytes, then `n` big-endian. */
function isSequenceIv(iv: Buffer, sequence: number): boolean {
	return iv.readUInt32BE(0) === 0 && iv.readUInt32BE(4) === 0 && iv.readUInt32BE(8) === sequence;
}

export type BodyReader = {
	/**
	 * Consumes `data` (the next bytes after the header); appends plaintext that may be written to
	 * `out`. `isLast` says no bytes follow: the message must be complete there.
	 */
	consume(data: Buffer, isLast: boolean, out: Buffer[]): void;
	/** Plaintext bytes appended to `out` so far. */
	readonly plaintextBytes: number;
	/** Body bytes before the footer (the signed part), once the final frame was read. */
	readonly signedBodyBytes: number | undefined;
};

type Phase = 'head' | 'content' | 'tag' | 'footer' | 'done';

export function createBodyReader(options: {
	header: EsdkHeader;
	key: KeyObject;
	verifier: EsdkVerifier | undefined;
	/** Keep a frame's plaintext until its tag verified (and the final one until the signature did). */
	holdUnverified: boolean;
	label: string;
	/** Said after a failure when verified plaintext already went to a stream. */
	released: () => string;
	/** With holdUnverified: the most plaintext one frame (or non-framed content) may hold. */
	maxHeldBytes?: number;
	/** The sequence number of the first frame fed (frame-job.ts opens the others). @default 1 */
	firstSequence?: number;
}): BodyReader {
	const {header, key, verifier, holdUnverified, label} = options;
	const {messageId, frameLength} = header;
	const framed = header.contentType === 'framed';
	const cipherName = `aes-${header.suite.keyBytes * 8}-gcm` as const;
	const gcm = {authTagLength: ESDK_TAG_BYTES};
	const fail = (code: 'tampered' | 'truncated', what: string) =>
		new EnvelopeError(code, `${label}: ${what}.${options.released()}`);

	let phase: Phase = 'head';
	/** Bytes of a field cut by a chunk boundary. */
	const carry = Buffer.alloc(2 + 0xffff);
	let carried = 0;
	let sequence = options.firstSequence ?? 1;
	let isFinal = false;
	let decipher: DecipherGCM | undefined;
	let remaining = 0;
	let pieces: Buffer[] = [];
	let heldFinal: Buffer[] = [];
	let footerBytes = 0;
	let plaintextBytes = 0;
	let consumedBefore = 0;
	let signedBodyBytes: number | undefined;
	// One AAD buffer per label, rewritten per frame (setAAD copies it): no allocation per frame.
	const aads = new Map<Buffer, Buffer>();
	const aadFor = (aadLabel: Buffer, n: number, length: number): Buffer => {
		let aad = aads.get(aadLabel);
		if (!aad) {
			aad = bodyAad(messageId, aadLabel, n, length);
			aads.set(aadLabel, aad);
			return aad;
		}
		const at = messageId.length + aadLabel.length;
		aad.writeUInt32BE(n, at);
		aad.writeUInt32BE(Math.floor(length / 2 ** 32), at + 4);
		aad.writeUInt32BE(length >>> 0, at + 8);
		return aad;
	};

	/** Bytes the head of the next unit takes, given what is known of it so far. */
	const headBytes = (first4: number | undefined): number => {
		if (!framed) return ESDK_IV_BYTES + 8;
		if (first4 === undefined) return 4;
		return first4 === SEQUENCE_END ? 4 + 4 + ESDK_IV_BYTES + 4 : 4 + ESDK_IV_BYTES;
	};

	/** Parses a complete unit head at bytes[at…]; prepares the decipher. */
	const startUnit = (bytes: Buffer, at: number): void => {
		let iv: Buffer;
		let length: number;
		let aadLabel: Buffer;
		if (!framed) {
			iv = bytes.subarray(at, at + ESDK_IV_BYTES);
			const high = bytes.readUInt32BE(at + ESDK_IV_BYTES);
			length = high * 2 ** 32 + bytes.readUInt32BE(at + ESDK_IV_BYTES + 4);
			if (length > MAX_NON_FRAMED_BYTES)
				throw fail(
					'tampered',
					'the non-framed content length is larger than the format allows — the file is corrupt',
				);
			isFinal = true;
			aadLabel = SINGLE_BLOCK_LABEL;
		} else {
			let next = bytes.readUInt32BE(at);
			isFinal = next === SEQUENCE_END;
			let ivAt = at + 4;
			if (isFinal) {
				next = bytes.readUInt32BE(at + 4);
				ivAt = at + 8;
				length = bytes.readUInt32BE(ivAt + ESDK_IV_BYTES);
				if (length > frameLength) {
					throw fail(
						'tampered',
						`the final frame claims ${length} bytes, more than the frame length ${frameLength} — the file is corrupt`,
					);
				}
			} else length = frameLength;
			if (next !== sequence) {
				throw fail(
					'tampered',
					`frame ${sequence} is out of order (it says ${next}) — the file was modified or is corrupt`,
				);
			}
			iv = bytes.subarray(ivAt, ivAt + ESDK_IV_BYTES);
			aadLabel = isFinal ? FINAL_FRAME_LABEL : FRAME_LABEL;
		}
		if (!isSequenceIv(iv, sequence)) {
			throw fail(
				'tampered',
				`${which()} has an unexpected IV — the file was modified or is corrupt`,
			);
		}
		if (holdUnverified && options.maxHeldBytes !== undefined && length > options.maxHeldBytes) {
			throw new EnvelopeError(
				'invalid-argument',
				`${label}: ${which()} holds ${length} bytes, too many to verify before they are written to a stream; ${options.released().trim()} Decrypt to a file with -o FILE.`,
			);
		}
		decipher = createDecipheriv(cipherName as 'aes-256-gcm', key, iv, gcm);
		decipher.setAAD(aadFor(aadLabel, sequence, length));
		remaining = length;
		phase = 'content';
	};

	const phaseNow = (): Phase => phase;
	const which = () =>
		!framed
			? 'the non-framed content'
			: isFinal
				? `the final frame (${sequence})`
				: `frame ${sequence}`;

	const emit = (chunk: Buffer, out: Buffer[]) => {
		if (chunk.length === 0) return;
		if (holdUnverified) pieces.push(chunk);
		else {
			out.push(chunk);
			plaintextBytes += chunk.length;
		}
	};

	const finishUnit = (tag: Buffer, out: Buffer[]): void => {
		const current = decipher as DecipherGCM;
		current.setAuthTag(tag);
		try {
			current.final();
		} catch {
			throw fail(
				'tampered',
				`${which()} failed authentication — the file was modified, truncated or is corrupt`,
			);
		}
		decipher = undefined;
		if (holdUnverified) {
			if (isFinal && verifier) heldFinal = pieces;
			else
				for (const piece of pieces) {
					out.push(piece);
					plaintextBytes += piece.length;
				}
			pieces = [];
		}
		if (isFinal) phase = verifier ? 'footer' : 'done';
		else {
			if (sequence === SEQUENCE_END - 1) {
				throw fail('tampered', 'more frames than the format allows — the file is corrupt');
			}
			sequence++;
			phase = 'head';
		}
	};

	const finishFooter = (signature: Buffer, out: Buffer[]): void => {
		if (!verifier?.verify(signature)) {
			throw fail(
				'tampered',
				'the signature does not match — the message was modified or is corrupt',
			);
		}
		for (const piece of heldFinal) {
			out.push(piece);
			plaintextBytes += piece.length;
		}
		heldFinal = [];
		phase = 'done';
	};

	return {
		get plaintextBytes() {
			return plaintextBytes;
		},
		get signedBodyBytes() {
			return signedBodyBytes;
		},
		consume(data, isLast, out) {
			let at = 0;
			// Everything before the footer is signed: hashed as consumed, in one call per chunk.
			let hashedTo = 0;
			const hashUpTo = (end: number) => {
				if (verifier && end > hashedTo) verifier.update(data.subarray(hashedTo, end));
				hashedTo = end;
			};
			while (at < data.length) {
				if (phase === 'head') {
					// The head of a frame (or of non-framed content): read in place when whole.
					if (carried === 0 && data.length - at >= 4) {
						const need = headBytes(framed ? data.readUInt32BE(at) : 0);
						if (data.length - at >= need) {
							startUnit(data, at);
							at += need;
							continue;
						}
					}
					// Cut by the chunk's end: gather it in `carry` (at most 24 bytes).
					let need = headBytes(
						framed && carried >= 4 ? carry.readUInt32BE(0) : framed ? undefined : 0,
					);
					while (carried < need && at < data.length) {
						carry[carried++] = data[at++] as number;
						if (carried === 4 && framed) need = headBytes(carry.readUInt32BE(0));
					}
					if (carried === need) {
						carried = 0;
						startUnit(carry, 0);
					}
				} else if (phase === 'content') {
					const take = Math.min(remaining, data.length - at);
					for (let off = 0; off < take; off += UPDATE_SLICE) {
						emit(
							(decipher as DecipherGCM).update(
								data.subarray(at + off, at + Math.min(off + UPDATE_SLICE, take)),
							),
							out,
						);
					}
					at += take;
					remaining -= take;
					if (remaining === 0) phase = 'tag';
				} else if (phase === 'tag') {
					if (carried === 0 && data.length - at >= ESDK_TAG_BYTES) {
						at += ESDK_TAG_BYTES;
						finishUnit(data.subarray(at - ESDK_TAG_BYTES, at), out);
					} else {
						while (carried < ESDK_TAG_BYTES && at < data.length)
							carry[carried++] = data[at++] as number;
						if (carried === ESDK_TAG_BYTES) {
							carried = 0;
							finishUnit(Buffer.from(carry.subarray(0, ESDK_TAG_BYTES)), out);
						}
					}
					// The signature covers everything before the footer.
					if (phaseNow() === 'footer') {
						hashUpTo(at);
						signedBodyBytes = consumedBefore + at;
					}
				} else if (phase === 'footer') {
					// UInt16 length ‖ DER signature; gathered in `carry` (≤ 65 537 bytes, usually ~105).
					while (at < data.length && (carried < 2 || carried < 2 + footerBytes)) {
						carry[carried++] = data[at++] as number;
						if (carried === 2) footerBytes = carry.readUInt16BE(0);
					}
					if (carried >= 2 && carried === 2 + footerBytes) {
						carried = 0;
						finishFooter(carry.subarray(2, 2 + footerBytes), out);
					}
				} else {
					throw fail(
						'tampered',
						'there are bytes after the end of the message — the file was modified or is not one message',
					);
				}
			}
			if (phase !== 'footer' && phase !== 'done') hashUpTo(at);
			consumedBefore += data.length;
			if (isLast && phase !== 'done') {
				throw fail(
					'truncated',
					phase === 'footer'
						? 'the message ends without its complete signature — it was cut off'
						: `the message ends inside ${which()} — it was cut off`,
				);
			}
		},
	};
}
