/**
 * `kms-tui activity [--since DUR]`: the key's CloudTrail events, newest first (time, event, who,
 * outcome), and an estimate of what the key costs a month from the requests seen.
 */
import {estimateMonthlyCost} from '../pricing.js';
import {readKeyActivity, type TrailEvent} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {activityFlags} from './commands-table.js';
import {type CommandContext, printJson, resolveKeyRef, say, UsageError} from './context.js';
import {parseDuration} from './duration.js';

const dayMs = 86_400_000;
/** CloudTrail's event history keeps 90 days of management events. */
const retentionMs = 90 * dayMs;

/** `2026-12-01 13:20:05Z`: CloudTrail's times have whole seconds. */
export function eventTime(date: Date): string {
	return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function outcomeOf(event: TrailEvent): string {
	return event.errorCode ?? 'ok';
}

function table(events: readonly TrailEvent[]): string[] {
	const rows = events.map((event) => [
		eventTime(event.time),
		terminalSafeLine(event.name),
		terminalSafeLine(event.principal),
		terminalSafeLine(outcomeOf(event)),
	]);
	const header = ['TIME', 'EVENT', 'WHO', 'OUTCOME'];
	const widths = header.map((title, column) =>
		Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
	);
	return [header, ...rows].map((row) =>
		`  ${row.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ')}`.trimEnd(),
	);
}

export async function runActivity(context: CommandContext<typeof activityFlags>): Promise<void> {
	const sinceText = context.flags.since ?? '24h';
	const sinceMs = parseDuration(sinceText);
	if (sinceMs > retentionMs) {
		throw new UsageError(
			`--since ${sinceText} reaches further back than the 90 days of events CloudTrail keeps.`,
			{hint: 'Use --since 90d or less.'},
		);
	}
	const {keyRef, source} = await resolveKeyRef(context);
	const session = await context.session();
	const activity = await readKeyActivity(session.services, keyRef, {
		sinceMs,
		now: session.now(),
	});
	const estimate = estimateMonthlyCost({
		rotations: activity.rotations,
		requests: activity.requests,
		windowMs: activity.until.getTime() - activity.coveredFrom.getTime(),
	});
	if (context.options.json) {
		printJson(context, {
			keyId: activity.key.keyId,
			keyArn: activity.key.arn,
			since: activity.since,
			until: activity.until,
			isTruncated: activity.isTruncated,
			events: activity.events,
			estimate: {
				...estimate,
				coveredFrom: activity.coveredFrom,
				rotations: activity.rotations,
			},
		});
		return;
	}
	const window = sinceText;
	const lines = [
		terminalSafeLine(
			`Activity of key ${activity.key.keyId} (from ${source}) in the last ${window}, newest first:`,
		),
	];
	if (activity.events.length === 0) {
		lines.push(
			`  No CloudTrail events in the last ${window}. (AWS shows an event about 5 minutes after the call; --since 7d looks further back.)`,
		);
	} else {
		lines.push(...table(activity.events));
		lines.push(
			activity.isTruncated
				? `  The newest ${activity.events.length} events; there are more: use a shorter --since.`
				: `  ${activity.events.length} event${activity.events.length === 1 ? '' : 's'}.`,
		);
	}
	lines.push('', 'Monthly cost, estimated:', ...estimate.lines.map((line) => `  ${line}`));
	say(context, lines.join('\n'));
}
