/**
 * `kms-tui rewrap FILE|DIR… [--to KEY]… [--add-key KEY]… [--remove-key KEY]… [--recursive]`: each
 * envelope's data key gets a new wrapping through KMS ReEncrypt (source/envelope/rewrap.ts), one
 * file after another through the batch runner (batch-output.ts). Prints one line per file,
 * `PATH: OLD KEY → NEW KEY (material …)`.
 */
import {SkipFile} from '../batch/run-batch.js';
import {sniffFileSync} from '../batch/sniff.js';
import {type KeyRef, type RewrapResult, rewrapFile} from '../envelope/rewrap.js';
import type {KeyService} from '../service/key-service.js';
import {ServiceError} from '../service/service-error.js';
import {terminalSafeLine} from '../terminal-text.js';
import {runFileBatch} from './batch-output.js';
import type {rewrapFlags} from './commands-table.js';
import {type CommandContext, CommandError, refuseIfReadOnly, UsageError} from './context.js';

/** KMS calls of a rewrap are small: more files in flight than for encrypt is fine. */
const concurrency = 8;

export async function runRewrap(context: CommandContext<typeof rewrapFlags>): Promise<void> {
	refuseIfReadOnly(context, 're-wrap envelopes (it rewrites their headers)');
	const {to, addKey, removeKey} = context.flags;
	if (to.length > 0 && (addKey.length > 0 || removeKey.length > 0)) {
		throw new UsageError(
			'--to gives the whole new list of keys; use it alone, or use --add-key/--remove-key to edit the list.',
		);
	}
	const {services} = await context.session();
	// Each reference once, to its ARN, before any file is touched: a typo fails here, not per file.
	const resolved = new Map<string, string>();
	const resolve = async (reference: string, forRemoval: boolean) => {
		const known = resolved.get(reference);
		if (known) return known;
		const arn = await keyArnOf(services.keys, reference, forRemoval);
		resolved.set(reference, arn);
		return arn;
	};
	const plan = {
		...(to.length > 0 ? {to: await mapSerial(to, (key) => resolve(key, false))} : {}),
		...(addKey.length > 0 ? {addKeys: await mapSerial(addKey, (key) => resolve(key, false))} : {}),
		...(removeKey.length > 0
			? {removeKeys: await mapSerial(removeKey, (key) => resolve(key, true))}
			: {}),
	};
	await runFileBatch(context, {
		verb: 'rewrap',
		recursive: context.flags.recursive,
		concurrency,
		work: async (item, io) => {
			// Found under a directory, a file that is neither kind of envelope is left alone; named
			// on the command line it fails, with the engine's reason.
			if (item.relativePath !== undefined && sniffFileSync(item.path) === 'other') {
				throw new SkipFile('not an envelope');
			}
			const result = await rewrapFile(item.path, {
				...plan,
				provider: services.keys,
				expectedContext: context.flags.context,
				signal: io.signal,
				onNotice: (message) => process.stderr.write(`kms-tui: ${terminalSafeLine(message)}\n`),
			});
			io.onBytes(item.size);
			return result;
		},
		line: (item, result) => terminalSafeLine(`${item.displayPath}: ${describeChange(result)}`),
		json: (_item, result) => ({
			kind: result.kind,
			before: result.before,
			after: result.after,
			payloadUnchanged: result.payloadUnchanged,
			bytes: result.bytes,
		}),
	});
}

async function mapSerial<T, R>(values: readonly T[], map: (value: T) => Promise<R>): Promise<R[]> {
	const results: R[] = [];
	for (const value of values) results.push(await map(value));
	return results;
}

/**
 * DescribeKey: the ARN a wrapped key records. A key being removed may already be gone (deleted,
 * or in an account this caller cannot read): its ARN as typed is then taken as it is.
 */
async function keyArnOf(keys: KeyService, reference: string, forRemoval: boolean): Promise<string> {
	try {
		const key = await keys.describeKey(reference);
		if (!forRemoval && key.state !== 'Enabled') {
			throw new CommandError(
				`The key ${terminalSafeLine(reference)} is ${key.state}; KMS cannot wrap a data key under it — enable it first (kms-tui key enable) or choose another key.`,
			);
		}
		return key.arn;
	} catch (error) {
		const isKeyArn = /^arn:aws[\w-]*:kms:[^:]*:\d*:key\//.test(reference);
		const kind = error instanceof ServiceError ? error.kind : undefined;
		if (forRemoval && kind === 'not-found' && isKeyArn) return reference;
		// A key of another region (a disaster-recovery copy): DescribeKey here cannot see it, and
		// rewrap reaches it in its own region (rewrap-keys.ts). Its state shows when KMS is asked.
		if (kind === 'wrong-region' && isKeyArn) return reference;
		if (kind === 'wrong-region') {
			throw new CommandError(
				`${terminalSafeLine(reference)} is an alias of another region; give that key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) so each file records the key itself.`,
			);
		}
		throw error;
	}
}

function describeKey(key: KeyRef): string {
	return key.keyMaterialId === undefined
		? key.keyArn
		: `${key.keyArn} (material ${key.keyMaterialId.slice(0, 12)}…)`;
}

export function describeChange(result: RewrapResult): string {
	const list = (keys: readonly KeyRef[]) => keys.map(describeKey).join(', ');
	const converted =
		result.kind === 'kms-v1-converted'
			? ' [converted v1 → v2: frames re-sealed]'
			: result.kind === 'esdk'
				? ' [SDK message: new message id, frames re-sealed]'
				: '';
	return `${list(result.before)} → ${list(result.after)}${converted}`;
}
