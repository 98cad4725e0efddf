/**
 * What every lifecycle command receives: its arguments, the global options, a lazily opened
 * session (so `--help` and usage errors never start a sandbox), and the output streams.
 */
import {createInterface} from 'node:readline/promises';
import {readEnvValue} from '../env-file/index.js';
import {ServiceError} from '../service/index.js';
import type {Session} from '../session.js';
import {CommandError, UsageError} from './command-error.js';

export type GlobalOptions = {
	readonly stackName: string;
	readonly envFile: string;
	readonly key?: string;
	readonly json: boolean;
	readonly yes: boolean;
	readonly readOnly: boolean;
};

export type CommandContext = {
	readonly args: readonly string[];
	readonly flags: Readonly<Record<string, unknown>>;
	readonly options: GlobalOptions;
	readonly session: () => Promise<Session>;
	readonly stdout: NodeJS.WritableStream;
	readonly stderr: NodeJS.WritableStream;
	readonly stdinIsTty: boolean;
	readonly env: NodeJS.ProcessEnv;
};

/** Prints human text, or nothing when --json is on (the command prints its JSON document itself). */
export function say(context: CommandContext, text: string): void {
	if (!context.options.json) context.stdout.write(`${text}\n`);
}

export function printJson(context: CommandContext, value: unknown): void {
	context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function refuseIfReadOnly(context: CommandContext, what: string): void {
	if (context.options.readOnly) {
		throw new UsageError(
			`--read-only is set, so kms-tui will not ${what}. Run without --read-only to make changes.`,
		);
	}
}

/**
 * Asks before a change. `--yes` skips the question; without a terminal to ask on, refuse rather
 * than guess (scripts must say --yes).
 */
export async function confirm(
	context: CommandContext,
	question: string,
	expected = 'y',
): Promise<boolean> {
	if (context.options.yes) return true;
	if (!context.stdinIsTty) {
		throw new UsageError(
			'This changes AWS resources and there is no terminal to confirm on: add --yes to go ahead.',
		);
	}
	const prompt = createInterface({input: process.stdin, output: context.stderr});
	try {
		const answer = (await prompt.question(`${question} `)).trim();
		return expected === 'y' ? /^y(es)?$/i.test(answer) : answer === expected;
	} finally {
		prompt.close();
	}
}

/**
 * The key a command works on: --key, else KMS_KEY_ID in the environment, else in the .env
 * file, else the stack's KeyId output.
 */
export async function resolveKeyRef(
	context: CommandContext,
): Promise<{keyRef: string; source: string}> {
	if (context.options.key) return {keyRef: context.options.key, source: '--key'};
	if (context.env.KMS_KEY_ID)
		return {keyRef: context.env.KMS_KEY_ID, source: 'KMS_KEY_ID in the environment'};
	const fromFile = await readEnvValue(context.options.envFile, 'KMS_KEY_ID');
	if (fromFile) return {keyRef: fromFile, source: `KMS_KEY_ID in ${context.options.envFile}`};
	const {services} = await context.session();
	const stack = await services.stacks.findStack(context.options.stackName);
	if (stack && !stack.status.startsWith('DELETE') && stack.status !== 'REVIEW_IN_PROGRESS') {
		const fromStack = (await services.stacks.keyOutputs(stack)).outputs.KeyId;
		if (fromStack) return {keyRef: fromStack, source: `stack ${stack.name} output KeyId`};
	}
	throw new CommandError(
		`No key to work on: no --key, no KMS_KEY_ID in the environment or ${context.options.envFile}, and no stack ${context.options.stackName} with a KeyId output.\n` +
			'Deploy the stack with `kms-tui deploy`, or pass --key with a key id, ARN or alias.',
	);
}

/** Parses repeated `K=V` values (for --param and --context). */
export function parsePairs(values: readonly string[], flag: string): Record<string, string> {
	const pairs: Record<string, string> = {};
	for (const value of values) {
		const index = value.indexOf('=');
		if (index <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got "${value}".`);
		pairs[value.slice(0, index)] = value.slice(index + 1);
	}
	return pairs;
}

export {formatDate} from '../format.js';
export {CommandError, ServiceError, UsageError};
