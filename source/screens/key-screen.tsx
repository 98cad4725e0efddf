import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import {CliHint} from '../components/cli-hint.js';
import {ErrorPanel} from '../components/error-panel.js';
import {KeyValueTable} from '../components/key-value-table.js';
import {PolicySection} from '../components/policy-section.js';
import {RotationHistory} from '../components/rotation-history.js';
import {ScrollArea} from '../components/scroll-area.js';
import {TextField} from '../components/text-field.js';
import {formatDate} from '../format.js';
import {type Handlers, useKeymap} from '../hooks/use-keymap.js';
import {useMeasuredRows} from '../hooks/use-measured-rows.js';
import {useScreenRows} from '../hooks/use-screen-rows.js';
import {useScroll} from '../hooks/use-scroll.js';
import {useColor} from '../hooks/use-theme.js';
import {useNavigation} from '../navigation/navigation.js';
import {onDemandRotationLimit} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import {useLastUsageText} from './use-activity-state.js';
import {periodError, useKeyState} from './use-key-state.js';

/**
 * Key metadata and rotation (status, period, next date, on-demand rotations left, history) and the
 * key policy explained. The body scrolls (↑↓) above the prompts and the CLI hint on a short terminal.
 */
export function KeyScreen() {
	const color = useColor();
	const key = useKeyState();
	const {state, loaded} = key;
	const isBusy = key.action.state.status === 'running';
	const rotation = loaded?.overview.rotation;
	const used = loaded?.overview.onDemandRotationsUsed ?? 0;
	const left = onDemandRotationLimit - used;
	const navigation = useNavigation();
	const lastUsed = useLastUsageText(loaded?.overview.key.keyId);

	const [footRef, footRows] = useMeasuredRows(1);
	const scroll = useScroll(useScreenRows() - footRows, loaded);

	const handlers: Handlers = {};
	if (scroll.isScrolling && state.mode === 'view')
		Object.assign(handlers, {up: scroll.up, down: scroll.down});
	if (state.mode !== 'view') handlers.cancel = () => key.setMode('view');
	if (state.mode === 'confirm-rotate') {
		// One of 25 for the key's life: enter answers no.
		handlers['confirm-no'] = handlers.cancel;
		handlers['confirm-default'] = handlers.cancel;
		handlers['confirm-yes'] = () => {
			key.setMode('view');
			void key.rotateNow();
		};
	} else if (
		state.mode === 'view' &&
		loaded &&
		rotation &&
		!isBusy &&
		loaded.overview.key.state === 'Enabled'
	) {
		if (rotation.enabled) handlers['disable-rotation'] = () => void key.disable();
		else handlers['enable-rotation'] = () => void key.enable();
		handlers['change-period'] = () => {
			key.setPeriod(String(rotation.periodDays ?? 365));
			key.setMode('period');
		};
		if (left > 0) handlers['rotate-now'] = () => key.setMode('confirm-rotate');
	}
	if (state.mode === 'view') handlers['open-activity'] = () => navigation.push({name: 'activity'});
	useKeymap(handlers, {isTextFocused: state.mode === 'period'});

	if (key.load.state.status === 'error')
		return <ErrorPanel error={key.load.state.error} title="Could not read the key" />;
	if (!loaded) return <Spinner label="Reading the key and its rotation…" />;
	const {overview, choice, history} = loaded;
	const cli =
		state.mode === 'period'
			? ['rotation', 'enable', '--period', state.period || 'DAYS']
			: state.mode === 'confirm-rotate'
				? ['rotation', 'rotate-now']
				: rotation?.enabled
					? ['rotation', 'status']
					: ['rotation', 'enable'];
	const rows = [
		{label: 'Key', value: `${overview.key.keyId} (${choice.source})`},
		{
			label: 'State',
			value: overview.key.state,
			color: color(overview.key.state === 'Enabled' ? 'success' : 'warning'),
		},
		{label: 'Description', value: overview.key.description || '-'},
		{label: 'Aliases', value: overview.aliases.map((alias) => alias.name).join(', ') || '(none)'},
		{label: 'Last used', value: lastUsed},
		{
			label: 'Rotation',
			value: rotation
				? rotation.enabled
					? `on, every ${rotation.periodDays ?? '?'} days`
					: 'off'
				: 'not available for this key',
			color: color(rotation?.enabled ? 'success' : 'warning'),
		},
		...(rotation?.enabled
			? [{label: 'Next rotation', value: formatDate(rotation.nextRotation)}]
			: []),
		{
			label: 'On demand',
			value: `${left} of ${onDemandRotationLimit} rotations left (a lifetime limit)`,
			color: color(left > 0 ? 'success' : 'danger'),
		},
	];
	return (
		<Box flexDirection="column">
			<ScrollArea maxHeight={scroll.maxRows} offset={scroll.offset} onMeasure={scroll.onMeasure}>
				<KeyValueTable rows={rows} />
				<Box marginTop={1}>
					<RotationHistory history={history} maxRows={3} />
				</Box>
				<Text wrap="wrap">
					Files encrypted before a rotation still decrypt: KMS keeps every earlier key material.
				</Text>
				<PolicySection policy={loaded.policy} keyArn={overview.key.arn} />
			</ScrollArea>
			{scroll.position ? <Text dimColor>{scroll.position}</Text> : null}
			<Box ref={footRef} flexDirection="column" flexShrink={0}>
				{state.mode === 'period' ? (
					<TextField
						label="Period (days)"
						isFocused
						defaultValue={state.period}
						error={periodError(state.period)}
						note="90–2560 days; enter applies it and turns rotation on"
						onChange={key.setPeriod}
						onSubmit={key.applyPeriod}
					/>
				) : null}
				{state.mode === 'confirm-rotate' ? (
					<Box>
						<Text>Rotate now? This uses 1 of the {left} on-demand rotations left. </Text>
						<Text bold>y/N</Text>
					</Box>
				) : null}
				{isBusy ? <Spinner label="Working…" /> : null}
				{state.message && state.mode === 'view' ? (
					<Text color={color('success')}>✔ {terminalSafeLine(state.message)}</Text>
				) : null}
				{key.action.state.status === 'error' ? <ErrorPanel error={key.action.state.error} /> : null}
				<CliHint args={cli} />
			</Box>
		</Box>
	);
}
