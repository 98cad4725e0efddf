/**
 * `kms-tui delete-key [--days 7..30] [--scan DIR]…`, `--disable`, `--cancel`, `--enable`. Before
 * scheduling, says what the deletion would break (scan/deletion-impact.ts) and offers what AWS
 * advises first: disabling the key and watching for failures.
 */
import {createInterface} from 'node:readline/promises';
import {announceScan, deletionImpact, impactJson, impactLines} from '../scan/deletion-impact.js';
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

type Context = CommandContext<typeof deleteKeyFlags>;

const disabledAdvice =
	'Anything that still uses it now fails with DisabledException: watch CloudTrail and your applications’ logs for such failures. `kms-tui delete-key --enable` undoes it.';

export async function runDeleteKey(context: Context): Promise<void> {
	const {cancel, enable, disable} = context.flags;
	const days = context.flags.days ?? defaultPendingWindowDays;
	if ((cancel || enable || disable) && context.flags.days !== undefined)
		throw new UsageError(
			'--days schedules a deletion; it cannot go with --cancel, --enable or --disable.',
		);
	if (disable && (cancel || enable))
		throw new UsageError('--disable cannot go with --cancel or --enable: choose one.');
	if ((cancel || enable || disable) && context.flags.scan.length > 0)
		throw new UsageError(
			'--scan looks for what a deletion would break; it goes with scheduling one.',
		);
	if (!cancel && !enable && !disable) validatePendingWindow(days);
	refuseIfReadOnly(
		context,
		cancel
			? 'cancel the key deletion'
			: enable
				? 'enable the key'
				: disable
					? 'disable the key'
					: 'schedule the key deletion',
	);
	const {keyRef} = await resolveKeyRef(context);
	const {keys} = (await context.session()).services;

	if (disable) {
		await disableKey(context, keyRef);
		return;
	}
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

	const roots = context.flags.scan.length > 0 ? context.flags.scan : ['.'];
	announceScan(context.stderr, roots.map(terminalSafeLine));
	const impact = await deletionImpact(keys, keyRef, {roots});
	const {key} = impact;
	const alias = impact.aliases[0]?.name;
	// On stderr, beside the question; a script (--json --yes) gets it in the document instead.
	if (!context.options.json || !context.options.yes) {
		const warning = impactLines(impact, {what: 'key', formatDate, safe: terminalSafeLine});
		context.stderr.write(`${warning.join('\n')}\n`);
	}
	if (!context.options.yes) {
		if (!context.stdinIsTty) {
			throw new UsageError(
				'Scheduling a key deletion needs confirmation and there is no terminal: add --yes to go ahead (or --disable to disable the key first, as AWS advises).',
			);
		}
		const expected = alias ?? key.keyId;
		const canDisable = key.state === 'Enabled';
		const prompt = createInterface({input: process.stdin, output: context.stderr});
		const answer = await prompt.question(
			`${canDisable ? 'AWS advises disabling the key first and watching for failures before deleting it (reversible).\n' : ''}After ${days} days KMS deletes ${terminalSafeLine(key.keyId)}${alias ? ` (${terminalSafeLine(alias)})` : ''} for good, and everything encrypted under it becomes unreadable.\nType ${terminalSafeLine(expected)} to schedule the deletion${canDisable ? ', or disable to disable the key instead' : ''}: `,
		);
		prompt.close();
		if (canDisable && answer.trim() === 'disable') {
			await disableKey(context, key.keyId);
			return;
		}
		if (answer.trim() !== expected)
			throw new CommandError('Not confirmed; the key was left as it was.');
	}
	const schedule = await keys.scheduleDeletion(key.keyId, days);
	if (context.options.json) {
		printJson(context, {...schedule, impact: impactJson(impact)});
		return;
	}
	say(
		context,
		`Key ${terminalSafeLine(key.keyId)} is pending deletion: KMS deletes it ${formatDate(schedule.deletionDate)}.\n` +
			'Until then it cannot be used. Changed your mind? `kms-tui delete-key --cancel`.',
	);
}

async function disableKey(context: Context, keyRef: string): Promise<void> {
	const {keys} = (await context.session()).services;
	const key = await keys.disableKey(keyRef);
	if (context.options.json) {
		printJson(context, {keyId: key.keyId, state: key.state, disabled: true});
		return;
	}
	say(
		context,
		`Key ${terminalSafeLine(key.keyId)} is now ${terminalSafeLine(key.state)}. ${disabledAdvice}`,
	);
}
