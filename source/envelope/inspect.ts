/**
 * inspectEnvelope: what an envelope says about itself, without KMS. Nothing here is verified —
 * the header is only authenticated when decrypt opens the frames — so treat it as a label.
 */
import {type EnvelopeStart, readEnvelopeStart} from './detect.js';
import {throwIfAborted, toEnvelopeError} from './errors.js';
import {
	binaryBodyLayout,
	type EnvelopeEncoding,
	type EnvelopeHeader,
	type FormatVersion,
} from './format.js';
import {openInput} from './io.js';

export type EnvelopeSummary = {
	readonly encoding: EnvelopeEncoding;
	readonly version: FormatVersion;
	readonly algorithm: string;
	/** The first wrapped key's ARN: the key the envelope was made under (GenerateDataKey). */
	readonly keyArn: string;
	/** Every KMS key that can open the envelope, in the order decrypt tries them. */
	readonly wrappedKeys: readonly {
		readonly keyArn: string;
		readonly encryptedDataKeyBytes: number;
		/** The key material KMS reported when it made this wrapped key, if recorded (v2). */
		readonly keyMaterialId?: string;
	}[];
	readonly encryptionContext: Readonly<Record<string, string>>;
	readonly messageId: string;
	readonly frameSize: number;
	/** Base name recorded at encryption, if any. */
	readonly fileName?: string;
	/** Plaintext size: recorded in the header, else implied by the file length. */
	readonly plaintextSize?: number;
	/** True when the header records the plaintext size. */
	readonly plaintextSizeRecorded: boolean;
	/** Bytes of the envelope file. */
	readonly fileSize?: number;
	/** Frames implied by the file length (undefined when the length is impossible: cut off). */
	readonly frameCount?: number;
	/** False when the file length contradicts the header (truncated or extended). */
	readonly lengthConsistent: boolean;
	readonly createdAt: string;
	readonly header: EnvelopeHeader;
};

export async function inspectEnvelope(
	file: string,
	options: {signal?: AbortSignal} = {},
): Promise<EnvelopeSummary> {
	const label = file === '-' ? 'standard input' : file;
	throwIfAborted(label, options.signal);
	const input = await openInput(file, undefined, options.signal, label);
	try {
		const start = await readEnvelopeStart(input.source, input.size, label);
		return summarize(start, input.size);
	} catch (error) {
		throw toEnvelopeError(error, label);
	} finally {
		await input.close();
	}
}

function summarize(start: EnvelopeStart, fileSize: number | undefined): EnvelopeSummary {
	const {header} = start;
	let frameCount: number | undefined;
	let implied: number | undefined;
	if (start.encoding === 'json') {
		frameCount = 1;
		implied = start.ciphertextBytes;
	} else if (fileSize !== undefined) {
		const layout = binaryBodyLayout(fileSize - start.headerBytes, header.frameSize);
		frameCount = layout?.frames;
		implied = layout?.plaintextSize;
	}
	const recorded = header.plaintextSize;
	return {
		encoding: start.encoding,
		version: header.version,
		algorithm: header.algorithm,
		keyArn: header.wrappedKeys[0]?.keyArn ?? '',
		wrappedKeys: header.wrappedKeys.map((key) => ({
			keyArn: key.keyArn,
			encryptedDataKeyBytes: Buffer.from(key.encryptedDataKey, 'base64').length,
			...(key.keyMaterialId === undefined ? {} : {keyMaterialId: key.keyMaterialId}),
		})),
		encryptionContext: header.encryptionContext,
		messageId: header.messageId,
		frameSize: header.frameSize,
		...(header.fileName === undefined ? {} : {fileName: header.fileName}),
		...((recorded ?? implied) === undefined ? {} : {plaintextSize: recorded ?? implied}),
		plaintextSizeRecorded: recorded !== undefined,
		...(fileSize === undefined ? {} : {fileSize}),
		...(frameCount === undefined ? {} : {frameCount}),
		lengthConsistent:
			fileSize === undefined ||
			(implied !== undefined && (recorded === undefined || recorded === implied)),
		createdAt: header.createdAt,
		header,
	};
}
