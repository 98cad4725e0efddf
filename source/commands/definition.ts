/**
 * What a command declares about itself (as wrangler's defineCommand and cobra's Command do):
 * its flags, positionals or actions, help text and examples, and how to load it. The table of
 * declarations is commands-table.ts; registry.ts parses a command line against it; help.ts
 * renders it. Type-only imports keep this module, and with it `--help`, free of the commands.
 */
import type {CommandContext} from './context.js';
import type {FlagSpecs} from './flags.js';

/**
 * Flags every command accepts: where the keys live and which stack and .env file to use, plus
 * --read-only, --no-color and --help. They describe the environment rather than the operation,
 * so a script may put them before any command (`alias k='kms-tui --sandbox-dir D --stack-name S'`).
 */
export const environmentFlags = {
	sandbox: {
		type: 'boolean',
		help: 'The embedded sandbox (default when no AWS configuration is found)',
	},
	profile: {
		type: 'string',
		value: 'NAME',
		needs: 'a profile name',
		help: 'Real AWS with this profile (SSO included)',
	},
	region: {
		type: 'string',
		value: 'REGION',
		needs: 'a region',
		help: 'Region (real AWS, or the sandbox’s region)',
	},
	endpointUrl: {
		type: 'string',
		value: 'URL',
		needs: 'a URL',
		help: 'Any KMS-compatible endpoint (LocalStack, moto, kms-tui sandbox serve)',
	},
	sandboxDir: {
		type: 'string',
		value: 'DIR',
		needs: 'a directory',
		help: 'Sandbox state directory (env KMS_TUI_SANDBOX_DIR)',
	},
	stackName: {
		type: 'string',
		value: 'NAME',
		needs: 'a stack name',
		// No flag default: KMS_STACK_NAME (environment, then .env) comes first (session-context.ts).
		help: 'Stack name (default: KMS_STACK_NAME from the environment or .env, else KmsKey)',
	},
	envFile: {
		type: 'string',
		value: 'FILE',
		needs: 'a file',
		default: '.env',
		// bin/kms-tui hands --env-file over as --env-file-path: Node 20 reads a script's own
		// --env-file as its own and exits when the file does not exist (nodejs/node#54232).
		aliases: ['env-file-path'],
		help: 'The .env file to read and write (default .env)',
	},
	readOnly: {type: 'boolean', help: 'Refuse anything that changes state'},
	noColor: {type: 'boolean', help: 'No colours (as NO_COLOR=1)'},
	help: {
		type: 'boolean',
		short: 'h',
		help: 'Show help; `kms-tui <command> --help` for one command',
	},
	version: {type: 'boolean', short: 'V', help: 'Print the version'},
} as const satisfies FlagSpecs;

/** Flags that only some commands take: each command lists the ones it uses. */
export const sharedFlags = {
	key: {
		type: 'string',
		value: 'ID|ALIAS',
		needs: 'a key id, ARN or alias',
		help: 'The key (default: KMS_KEY_ID from the environment or .env, else the stack’s KeyId)',
	},
	json: {type: 'boolean', help: 'Print one JSON document on stdout'},
	yes: {
		type: 'boolean',
		short: 'y',
		help: 'Do not ask for confirmation (required when stdin is not a terminal)',
	},
} as const satisfies FlagSpecs;

export type SharedFlag = keyof typeof sharedFlags;

export const globalFlags = {...environmentFlags, ...sharedFlags} as const;
export type GlobalFlags = typeof globalFlags;

/** Positional arguments: how many, how help names them, and what to say when one is missing. */
export type Positionals = {
	readonly names: string;
	readonly min: number;
	readonly max: number;
	/** Said when fewer than `min` are given. */
	readonly missing?: string;
};

export type Action = {readonly positionals?: Positionals; readonly missing?: string};

export type Runner<F extends FlagSpecs> = (context: CommandContext<F>) => Promise<void>;

export type CommandDefinition<F extends FlagSpecs> = {
	readonly name: string;
	/** The line in `kms-tui --help`: synopsis, then what it does. */
	readonly synopsis: string;
	readonly summary: string;
	/** The first line of `kms-tui NAME --help`. */
	readonly title: string;
	readonly usage: readonly string[];
	/** Paragraphs under Usage. */
	readonly about?: string;
	readonly examples: readonly string[];
	readonly flags: F;
	/** Which of --key, --json, --yes this command takes. */
	readonly uses: readonly SharedFlag[];
	/** For a command without actions. */
	readonly positionals?: Positionals;
	/** Sub-commands (`rotation enable`), each with its own positionals; flags say which take them. */
	readonly actions?: Readonly<Record<string, Action>>;
	/** The action when none is named (`kms-tui rotation` = `rotation status`). */
	readonly defaultAction?: string;
	/** Imported only when the command runs: `--help` and usage errors load none of it. */
	readonly load: () => Promise<Runner<F>>;
};

/** A declaration with its flag types checked against its runner's (no casts in commands). */
export function defineCommand<const F extends FlagSpecs>(
	definition: CommandDefinition<F>,
): CommandDefinition<F> {
	return definition;
}
