/** `kms-tui delete-key [--days 7..30]`, `--cancel`, `--enable`. */
import {createInterface} from 'node:readline/promises';
import {defaultPendingWindowDays, validatePendingWindow} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {deleteKeyFlags} from './commands-table.js';
import {
	type CommandContext,
	CommandError,
	formatDate,
	printJson,
	refuseIfReadOnly,
	resolveKeyRef,
	say,
	UsageError,
} from './context.js';

export async function runDeleteKey(context: CommandContext<typeof deleteKeyFlags>): Promise<void> {
	const {cancel, enable} = context.flags;
	const days = context.flags.days ?? defaultPendingWindowDays;
	if ((cancel || enable) && context.flags.days !== undefined)
		throw new UsageError('--days schedules a deletion; it cannot go with --cancel or --enable.');
	if (!cancel && !enable) validatePendingWindow(days);
	refuseIfReadOnly(
		context,
		cancel ? 'cancel the key deletion' : enable ? 'enable the key' : 'schedule the key deletion',
	);
	const {keyRef} = await resolveKeyRef(context);
	const {keys} = (await context.session()).services;

	if (cancel || enable) {
		let key = cancel ? await keys.cancelDeletion(keyRef) : await keys.describeKey(keyRef);
		if (enable) key = await keys.enableKey(key.keyId);
		if (context.options.json) {
			printJson(context, {
				keyId: key.keyId,
				state: key.state,
				cancelled: cancel,
				enabled: key.enabled,
			});
			return;
		}
		if (cancel) say(context, `Deletion of ${terminalSafeLine(key.keyId)} cancelled.`);
		say(
			context,
			key.state === 'Disabled'
				? `The key is now Disabled: it cannot encrypt or decrypt until you enable it with \`kms-tui delete-key --enable\`.`
				: `The key is now ${terminalSafeLine(key.state)}.`,
		);
		return;
	}

	const overview = await keys.overview(keyRef);
	const {key} = overview;
	const alias = overview.aliases[0]?.name;
	if (!context.options.yes) {
		if (!context.stdinIsTty) {
			throw new UsageError(
				'Scheduling a key deletion needs confirmation and there is no terminal: add --yes to go ahead.',
			);
		}
		const expected = alias ?? key.keyId;
		const prompt = createInterface({input: process.stdin, output: context.stderr});
		const answer = await prompt.question(
			`After ${days} days KMS deletes ${terminalSafeLine(key.keyId)}${alias ? ` (${terminalSafeLine(alias)})` : ''} for good, and everything encrypted under it becomes unreadable.\nType ${terminalSafeLine(expected)} to confirm: `,
		);
		prompt.close();
		if (answer.trim() !== expected)
			throw new CommandError('Not confirmed; the key was left as it was.');
	}
	const schedule = await keys.scheduleDeletion(key.keyId, days);
	if (context.options.json) {
		printJson(context, schedule);
		return;
	}
	say(
		context,
		`Key ${terminalSafeLine(key.keyId)} is pending deletion: KMS deletes it ${formatDate(schedule.deletionDate)}.\n` +
			'Until then it cannot be used. Changed your mind? `kms-tui delete-key --cancel`.',
	);
}
