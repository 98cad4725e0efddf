/**
 * The command registry: one command line → what to do (help, version, the TUI or a command with
 * typed flags), checked against the declarations in commands-table.ts before anything loads.
 *
 * Parsing is node:util parseArgs (see flags.ts for why not meow). Every flag any command
 * declares is known to the scanner, so `inspect f.kms --days 3` takes 3 as the value of --days
 * and can say whose flag it is. Each command still loads lazily: nothing here imports a command
 * module, the service or the AWS SDK.
 */
import {terminalSafeLine} from '../terminal-text.js';
import {UsageError} from './command-error.js';
import {commands} from './commands-table.js';
import type {CommandContext, GlobalValues} from './context.js';
import {
	type CommandDefinition,
	environmentFlags,
	globalFlags,
	type Positionals,
	type SharedFlag,
	sharedFlags,
} from './definition.js';
import {
	closest,
	type FlagSpec,
	type FlagSpecs,
	flagName,
	type Given,
	readFlags,
	scanCommandLine,
} from './flags.js';
import {commandHelp, mainHelp} from './help.js';

/** What a command needs from the composition root; the registry adds args, flags and options. */
export type CommandBase = Omit<CommandContext, 'args' | 'flags' | 'globals' | 'options'>;

export type Parsed =
	| {readonly kind: 'help'; readonly text: string}
	| {readonly kind: 'version'}
	| {readonly kind: 'tui'; readonly globals: GlobalValues}
	| {
			readonly kind: 'command';
			readonly name: string;
			readonly globals: GlobalValues;
			/** Loads the command and runs it with its typed flags. */
			readonly start: (base: CommandBase) => Promise<void>;
	  };

type AnyCommand = CommandDefinition<FlagSpecs>;

// Each entry was type-checked against its own runner by defineCommand; here they are handled
// alike, and each one's flags are read with its own declarations (readFlags in start()).
const table: readonly AnyCommand[] = commands as unknown as readonly AnyCommand[];
const byName = new Map(table.map((command) => [command.name, command]));

/** Every flag any command declares, by key; one declaration per name across the table. */
const knownFlags = new Map<string, FlagSpec>(Object.entries(globalFlags));
for (const command of table) {
	for (const [key, spec] of Object.entries(command.flags)) {
		const other = knownFlags.get(key);
		// The scanner only needs to know whether a flag takes a value: encrypt's repeatable --key
		// ('strings') shares the name of the global --key ('string').
		if (other && (other.type === 'boolean') !== (spec.type === 'boolean')) {
			throw new Error(`kms-tui: --${key} is declared with two types (${command.name})`);
		}
		if (!other) knownFlags.set(key, spec);
	}
}

/** The terminal app (no command): the environment flags, --key and nothing else. */
const tuiFlags: readonly SharedFlag[] = ['key'];

export function parseCommandLine(argv: readonly string[]): Parsed {
	const {positionals, given, unknown} = scanCommandLine(argv, knownFlags);
	if (given.has('version')) return {kind: 'version'};
	let [name, ...args] = positionals;
	let wantsHelp = given.has('help');
	if (name === 'help') {
		wantsHelp = true;
		[name, ...args] = args;
	}
	const command = name === undefined ? undefined : byName.get(name);
	const [firstUnknown] = unknown;
	if (firstUnknown !== undefined) throw unknownFlag(firstUnknown, command);
	if (name !== undefined && !command) throw unknownCommand(name);
	if (wantsHelp) return {kind: 'help', text: command ? commandHelp(command) : mainHelp()};
	if (!command) {
		checkFlags(given, {subject: 'kms-tui without a command', uses: tuiFlags});
		return {kind: 'tui', globals: readFlags(globalFlags, given)};
	}

	const action = chooseAction(command, args);
	checkFlags(given, {
		subject: action ? `${command.name} ${action}` : command.name,
		command,
		action,
		uses: command.uses,
	});
	const positionalSpec = action
		? (command.actions?.[action]?.positionals ?? none)
		: (command.positionals ?? none);
	const operands = action && args[0] === action ? args.slice(1) : args;
	checkPositionals(action ? `${command.name} ${action}` : command.name, positionalSpec, operands);

	// A shared flag the command declares itself (encrypt's repeatable --key) is read only there.
	const globals = readFlags(
		globalFlags,
		new Map([...given].filter(([key]) => !Object.hasOwn(command.flags, key))),
	);
	const flags = readFlags(command.flags, given);
	return {
		kind: 'command',
		name: command.name,
		globals,
		start: async (base) => {
			const run = await command.load();
			// Loaded here, not at the top: --help and usage errors read no .env file.
			const {resolveStackName} = await import('../session-context.js');
			await run({
				...base,
				args,
				flags,
				globals,
				options: {
					stackName: await resolveStackName(globals.stackName, process.env, globals.envFile),
					envFile: globals.envFile,
					key: globals.key,
					json: globals.json,
					yes: globals.yes,
					readOnly: globals.readOnly,
				},
			});
		},
	};
}

/** Whether `kms-tui COMMAND` takes `--flag` (key in camelCase): for hints built elsewhere. */
export function commandTakesFlag(name: string, key: string): boolean {
	if (key in environmentFlags) return true;
	const command = byName.get(name);
	if (!command) return false;
	return key in command.flags || (command.uses as readonly string[]).includes(key);
}

const none: Positionals = {names: '', min: 0, max: 0};

function unknownCommand(name: string): UsageError {
	const guess = closest(
		name,
		table.map((command) => command.name),
	);
	return new UsageError(
		`unknown command "${terminalSafeLine(name)}"${guess ? ` (did you mean ${guess}?)` : ''}`,
		{hint: 'Run `kms-tui --help` to see the commands.'},
	);
}

function unknownFlag(raw: string, command: AnyCommand | undefined): UsageError {
	// The command's own flags first: `inspect --jsn` means --json, whatever else exists.
	const scope: Scope = {subject: '', command, uses: command?.uses ?? tuiFlags};
	const names = (keys: readonly string[]) => keys.map((key) => flagName(key));
	const all = [...knownFlags.keys()];
	const bare = raw.replace(/=.*$/, '');
	const guess =
		closest(bare, names(all.filter((key) => takes(scope, key)))) ?? closest(bare, names(all));
	const topic = command ? `kms-tui ${command.name} --help` : 'kms-tui --help';
	return new UsageError(`unknown flag ${raw}${guess ? ` (did you mean ${guess}?)` : ''}`, {
		hint: `Run \`${topic}\` for the options.`,
	});
}

function chooseAction(command: AnyCommand, args: readonly string[]): string | undefined {
	const {actions} = command;
	if (!actions) return undefined;
	const names = Object.keys(actions);
	const list = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
	const [named] = args;
	const action = named ?? command.defaultAction;
	if (action === undefined) {
		throw new UsageError(`Name a ${command.name} action: ${list}.`, {
			hint: `See \`kms-tui ${command.name} --help\`.`,
		});
	}
	if (!Object.hasOwn(actions, action)) {
		const guess = closest(action, names);
		throw new UsageError(
			`unknown ${command.name} action "${terminalSafeLine(action)}"${guess ? ` (did you mean ${guess}?)` : ''}: use ${list}.`,
			{hint: `See \`kms-tui ${command.name} --help\`.`},
		);
	}
	return action;
}

type Scope = {
	readonly subject: string;
	readonly command?: AnyCommand;
	readonly action?: string;
	readonly uses: readonly SharedFlag[];
};

function takes(scope: Scope, key: string): boolean {
	if (Object.hasOwn(environmentFlags, key)) return true;
	const spec = scope.command?.flags[key];
	if (!spec && Object.hasOwn(sharedFlags, key)) return scope.uses.includes(key as SharedFlag);
	if (!spec) return false;
	return !spec.actions || (scope.action !== undefined && spec.actions.includes(scope.action));
}

/** The commands (and actions) that take a flag, for "it belongs to …". */
function owners(key: string): string[] {
	const result: string[] = [];
	for (const command of table) {
		const spec = command.flags[key];
		if (spec?.actions) result.push(...spec.actions.map((action) => `${command.name} ${action}`));
		else if (spec || (command.uses as readonly string[]).includes(key)) result.push(command.name);
	}
	return result;
}

function checkFlags(given: ReadonlyMap<string, Given>, scope: Scope): void {
	for (const [key, flag] of given) {
		if (takes(scope, key)) continue;
		const belongs = owners(key);
		const topic = scope.command ? `kms-tui ${scope.command.name} --help` : 'kms-tui --help';
		throw new UsageError(
			`${flag.raw} is not an option of ${scope.subject}${belongs.length > 0 ? ` (it belongs to ${belongs.join(', ')})` : ''}`,
			{hint: `Run \`${topic}\` for the options it takes.`},
		);
	}
}

function checkPositionals(subject: string, spec: Positionals, given: readonly string[]): void {
	if (given.length < spec.min) {
		throw new UsageError(spec.missing ?? `${subject} needs ${spec.names}.`);
	}
	if (given.length > spec.max) {
		const shown = given.map((value) => `"${terminalSafeLine(value)}"`).join(' ');
		throw new UsageError(
			spec.max === 0
				? `${subject} takes no arguments (got ${shown}).`
				: `${subject} takes ${spec.max === 1 ? 'one' : `at most ${spec.max}`} ${spec.names}; got ${given.length}: ${shown}.`,
			{hint: `Run \`kms-tui ${subject.split(' ')[0]} --help\` for its usage.`},
		);
	}
}
