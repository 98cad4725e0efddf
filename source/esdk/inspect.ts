/**
 * `kms-tui inspect` of an AWS Encryption SDK message: what its header says (suite, content type,
 * frame length, data keys, context) and, for a file, what its length implies (frames, plaintext
 * bytes), read from the header, the final frame's head and the footer only. No KMS call, and
 * nothing is verified: the header is authenticated only when decrypt has the data key.
 */
import {throwIfAborted, toEnvelopeError} from '../envelope/errors.js';
import {openInput} from '../envelope/io.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {EsdkHeader} from './header-parse.js';
import {readEsdkHeader, startsWithEsdkMessage} from './header-read.js';
import {fileLayout} from './layout.js';
import {AWS_KMS_PROVIDER, describeProvider} from './message-key.js';
import {ESDK_PUBLIC_KEY_CONTEXT_KEY, suiteIdHex} from './suites.js';

export type EsdkSummary = {
	readonly format: 'aws-encryption-sdk';
	readonly messageFormatVersion: 1 | 2;
	readonly suite: {
		readonly id: string;
		readonly name: string;
		readonly committing: boolean;
		readonly signed: boolean;
	};
	readonly contentType: 'framed' | 'non-framed';
	/** Plaintext bytes per regular frame (0: non-framed). */
	readonly frameLength: number;
	readonly messageId: string;
	readonly encryptedDataKeys: readonly {
		readonly providerId: string;
		/** For aws-kms: the key ARN. */
		readonly keyArn?: string;
		/** For other providers: what kms-tui makes of them (it cannot decrypt those). */
		readonly description?: string;
	}[];
	readonly encryptionContext: Readonly<Record<string, string>>;
	readonly headerBytes: number;
	readonly fileSize?: number;
	/** Implied by the file length (undefined for standard input or an inconsistent length). */
	readonly frameCount?: number;
	readonly plaintextSize?: number;
	/** False when the file length does not fit the header (cut off, or bytes added). */
	readonly lengthConsistent: boolean;
	readonly header: EsdkHeader;
};

/** Undefined when `file` does not start like an SDK message (then it is someone else's). */
export async function inspectEsdkMessage(
	file: string,
	options: {signal?: AbortSignal; maxEncryptedDataKeys?: number} = {},
): Promise<EsdkSummary | undefined> {
	const label = file === '-' ? 'standard input' : file;
	throwIfAborted(label, options.signal);
	const input = await openInput(file, undefined, options.signal, label);
	try {
		if (!(await startsWithEsdkMessage(input.source))) return undefined;
		const {header} = await readEsdkHeader(input.source, label, options.maxEncryptedDataKeys);
		const layout =
			input.fd === undefined || input.size === undefined
				? undefined
				: await fileLayout(input.fd, header, input.size);
		return summarize(header, input.size, layout);
	} catch (error) {
		throw toEnvelopeError(error, label);
	} finally {
		await input.close();
	}
}

function summarize(
	header: EsdkHeader,
	fileSize: number | undefined,
	layout: {frameCount: number; plaintextSize: number} | undefined,
): EsdkSummary {
	return {
		format: 'aws-encryption-sdk',
		messageFormatVersion: header.version,
		suite: {
			id: suiteIdHex(header.suite.id),
			name: header.suite.name,
			committing: header.suite.committing,
			signed: header.suite.signature !== undefined,
		},
		contentType: header.contentType,
		frameLength: header.frameLength,
		messageId: header.messageId.toString('hex'),
		encryptedDataKeys: header.encryptedDataKeys.map((key) =>
			key.providerId === AWS_KMS_PROVIDER
				? {providerId: key.providerId, keyArn: key.providerInfo.toString('utf8')}
				: {providerId: key.providerId, description: describeProvider(key)},
		),
		encryptionContext: header.encryptionContext,
		headerBytes: header.headerBytes,
		...(fileSize === undefined ? {} : {fileSize}),
		...(layout ? {frameCount: layout.frameCount, plaintextSize: layout.plaintextSize} : {}),
		lengthConsistent: fileSize === undefined || layout !== undefined,
		header,
	};
}

/** The text `kms-tui inspect` prints; every value from the file is escaped for the terminal. */
export function formatEsdkSummary(label: string, summary: EsdkSummary): string {
	const safe = terminalSafeLine;
	const size = (bytes: number | undefined) =>
		bytes === undefined ? 'unknown' : `${bytes.toLocaleString('en-US')} bytes`;
	const context = Object.entries(summary.encryptionContext);
	const keys = summary.encryptedDataKeys.map((key, index) => {
		const what =
			key.keyArn !== undefined
				? `${safe(key.keyArn)}`
				: `${key.description} — not supported by kms-tui`;
		return `  ${index === 0 ? 'data keys   ' : '            '} ${index + 1}. ${what}`;
	});
	const frames =
		summary.contentType === 'non-framed'
			? 'non-framed (one AES-GCM block)'
			: `framed, ${summary.frameCount ?? '?'} frame(s) of up to ${summary.frameLength.toLocaleString('en-US')} bytes`;
	return [
		`${safe(label)}: AWS Encryption SDK message v${summary.messageFormatVersion}`,
		`  suite        ${summary.suite.id} ${summary.suite.name}${summary.suite.committing ? '' : '  (non-committing: decrypt needs --allow-non-committing)'}`,
		...keys,
		`  context      ${
			context.length > 0
				? context
						.map(([key, value]) =>
							key === ESDK_PUBLIC_KEY_CONTEXT_KEY
								? `${key}=(the signature's public key)`
								: `${safe(key)}=${safe(value)}`,
						)
						.join(', ')
				: '(none)'
		}`,
		`  content      ${frames}`,
		`  plaintext    ${size(summary.plaintextSize)}`,
		`  message      ${size(summary.fileSize)}, header ${size(summary.headerBytes)}`,
		`  message id   ${summary.messageId}`,
		...(summary.lengthConsistent
			? []
			: ['  warning      the file length does not match the header: it was cut off or extended']),
		'  (read from the header without KMS; nothing is verified until you decrypt)',
	].join('\n');
}
