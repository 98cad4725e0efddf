/** `kms-tui rotation status|enable [--period D]|disable|rotate-now|history`. */
import {onDemandRotationLimit, type RotationStatus} from '../service/index.js';
import {
	type CommandContext,
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

export async function runRotation(context: CommandContext): Promise<void> {
	const [action = 'status', ...rest] = context.args;
	if (rest.length > 0) throw new UsageError(`rotation ${action} takes no further arguments.`);
	const period = context.flags.period as number | undefined;
	if (period !== undefined && action !== 'enable')
		throw new UsageError('--period goes with `rotation enable`.');
	if (!['status', 'enable', 'disable', 'rotate-now', 'history'].includes(action)) {
		throw new UsageError(
			`Unknown rotation action "${action}". Use status, enable, disable, rotate-now or history.`,
		);
	}
	if (action !== 'status' && action !== 'history')
		refuseIfReadOnly(context, `change rotation (${action})`);
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
			if (history.length === 0) say(context, `No rotations yet for ${keyRef}.`);
			for (const record of history) {
				say(
					context,
					`${formatDate(record.date)}  ${record.type === 'AUTOMATIC' ? 'automatic' : 'on demand'}  ${record.keyMaterialId ?? ''}`.trimEnd(),
				);
			}
			say(
				context,
				'Data encrypted before a rotation still decrypts: KMS keeps every earlier key material.',
			);
			return;
		}
		case 'rotate-now': {
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
					`Started an on-demand rotation of ${keyRef}: new data now uses new key material; old data still decrypts.\n${onDemandRotationLimit - used} of ${onDemandRotationLimit} on-demand rotations left.`,
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
			say(context, [`${heading} for ${keyRef}:`, ...describeStatus(status, used)].join('\n'));
		}
	}
}
