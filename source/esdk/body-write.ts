/**
 * The framed message body of the AWS Encryption SDK format, written (data-format/message-body.md,
 * client-apis/encrypt.md "Construct the body"). Frames are numbered from 1; a frame's IV is its
 * sequence number, big-endian in the last four of twelve bytes; its AAD is message id ‖ "…Frame"
 * or "…Final Frame" ‖ sequence number ‖ UInt64 plaintext length. Exactly one final frame ends the
 * body; an input of k·F bytes (k ≥ 1) ends in a full final frame, as the spec prefers.
 *
 * A frame goes through the cipher in pieces, so memory does not grow with the frame length when
 * the plaintext size is known (a regular file). A stream has to hold a whole frame before it
 * knows whether that frame is the final one (the final frame's header states its length).
 */
import {type CipherGCM, type CipherGCMTypes, createCipheriv, type KeyObject} from 'node:crypto';
import {updateSliced} from '../envelope/derive.js';
import {EnvelopeError} from '../envelope/errors.js';
import {cipherName} from './header-write.js';
import {ESDK_IV_BYTES, ESDK_TAG_BYTES, type EsdkSuite} from './suites.js';

/** Sequence numbers are UInt32 and FF FF FF FF marks the final frame: at most 2^32 − 1 frames. */
export const ESDK_MAX_FRAMES = 0xffff_ffff;

const REGULAR_CONTENT = Buffer.from('AWSKMSEncryptionClient Frame', 'utf8');
const FINAL_CONTENT = Buffer.from('AWSKMSEncryptionClient Final Frame', 'utf8');
const SEQUENCE_END = 0xffff_ffff;

/** Bytes a regular frame adds to its plaintext: sequence number, IV, tag. */
export const REGULAR_FRAME_OVERHEAD = 4 + ESDK_IV_BYTES + ESDK_TAG_BYTES;
/** Bytes the final frame adds: sequence end marker, sequence number, IV, length, tag. */
export const FINAL_FRAME_OVERHEAD = 4 + 4 + ESDK_IV_BYTES + 4 + ESDK_TAG_BYTES;

/** Frames of a known-size plaintext: ⌈N / F⌉, and one (an empty final frame) for N = 0. */
export function esdkFrameCount(plaintextSize: number, frameLength: number): number {
	return plaintextSize === 0 ? 1 : Math.ceil(plaintextSize / frameLength);
}

/** Body bytes of a known-size plaintext (for sizes shown in advance and for tests). */
export function esdkBodyLength(plaintextSize: number, frameLength: number): number {
	const frames = esdkFrameCount(plaintextSize, frameLength);
	return plaintextSize + (frames - 1) * REGULAR_FRAME_OVERHEAD + FINAL_FRAME_OVERHEAD;
}

export function tooManyFrames(label: string): EnvelopeError {
	return new EnvelopeError(
		'invalid-argument',
		`${label}: too large for ${ESDK_MAX_FRAMES} frames — use a larger --frame-size.`,
	);
}

/** Seals frames one piece at a time: begin, update…, end. One message, one thread. */
export type FrameSealer = {
	/** Starts frame `sequence` of `length` plaintext bytes; pushes its header to `out`. */
	begin(sequence: number, length: number, isFinal: boolean, out: Buffer[]): void;
	/** Pushes the ciphertext of the next plaintext bytes of the open frame. */
	update(plain: Buffer, out: Buffer[]): void;
	/** Pushes the open frame's tag; throws if it did not get exactly `length` bytes. */
	end(out: Buffer[]): void;
};

export function frameSealer(suite: EsdkSuite, key: KeyObject, messageId: Buffer): FrameSealer {
	const algorithm: CipherGCMTypes = cipherName(suite);
	const iv = Buffer.alloc(ESDK_IV_BYTES);
	const regularAad = Buffer.concat([messageId, REGULAR_CONTENT, Buffer.alloc(12)]);
	const finalAad = Buffer.concat([messageId, FINAL_CONTENT, Buffer.alloc(12)]);
	let cipher: CipherGCM | undefined;
	let left = 0;
	return {
		begin(sequence, length, isFinal, out) {
			iv.writeUInt32BE(sequence, ESDK_IV_BYTES - 4);
			const aad = isFinal ? finalAad : regularAad;
			aad.writeUInt32BE(sequence, aad.length - 12);
			// UInt64 length: frames are at most 2^32 − 1 bytes, so the high word is 0.
			aad.writeUInt32BE(0, aad.length - 8);
			aad.writeUInt32BE(length, aad.length - 4);
			cipher = createCipheriv(algorithm, key, iv, {authTagLength: ESDK_TAG_BYTES});
			cipher.setAAD(aad);
			left = length;
			// A fresh header buffer: `out` is written after more frames were begun.
			const header = Buffer.allocUnsafe(isFinal ? 24 : 16);
			let at = 0;
			if (isFinal) at = header.writeUInt32BE(SEQUENCE_END, 0);
			at = header.writeUInt32BE(sequence, at);
			iv.copy(header, at);
			at += ESDK_IV_BYTES;
			if (isFinal) header.writeUInt32BE(length, at);
			out.push(header);
		},
		update(plain, out) {
			if (!cipher || plain.length > left)
				throw new Error('frame sealer: more bytes than the frame holds');
			updateSliced(cipher, plain, out);
			left -= plain.length;
		},
		end(out) {
			if (!cipher || left !== 0) throw new Error('frame sealer: the frame is not complete');
			cipher.final();
			out.push(cipher.getAuthTag());
			cipher = undefined;
		},
	};
}

/**
 * The body of a plaintext whose size is known up front, fed in pieces of any size: frame
 * boundaries fall wherever they fall inside the pieces.
 */
export function knownSizeBody(sealer: FrameSealer, plaintextSize: number, frameLength: number) {
	const frames = esdkFrameCount(plaintextSize, frameLength);
	const finalLength = plaintextSize - (frames - 1) * frameLength;
	let sequence = 0;
	let left = 0;
	let open = false;
	const begin = (out: Buffer[]) => {
		sequence++;
		const isFinal = sequence === frames;
		left = isFinal ? finalLength : frameLength;
		sealer.begin(sequence, left, isFinal, out);
		open = true;
	};
	return {
		frames,
		/** Seals the next plaintext bytes (they must not go past `plaintextSize`). */
		push(plain: Buffer, out: Buffer[]): void {
			let at = 0;
			while (at < plain.length) {
				if (!open) {
					if (sequence === frames) throw new Error('body: more plaintext than announced');
					begin(out);
				}
				const take = Math.min(left, plain.length - at);
				sealer.update(plain.subarray(at, at + take), out);
				at += take;
				left -= take;
				if (left === 0) {
					sealer.end(out);
					open = false;
				}
			}
		},
		/** After the last byte: the empty final frame of an empty plaintext. False if bytes are missing. */
		finish(out: Buffer[]): boolean {
			if (sequence === 0 && frames === 1 && finalLength === 0) {
				begin(out);
				sealer.end(out);
				open = false;
			}
			return sequence === frames && !open;
		},
	};
}
