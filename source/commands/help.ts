/**
 * Help texts: `kms-tui --help` and `kms-tui <command> --help`, rendered from the declarations
 * (commands-table.ts, definition.ts), so a flag's help line, default and examples are written
 * once, where the flag is declared.
 */
import {commands} from './commands-table.js';
import {
	type CommandDefinition,
	environmentFlags,
	type SharedFlag,
	sharedFlags,
} from './definition.js';
import {type FlagSpec, type FlagSpecs, flagName} from './flags.js';

const indent = (text: string, by: string) =>
	text
		.split('\n')
		.map((line) => (line ? `${by}${line}` : line))
		.join('\n');

function flagLabel(key: string, spec: FlagSpec): string {
	const value = spec.type === 'boolean' ? '' : ` ${spec.value}`;
	return `${flagName(key)}${spec.short ? `, -${spec.short}` : ''}${value}`;
}

function flagLines(specs: FlagSpecs, qualify?: (spec: FlagSpec) => string): string[] {
	const entries = Object.entries(specs);
	const width = Math.max(20, ...entries.map(([key, spec]) => flagLabel(key, spec).length + 2));
	return entries.map(
		([key, spec]) =>
			`    ${flagLabel(key, spec).padEnd(width)}${spec.help}${qualify?.(spec) ?? ''}`,
	);
}

function pick(keys: readonly SharedFlag[]): FlagSpecs {
	return Object.fromEntries(keys.map((key) => [key, sharedFlags[key]]));
}

const {sandbox, profile, region, endpointUrl, sandboxDir, ...otherEnvironmentFlags} =
	environmentFlags;

export function mainHelp(): string {
	const width = 39;
	const commandLines = commands.flatMap((command) =>
		command.synopsis.length + 2 > width
			? [`    ${command.synopsis}`, `    ${''.padEnd(width)}${command.summary}`]
			: [`    ${command.synopsis.padEnd(width)}${command.summary}`],
	);
	return `
  kms-tui: the lifecycle of an AWS KMS key, from the terminal.

  Usage
    $ kms-tui <command> [options]
    $ kms-tui                              the terminal app (needs a terminal)

  Commands
${commandLines.join('\n')}

  Where your keys live (first line on stderr says which)
${flagLines({sandbox, profile, region, endpointUrl, sandboxDir}).join('\n')}

  Options (every command)
${flagLines(otherEnvironmentFlags).join('\n')}

  Options (the commands that use them: see each command's --help)
${flagLines(sharedFlags).join('\n')}

  Examples
    $ kms-tui deploy --yes
    $ kms-tui outputs --write-env
    $ kms-tui rotation enable --period 180
    $ kms-tui alias create alias/demo
    $ kms-tui encrypt data-file.txt
    $ kms-tui decrypt data-file.txt.kms
    $ kms-tui delete-key --days 7
    $ kms-tui destroy --yes

  Exit status: 0 success, 1 the operation failed, 2 the command line is wrong.
`;
}

export function commandHelp<F extends FlagSpecs>(command: CommandDefinition<F>): string {
	const qualify = (spec: FlagSpec) =>
		spec.actions
			? `; ${spec.actions.map((action) => `${command.name} ${action}`).join(', ')} only`
			: '';
	const options = flagLines({...command.flags, ...pick(command.uses)}, qualify);
	return [
		'',
		`  ${command.title}`,
		'',
		'  Usage',
		...command.usage.map((line) => `    $ ${line}`),
		...(command.about ? ['', indent(command.about, '  ')] : []),
		...(options.length > 0 ? ['', '  Options', ...options] : []),
		'',
		'  Global options (--sandbox, --profile, --region, --endpoint-url, --sandbox-dir, --stack-name,',
		'  --env-file, --read-only, --no-color) are listed in `kms-tui --help`.',
		'',
		'  Examples',
		...command.examples.map((line) => `    $ ${line}`),
		'',
	].join('\n');
}
