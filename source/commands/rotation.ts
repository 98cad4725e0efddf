/** `kms-tui rotation status|enable [--period D]|disable|rotate-now|history`. */
import {onDemandRotationLimit, type RotationStatus} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {rotationFlags} from './commands-table.js';
import {
	type CommandContext,
	CommandError,
	confirm,
	formatDate,
	printJson,
	refuseIfReadOnly,
	resolveKeyRef,
	say,
	UsageError,
} from './context.js';

/** moto, for one, reports neither the period nor the next date: say so rather than guess. */
const notReported = '(not reported by this endpoint)';

function describeStatus(status: RotationStatus, used: number): string[] {
	return [
		`  automatic rotation  ${status.enabled ? 'on' : 'off'}`,
		...(status.enabled
			? [
					`  period              ${status.periodDays === undefined ? notReported : `${status.periodDays} days`}`,
					`  next rotation       ${status.nextRotation ? formatDate(status.nextRotation) : notReported}`,
				]
			: []),
		`  on-demand left      ${onDemandRotationLimit - used} of ${onDemandRotationLimit}`,
		...(status.onDemandStartedAt
			? [`  on-demand running since ${formatDate(status.onDemandStartedAt)}`]
			: []),
	];
}

export async function runRotation(context: CommandContext<typeof rotationFlags>): Promise<void> {
	// The registry has checked the action, its arguments, and that --period came with `enable`.
	const [action = 'status'] = context.args;
	const {period} = context.flags;
	if (action !== 'status' && action !== 'history')
		refuseIfReadOnly(context, `change rotation (${action})`);
	// Decided before any call: without a terminal, only --yes can answer the question below.
	if (action === 'rotate-now' && !context.options.yes && !context.stdinIsTty) {
		throw new UsageError(
			`rotation rotate-now uses one of the ${onDemandRotationLimit} on-demand rotations the key has for its whole life, and there is no terminal to confirm on: add --yes to go ahead.`,
		);
	}
	const {keyRef} = await resolveKeyRef(context);
	const {keys} = (await context.session()).services;
	const usedOnDemand = async () =>
		(await keys.rotationHistory(keyRef)).filter((record) => record.type === 'ON_DEMAND').length;

	switch (action) {
		case 'history': {
			const history = await keys.rotationHistory(keyRef);
			if (context.options.json) {
				printJson(context, {keyId: keyRef, rotations: history});
				return;
			}
			if (history.length === 0) say(context, `No rotations yet for ${terminalSafeLine(keyRef)}.`);
			for (const record of history) {
				say(
					context,
					terminalSafeLine(
						`${formatDate(record.date)}  ${record.type === 'AUTOMATIC' ? 'automatic' : 'on demand'}  ${record.keyMaterialId ?? ''}`.trimEnd(),
					),
				);
			}
			say(
				context,
				'Data encrypted before a rotation still decrypts: KMS keeps every earlier key material.',
			);
			return;
		}
		case 'rotate-now': {
			// As the TUI does: the rotations a key may have on demand never come back.
			const left = onDemandRotationLimit - (await usedOnDemand());
			const isConfirmed = await confirm(
				context,
				`Rotate ${terminalSafeLine(keyRef)} now? This uses 1 of its ${onDemandRotationLimit} on-demand rotations for the key's whole life (${left} left). [y/N]`,
			);
			if (!isConfirmed) throw new CommandError('Not confirmed; the key was not rotated.');
			await keys.rotateNow(keyRef);
			const used = await usedOnDemand();
			if (context.options.json)
				printJson(context, {
					keyId: keyRef,
					rotated: true,
					onDemandRemaining: onDemandRotationLimit - used,
				});
			else
				say(
					context,
					`Started an on-demand rotation of ${terminalSafeLine(keyRef)}: new data now uses new key material; old data still decrypts.\n${onDemandRotationLimit - used} of ${onDemandRotationLimit} on-demand rotations left.`,
				);
			return;
		}
		default: {
			const status =
				action === 'enable'
					? await keys.enableRotation(keyRef, period)
					: action === 'disable'
						? await keys.disableRotation(keyRef)
						: await keys.rotationStatus(keyRef);
			const used = await usedOnDemand();
			if (context.options.json) {
				printJson(context, {
					keyId: keyRef,
					...status,
					onDemandRemaining: onDemandRotationLimit - used,
				});
				return;
			}
			const heading =
				action === 'enable'
					? 'Automatic rotation is on'
					: action === 'disable'
						? 'Automatic rotation is off'
						: 'Rotation';
			say(
				context,
				[`${heading} for ${keyRef}:`, ...describeStatus(status, used)]
					.map(terminalSafeLine)
					.join('\n'),
			);
		}
	}
}
