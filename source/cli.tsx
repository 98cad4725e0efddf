#!/usr/bin/env node
/**
 * The composition root: parse the command line with meow, run one command, map failures to
 * exit statuses (1: the operation failed, 2: the command line is wrong). No UI logic lives here.
 */
import meow from 'meow';
import {CommandError, UsageError} from './commands/command-error.js';
import {commandHelp, mainHelp} from './commands/help.js';
import {runSandboxCommand} from './commands/sandbox.js';
import {defaultSandboxDir, SandboxStateError} from './sandbox/index.js';

const cli = meow(mainHelp, {
	importMeta: import.meta,
	autoHelp: false,
	allowUnknownFlags: false,
	flags: {
		help: {type: 'boolean', shortFlag: 'h'},
		sandbox: {type: 'boolean'},
		sandboxDir: {type: 'string'},
		port: {type: 'number'},
		region: {type: 'string'},
		json: {type: 'boolean'},
		yes: {type: 'boolean', shortFlag: 'y'},
	},
});

async function main(): Promise<void> {
	const [command, ...args] = cli.input;
	if (cli.flags.help || command === 'help') {
		const topic = command === 'help' ? args[0] : command;
		process.stdout.write(`${commandHelp(topic)}\n`);
		return;
	}
	switch (command) {
		case 'sandbox': {
			await runSandboxCommand(args, {
				sandboxDir: cli.flags.sandboxDir ?? defaultSandboxDir(),
				port: cli.flags.port,
				region: cli.flags.region ?? process.env.AWS_REGION ?? 'us-east-1',
				json: cli.flags.json ?? false,
				yes: cli.flags.yes ?? false,
				stdout: process.stdout,
				stderr: process.stderr,
			});
			return;
		}
		case undefined: {
			process.stdout.write(`${mainHelp}\n`);
			return;
		}
		default: {
			throw new UsageError(`Unknown command "${command}". Run \`kms-tui --help\` to see the commands.`);
		}
	}
}

main().catch((error: unknown) => {
	if (error instanceof UsageError) {
		process.stderr.write(`kms-tui: ${error.message}\n`);
		process.exitCode = 2;
		return;
	}
	if (error instanceof CommandError || error instanceof SandboxStateError) {
		process.stderr.write(`kms-tui: ${error.message}\n`);
		process.exitCode = 1;
		return;
	}
	process.stderr.write(`kms-tui: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
