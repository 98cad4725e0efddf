/**
 * `kms-tui destroy`: say what the key's deletion would break, delete the stack, stream its
 * events, say what became of the key, then offer to clean the .env variables that name it.
 */
import {createInterface} from 'node:readline/promises';
import {announceScan, deletionImpact, impactJson, impactLines} from '../scan/deletion-impact.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {destroyFlags} from './commands-table.js';
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
import {cleanEnvOnly, offerEnvCleanup} from './destroy-env.js';

type Context = CommandContext<typeof destroyFlags>;

export async function runDestroy(context: Context): Promise<void> {
	if (context.args.length > 0)
		throw new UsageError('destroy takes no arguments; choose the stack with --stack-name.');
	refuseIfReadOnly(context, 'delete the stack');
	const {services} = await context.session();
	const stackName = context.options.stackName;
	const {envCleanup} = context.flags;
	const found = await services.stacks.findStack(stackName);
	if ((!found || found.status === 'DELETE_COMPLETE') && envCleanup && envCleanup !== 'keep') {
		await cleanEnvOnly(context, services);
		return;
	}
	const stack = await services.stacks.requireStack(stackName);
	const {outputs} = await services.stacks.keyOutputs(stack);
	const roots = context.flags.scan.length > 0 ? context.flags.scan : ['.'];
	if (outputs.KeyId) announceScan(context.stderr, roots.map(terminalSafeLine));
	const impact = outputs.KeyId
		? await deletionImpact(services.keys, outputs.KeyId, {
				roots,
				stackAliases: outputs.AliasName ? [outputs.AliasName] : [],
			}).catch(() => undefined)
		: undefined;
	if (impact && (!context.options.json || !context.options.yes)) {
		const warning = impactLines(impact, {what: 'stack', formatDate, safe: terminalSafeLine});
		if (impact.key.state === 'Enabled')
			warning.push(
				`AWS advises disabling the key first and watching for failures: \`kms-tui delete-key --disable --key ${terminalSafeLine(impact.key.keyId)}\` (undo with --enable).`,
			);
		context.stderr.write(`${warning.join('\n')}\n`);
	}
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
	const isDeleted = result.stack.status === 'DELETE_COMPLETE';
	const cleanup = isDeleted && impact ? await offerEnvCleanup(context, impact, keys) : undefined;
	if (context.options.json) {
		printJson(context, {
			stack: result.stack,
			keys: keys.filter(Boolean),
			failures: result.failures,
			...(impact ? {impact: impactJson(impact)} : {}),
			...(cleanup ? {envCleanup: cleanup} : {}),
		});
	}
	if (!isDeleted) {
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
	if (cleanup) say(context, cleanup.message);
}
