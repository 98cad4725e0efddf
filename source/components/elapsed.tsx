import {Text} from 'ink';
import {useEffect, useState} from 'react';

export type ElapsedProps = {
	/** Epoch milliseconds the work started at. */
	readonly since: number;
	/** Epoch milliseconds it ended at; the clock stops there. */
	readonly until?: number;
};

export function formatElapsed(ms: number): string {
	const seconds = Math.max(0, Math.floor(ms / 1000));
	return seconds < 60
		? `${seconds}s`
		: `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

/** Like formatElapsed, with tenths under ten seconds (`0.6s`): for a finished task's duration. */
export function formatDuration(ms: number): string {
	return ms < 10_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : formatElapsed(ms);
}

/** A clock that ticks once a second while the work runs. */
export function Elapsed({since, until}: ElapsedProps) {
	const [now, setNow] = useState(() => Date.now());
	useEffect(() => {
		if (until !== undefined) return;
		const timer = setInterval(() => setNow(Date.now()), 1000);
		return () => clearInterval(timer);
	}, [until]);
	return <Text dimColor>{formatElapsed((until ?? now) - since)}</Text>;
}
