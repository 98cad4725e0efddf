/**
 * What every lifecycle command receives: its arguments, the global options, a lazily opened
 * session (so `--help` and usage errors never start a sandbox), and the output streams.
 */
import {createInterface} from 'node:readline/promises';
import {ServiceError} from '../service/service-error.js';
import type {Session} from '../session.js';
import {type KeyChoice, noKeyMessage, resolveKey} from '../session-context.js';
import {CommandError, UsageError} from './command-error.js';
import type {GlobalFlags} from './definition.js';
import type {FlagSpecs, FlagValues} from './flags.js';

export type GlobalOptions = {
	readonly stackName: string;
	readonly envFile: string;
	readonly key?: string;
	readonly json: boolean;
	readonly yes: boolean;
	readonly readOnly: boolean;
};

/** Every global flag, typed (the target flags, --stack-name, --env-file …). */
export type GlobalValues = FlagValues<GlobalFlags>;

/** `F`: the flags the command declared in commands-table.ts; `flags` holds their typed values. */
export type CommandContext<F extends FlagSpecs = Record<never, never>> = {
	/** The positionals after the command name (for a command with actions: the action first). */
	readonly args: readonly string[];
	readonly flags: FlagValues<F>;
	readonly globals: GlobalValues;
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

/**
 * JSON.stringify escapes C0 controls (ESC included) but leaves C1 controls, bidi overrides, line
 * separators and the BOM raw. They can only stand inside strings, so writing them as \u escapes
 * gives the same document, and a terminal shows it as it is (terminal-text.ts has the set).
 */
const rawInJson =
	/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

export function printJson(context: CommandContext, value: unknown): void {
	const json = JSON.stringify(value, null, 2).replace(
		rawInJson,
		(character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
	context.stdout.write(`${json}\n`);
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
 * The key a command works on, chosen as the TUI chooses it (source/session-context.ts): --key,
 * else KMS_KEY_ID in the environment, else in the .env file, else the stack's KeyId output.
 */
export async function resolveKeyRef(context: CommandContext): Promise<KeyChoice> {
	const settings = {
		keyRef: context.options.key || undefined,
		environmentKeyId: context.env.KMS_KEY_ID || undefined,
		envFile: context.options.envFile,
		cwd: process.cwd(),
		stackName: context.options.stackName,
	};
	const choice = await resolveKey(settings, async () => (await context.session()).services.stacks);
	if (choice) return choice;
	throw new CommandError(
		`${noKeyMessage(settings)}\n` +
			'Deploy the stack with `kms-tui deploy`, or pass --key with a key id, ARN or alias.',
	);
}

export {formatDate} from '../format.js';
export {CommandError, ServiceError, UsageError};
