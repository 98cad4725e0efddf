/** `kms-tui delete-key [--days 7..30]`, `--cancel`, `--enable`. */
import {createInterface} from 'node:readline/promises';
import {validatePendingWindow} from '../service/index.js';
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

export async function runDeleteKey(context: CommandContext): Promise<void> {
	if (context.args.length > 0)
		throw new UsageError('delete-key takes no arguments; choose the key with --key.');
	const cancel = context.flags.cancel === true;
	const enable = context.flags.enable === true;
	const days = context.flags.days as number | undefined;
	if ((cancel || enable) && days !== undefined)
		throw new UsageError('--days schedules a deletion; it cannot go with --cancel or --enable.');
	if (!cancel && !enable) validatePendingWindow(days ?? 30);
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
		if (cancel) say(context, `Deletion of ${key.keyId} cancelled.`);
		say(
			context,
			key.state === 'Disabled'
				? `The key is now Disabled: it cannot encrypt or decrypt until you enable it with \`kms-tui delete-key --enable\`.`
				: `The key is now ${key.state}.`,
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
			`After ${days ?? 30} days KMS deletes ${key.keyId}${alias ? ` (${alias})` : ''} for good, and everything encrypted under it becomes unreadable.\nType ${expected} to confirm: `,
		);
		prompt.close();
		if (answer.trim() !== expected)
			throw new CommandError('Not confirmed; the key was left as it was.');
	}
	const schedule = await keys.scheduleDeletion(key.keyId, days ?? 30);
	if (context.options.json) {
		printJson(context, schedule);
		return;
	}
	say(
		context,
		`Key ${key.keyId} is pending deletion: KMS deletes it ${formatDate(schedule.deletionDate)}.\n` +
			'Until then it cannot be used. Changed your mind? `kms-tui delete-key --cancel`.',
	);
}
