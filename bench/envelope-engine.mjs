// In-process throughput check for the envelope engine (not part of the test suite).
//
//   npm run build                           # makes dist/envelope/index.js, then:
//   node bench/envelope-engine.mjs encrypt|decrypt IN OUT [frameSize] [moduleDir]
//
// Uses a local data-key provider (no KMS) and prints MB/s (10^6 plaintext bytes per second)
// measured around the engine call only. Run it under `/usr/bin/time -v` for peak RSS.
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

// The engine as built next to this script, unless a directory is given (from any working directory).
const builtEngine = fileURLToPath(new URL('../dist/envelope', import.meta.url));
const [mode, input, output, frameArg, moduleDir = builtEngine] = process.argv.slice(2);
if (!mode || !input || !output) {
	console.error(
		'usage: node bench/envelope-engine.mjs encrypt|decrypt IN OUT [frameSize] [moduleDir]',
	);
	process.exit(2);
}
const {encryptFile, decryptFile} = await import(
	pathToFileURL(path.resolve(moduleDir, 'index.js')).href
);

// A fixed local master key so a separate decrypt run can unwrap what encrypt wrapped.
const master = Buffer.alloc(32, 7);
const keyArn = 'arn:aws:kms:eu-west-1:000000000000:key/bench';
const provider = {
	async generateDataKey() {
		const plaintext = randomBytes(32);
		const iv = randomBytes(12);
		const cipher = createCipheriv('aes-256-gcm', master, iv);
		const blob = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
		return {plaintext, ciphertextBlob: blob, keyArn};
	},
	async decryptDataKey({ciphertextBlob}) {
		const blob = Buffer.from(ciphertextBlob);
		const decipher = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12));
		decipher.setAuthTag(blob.subarray(44));
		return {
			plaintext: Buffer.concat([decipher.update(blob.subarray(12, 44)), decipher.final()]),
			keyArn,
		};
	},
};

// BENCH_THREADS=n: the frame job's thread count, main thread included (default: one per core).
const threads = process.env.BENCH_THREADS ? {threads: Number(process.env.BENCH_THREADS)} : {};
const started = performance.now();
const result =
	mode === 'encrypt'
		? await encryptFile({
				input,
				output,
				provider,
				keyId: keyArn,
				force: true,
				...threads,
				...(frameArg ? {frameSize: Number(frameArg)} : {}),
			})
		: await decryptFile({input, output, provider, force: true, ...threads});
const seconds = (performance.now() - started) / 1000;
console.log(
	JSON.stringify({
		mode,
		bytes: result.bytes,
		seconds: Number(seconds.toFixed(3)),
		mbPerSecond: Math.round(result.bytes / 1e6 / seconds),
	}),
);
