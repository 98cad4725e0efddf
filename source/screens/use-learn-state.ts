/**
 * The Learn screen's state: the six envelope steps, each run for real on the current key.
 * DESIGN §5: plaintext data keys live only in Buffers held by refs, never in React state. State
 * holds only what may be shown: masks, lengths, the ARN and the non-secret envelope values. Both
 * key copies are zeroed when their step is done, and on unmount (esc) or a restart.
 */
import {createCipheriv, createDecipheriv, randomBytes} from 'node:crypto';
import {useCallback, useEffect, useReducer, useRef} from 'react';
import type {KeyValueRow} from '../components/key-value-table.js';
import {resolveKeyChoice} from '../hooks/lifecycle.js';
import {useAppContext} from '../hooks/use-app-context.js';
import {toDisplayError, useTask} from '../hooks/use-task.js';
import type {ServiceError} from '../service/index.js';
import {hexPreview, learnSteps, maskKey, sampleText, truncate} from './learn-steps.js';

export type StepResult = {
	readonly rows: readonly KeyValueRow[];
	/** A document to show as is (the envelope JSON). */
	readonly block?: string;
};

type State = {
	readonly results: readonly StepResult[];
	readonly isRunning: boolean;
	readonly error?: ServiceError;
};

type Action =
	| {type: 'running'}
	| {type: 'result'; result: StepResult}
	| {type: 'error'; error: ServiceError}
	| {type: 'restart'};

function reducer(state: State, action: Action): State {
	switch (action.type) {
		case 'running':
			return {...state, isRunning: true, error: undefined};
		case 'result':
			return {results: [...state.results, action.result], isRunning: false};
		case 'error':
			return {...state, isRunning: false, error: action.error};
		case 'restart':
			return {results: [], isRunning: false};
	}
}

/** What the envelope holds: none of it is secret, so a plain ref is enough. */
type Envelope = {
	keyArn: string;
	blob: Uint8Array;
	iv: Buffer;
	tag: Buffer;
	ciphertext: Buffer;
};

const noContext = {};

export function useLearnState() {
	const {services, settings} = useAppContext();
	const [state, dispatch] = useReducer(reducer, {results: [], isRunning: false});
	const dataKey = useRef<Buffer | undefined>(undefined);
	const recovered = useRef<Buffer | undefined>(undefined);
	const envelope = useRef<Envelope | undefined>(undefined);
	const load = useTask((signal) => resolveKeyChoice(services, settings, signal));
	const {run} = load;
	useEffect(() => {
		void run();
	}, [run]);

	const alive = useRef(true);
	const wipe = useCallback(() => {
		dataKey.current?.fill(0);
		recovered.current?.fill(0);
		dataKey.current = undefined;
		recovered.current = undefined;
	}, []);
	useEffect(() => {
		alive.current = true;
		return () => {
			alive.current = false;
			wipe();
		};
	}, [wipe]);
	const choice = load.state.status === 'success' ? load.state.value : undefined;

	const steps: Array<() => Promise<StepResult>> = [
		async () => {
			const key = await services.keys.generateDataKey({
				keyId: choice?.keyRef ?? '',
				encryptionContext: noContext,
			});
			dataKey.current = key.plaintext;
			envelope.current = {
				keyArn: key.keyArn,
				blob: key.ciphertextBlob,
				iv: Buffer.alloc(0),
				tag: Buffer.alloc(0),
				ciphertext: Buffer.alloc(0),
			};
			return {
				rows: [
					{label: 'Plaintext key', value: maskKey(dataKey.current)},
					{label: 'CiphertextBlob', value: `${key.ciphertextBlob.length} bytes (encrypted key)`},
					{label: 'Key ARN', value: key.keyArn},
				],
			};
		},
		async () => {
			const current = envelope.current;
			if (!dataKey.current || !current) throw new Error('Run step 1 first.');
			const iv = randomBytes(12);
			const cipher = createCipheriv('aes-256-gcm', dataKey.current, iv);
			current.ciphertext = Buffer.concat([cipher.update(sampleText, 'utf8'), cipher.final()]);
			current.iv = iv;
			current.tag = cipher.getAuthTag();
			return {
				rows: [
					{label: 'Sample text', value: `"${sampleText}"`},
					{label: 'IV (12 bytes)', value: iv.toString('hex')},
					{label: 'Tag (16 bytes)', value: current.tag.toString('hex')},
					{label: 'Ciphertext', value: hexPreview(current.ciphertext, 24)},
				],
			};
		},
		async () => {
			const current = envelope.current;
			if (!current) throw new Error('Run step 1 first.');
			const document = {
				keyArn: current.keyArn,
				encryptedDataKey: truncate(Buffer.from(current.blob).toString('base64'), 32),
				iv: current.iv.toString('base64'),
				authTag: current.tag.toString('base64'),
				ciphertext: truncate(current.ciphertext.toString('base64'), 48),
			};
			return {rows: [], block: JSON.stringify(document, null, 2)};
		},
		async () => {
			const key = dataKey.current;
			if (!key) throw new Error('Run step 1 first.');
			key.fill(0);
			const shown = hexPreview(key);
			dataKey.current = undefined;
			return {
				rows: [
					{label: 'Done', value: 'buffer.fill(0)'},
					{label: 'Key bytes now', value: shown},
				],
			};
		},
		async () => {
			const current = envelope.current;
			if (!current) throw new Error('Run step 1 first.');
			const key = await services.keys.decryptDataKey({
				ciphertextBlob: current.blob,
				encryptionContext: noContext,
				keyArn: current.keyArn,
			});
			recovered.current = key.plaintext;
			return {
				rows: [
					{label: 'KMS used key', value: key.keyArn},
					{label: 'Plaintext key', value: maskKey(key.plaintext)},
				],
			};
		},
		async () => {
			const current = envelope.current;
			const key = recovered.current;
			if (!current || !key) throw new Error('Run step 5 first.');
			const decipher = createDecipheriv('aes-256-gcm', key, current.iv);
			decipher.setAuthTag(current.tag);
			const text = Buffer.concat([decipher.update(current.ciphertext), decipher.final()]);
			key.fill(0);
			recovered.current = undefined;
			const same = text.toString('utf8') === sampleText;
			return {
				rows: [
					{label: 'Decrypted', value: `"${text.toString('utf8')}"`},
					{label: 'Compared', value: same ? '✓ identical to the original' : '✗ different'},
					{label: 'Key copy', value: `wiped: ${hexPreview(key)}`},
				],
			};
		},
	];

	const next = async () => {
		if (!choice || state.isRunning) return;
		const work = steps[state.results.length];
		if (!work || state.results.length === learnSteps.length) {
			wipe();
			dispatch({type: 'restart'});
			return;
		}
		dispatch({type: 'running'});
		try {
			const result = await work();
			// Left (esc) while KMS answered: the key just stored must not outlive the screen.
			if (!alive.current) wipe();
			dispatch({type: 'result', result});
		} catch (error) {
			dispatch({type: 'error', error: toDisplayError(error)});
		}
	};

	return {state, load, choice, next, done: state.results.length};
}
