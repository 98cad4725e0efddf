// The AWS Encryption SDK as a peer in `npm run bench`: file → file with a raw AES keyring and the
// unsigned key-committing suite (no KMS, like age), streaming, at a given frame size.
// Usage: node bench/esdk.mjs encrypt|decrypt IN OUT FRAME_BYTES
import {createReadStream, createWriteStream} from 'node:fs';
import {pipeline} from 'node:stream/promises';
import {
	AlgorithmSuiteIdentifier,
	buildClient,
	CommitmentPolicy,
	RawAesKeyringNode,
	RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';

const [operation, input, output, frame] = process.argv.slice(2);
const {encryptStream, decryptUnsignedMessageStream} = buildClient(
	CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
);
// A fixed wrapping key: the bench measures the data path, not key management.
const keyring = new RawAesKeyringNode({
	keyName: 'bench',
	keyNamespace: 'kms-tui-bench',
	unencryptedMasterKey: new Uint8Array(32).fill(7),
	wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
});

const transform =
	operation === 'encrypt'
		? encryptStream(keyring, {
				suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
				frameLength: Number(frame),
			})
		: decryptUnsignedMessageStream(keyring);
await pipeline(
	createReadStream(input, {highWaterMark: 1024 * 1024}),
	transform,
	createWriteStream(output),
);
