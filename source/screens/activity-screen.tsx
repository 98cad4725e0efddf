import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {shellWidth} from '../components/shell-width.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useScreenRows} from '../hooks/use-screen-rows.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {useColor} from '../hooks/use-theme.js';
import {type CostEstimate, dollars} from '../pricing.js';
import type {TrailEvent} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import {activityWindow, useActivityState} from './use-activity-state.js';

/** Cuts a cell to `width` columns, marking the cut. */
function fitCell(text: string, width: number): string {
	return text.length <= width ? text.padEnd(width) : `${text.slice(0, Math.max(0, width - 1))}…`;
}

type Columns = {time: number; name: number; who: number; outcome: number; ip: number};

/** Column widths from the shell's width: the date goes first on a narrow terminal, then WHO shrinks. */
export function activityColumns(events: readonly TrailEvent[], width: number): Columns {
	const time = width >= 70 ? 14 : 8;
	const longest = (values: string[], min: number, max: number) =>
		Math.min(max, Math.max(min, ...values.map((value) => value.length)));
	const name = longest(
		events.map((event) => event.name),
		5,
		20,
	);
	const outcome = longest(
		events.map((event) => event.errorCode ?? 'ok'),
		7,
		width >= 70 ? 26 : 16,
	);
	const ip = width >= 96 ? 15 : 0;
	// Marker (2) and the gaps between columns (2 each).
	const rest = width - 2 - time - name - outcome - (ip ? ip + 2 : 0) - 6;
	return {time, name, who: Math.max(4, Math.min(rest, 36)), outcome, ip};
}

function timeCell(date: Date, width: number): string {
	const iso = date.toISOString();
	return width >= 14 ? `${iso.slice(5, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 19);
}

function row(cells: string[], widths: number[]): string {
	return cells
		.map((cell, index) => fitCell(terminalSafeLine(cell), widths[index] as number))
		.join('  ')
		.trimEnd();
}

/** The estimate in three short lines, each figure from pricing.ts. */
function estimateLines(estimate: CostEstimate, rotations: number): string[] {
	return [
		`Estimated cost ${dollars(estimate.totalPerMonth)}/month: key ${dollars(estimate.keyCost)} + ${estimate.billedRotations} of ${rotations} rotations ${dollars(estimate.rotationCost)} + requests ${dollars(estimate.requestCost)}`,
		`${estimate.requestsSeen.toLocaleString('en-US')} requests seen → ${estimate.requestsPerMonth.toLocaleString('en-US')} in 30 days; ${estimate.pricing.freeRequestsPerMonth.toLocaleString('en-US')} free, then ${dollars(estimate.pricing.perTenThousandRequests)}/10,000`,
		`Estimate: ${estimate.pricing.label} (${estimate.pricing.url.replace(/^https:\/\/|\/$/g, '')})`,
	];
}

function EventDetails({event}: {readonly event: TrailEvent}) {
	const rows = [
		{label: 'Time', value: event.time.toISOString()},
		{label: 'Event', value: `${event.name} (${event.source})`},
		{label: 'Who', value: event.principal},
		{label: 'Access key', value: event.accessKeyId ?? '-'},
		{label: 'Source IP', value: event.sourceIp ?? '-'},
		{label: 'User agent', value: event.userAgent ?? '-'},
		{label: 'Read-only', value: event.isReadOnly ? 'yes' : 'no'},
		{
			label: 'Outcome',
			value: event.errorCode
				? `${event.errorCode}${event.errorMessage ? `: ${event.errorMessage}` : ''}`
				: 'ok',
		},
		{
			label: 'Request',
			value: event.requestParameters ? JSON.stringify(event.requestParameters) : '(none)',
		},
		{label: 'Event id', value: event.eventId},
	];
	return (
		<Box flexDirection="column">
			<KeyValueTable rows={rows} labelWidth={12} />
			<Text dimColor>
				Key material is never in a CloudTrail event; kms-tui also drops any member that could hold
				it.
			</Text>
		</Box>
	);
}

/** The key's CloudTrail events, newest first and paged, one event's details, and the cost estimate. */
export function ActivityScreen() {
	const color = useColor();
	const activity = useActivityState();
	const {columns} = useTerminalSize();
	const screenRows = useScreenRows();
	const width = shellWidth(columns);
	const {loaded, focus} = activity;
	const {events} = activity;
	// Heading, column titles, page line, the estimate (3 lines, 5 when they wrap), the CLI hint.
	const pageSize = Math.max(3, screenRows - (width >= 80 ? 9 : 12));
	const page = Math.floor(focus / pageSize);
	const pages = Math.max(1, Math.ceil(events.length / pageSize));

	const handlers: Handlers = {};
	if (activity.isDetailOpen) handlers.cancel = () => activity.openDetails(false);
	else if (loaded) {
		handlers.refresh = activity.refresh;
		handlers['activity-crypto-only'] = activity.toggleCryptoOnly;
		if (events.length > 0) {
			handlers.up = () => activity.move(-1);
			handlers.down = () => activity.move(1);
			handlers['activity-details'] = () => activity.openDetails(true);
		}
		if (page + 1 < pages) handlers['activity-older'] = () => activity.page(1, pageSize);
		if (page > 0) handlers['activity-newer'] = () => activity.page(-1, pageSize);
	}
	useKeymap(handlers);

	if (activity.load.state.status === 'error')
		return <ErrorPanel error={activity.load.state.error} title="Could not read the activity" />;
	if (!loaded) return <Spinner label="Reading the key’s CloudTrail events…" />;
	const {choice, estimate} = loaded;
	const {key, rotations, isTruncated} = loaded.activity;
	if (activity.isDetailOpen && activity.selected) {
		return (
			<Box flexDirection="column">
				<EventDetails event={activity.selected} />
				<CliHint args={['activity', '--json']} />
			</Box>
		);
	}
	const widths = activityColumns(events, width);
	const cells = (event: TrailEvent) => [
		timeCell(event.time, widths.time),
		event.name,
		event.principal,
		event.errorCode ?? 'ok',
		...(widths.ip ? [event.sourceIp ?? '-'] : []),
	];
	const columnWidths = [widths.time, widths.name, widths.who, widths.outcome, widths.ip];
	const shown = events.slice(page * pageSize, (page + 1) * pageSize);
	return (
		<Box flexDirection="column">
			<Text wrap="truncate-end">
				{/* The key first: on a narrow terminal only where it came from is cut. */}
				{terminalSafeLine(`The last ${activityWindow.text} of key ${key.keyId} (${choice.source})`)}
			</Text>
			{events.length === 0 ? (
				<Text wrap="wrap">
					No {activity.isCryptoOnly ? 'cryptographic operations' : 'CloudTrail events'} in the last{' '}
					{activityWindow.text}. AWS shows an event about 5 minutes after the call; the sandbox at
					once.
				</Text>
			) : (
				<Box flexDirection="column">
					<Text dimColor>
						{'  '}
						{row(
							['TIME', 'EVENT', 'WHO', 'OUTCOME', ...(widths.ip ? ['SOURCE IP'] : [])],
							columnWidths,
						)}
					</Text>
					{shown.map((event, offset) => {
						const isFocused = page * pageSize + offset === focus;
						return (
							<Text key={event.eventId || offset} bold={isFocused} wrap="truncate-end">
								<Text color={color('accent')}>{isFocused ? '› ' : '  '}</Text>
								<Text color={event.errorCode ? color('danger') : undefined}>
									{row(cells(event), columnWidths)}
								</Text>
							</Text>
						);
					})}
					<Text dimColor>
						Page {page + 1} of {pages} · {events.length} event{events.length === 1 ? '' : 's'},
						newest first{isTruncated ? ' (the newest only: there are more)' : ''}
						{activity.isCryptoOnly ? ' · crypto operations only (c: all)' : ' · c: crypto only'}
					</Text>
				</Box>
			)}
			<Box flexDirection="column" marginTop={1}>
				{estimateLines(estimate, rotations).map((line) => (
					<Text key={line} wrap="wrap">
						{line}
					</Text>
				))}
			</Box>
			<CliHint args={['activity']} />
		</Box>
	);
}
