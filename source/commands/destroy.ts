/** `kms-tui destroy`: delete the stack, stream its events, and say what became of the key. */
import {createInterface} from 'node:readline/promises';
import {terminalSafeLine} from '../terminal-text.js';
import {
	type CommandContext,
	CommandError,
	formatDate,
	printJson,
	refuseIfReadOnly,
	say,
	UsageError,
} from './context.js';
import {formatEvent} from './deploy.js';

export async function runDestroy(context: CommandContext): Promise<void> {
	if (context.args.length > 0)
		throw new UsageError('destroy takes no arguments; choose the stack with --stack-name.');
	refuseIfReadOnly(context, 'delete the stack');
	const {services} = await context.session();
	const stackName = context.options.stackName;
	const stack = await services.stacks.requireStack(stackName);
	if (!context.options.yes) {
		if (!context.stdinIsTty)
			throw new UsageError(
				'Deleting a stack needs confirmation and there is no terminal: add --yes to go ahead.',
			);
		const prompt = createInterface({input: process.stdin, output: context.stderr});
		const answer = await prompt.question(
			`This deletes stack ${stackName} (${stack.status}) and schedules its key for deletion.\nType ${stackName} to confirm: `,
		);
		prompt.close();
		if (answer.trim() !== stackName)
			throw new CommandError('Not confirmed; the stack was left as it was.');
	}
	say(context, `Deleting stack ${stackName}…`);
	const result = await services.stacks.destroy(stackName, {
		onEvent: (event) => say(context, formatEvent(event)),
	});
	const keys = await Promise.all(
		result.keyIds.map(async (keyId) => services.keys.describeKey(keyId).catch(() => undefined)),
	);
	if (context.options.json) {
		printJson(context, {
			stack: result.stack,
			keys: keys.filter(Boolean),
			failures: result.failures,
		});
	}
	if (result.stack.status !== 'DELETE_COMPLETE') {
		throw new CommandError(
			`Stack ${stackName} is ${result.stack.status}.\n${result.failures.map((event) => `  ${terminalSafeLine(`${event.logicalId}: ${event.reason ?? ''}`)}`).join('\n')}\nFix the cause and run \`kms-tui destroy\` again.`,
		);
	}
	say(context, `Stack ${stackName} deleted.`);
	for (const [index, key] of keys.entries()) {
		const keyId = result.keyIds[index];
		if (!key) say(context, `Key ${terminalSafeLine(keyId ?? '')} no longer exists.`);
		else if (key.state === 'PendingDeletion') {
			say(
				context,
				terminalSafeLine(
					`Key ${key.keyId} is pending deletion until ${formatDate(key.deletionDate)}; \`kms-tui delete-key --cancel --key ${key.keyId}\` keeps it.`,
				),
			);
		} else
			say(
				context,
				terminalSafeLine(
					`Key ${key.keyId} was retained (DeletionPolicy: Retain) and is ${key.state}.`,
				),
			);
	}
}
