/**
 * Ctrl-C, `kill` and the terminal closing cancel a file command: the first of these signals
 * aborts the run (the engines then remove their temp files, so nothing partial remains) and is
 * remembered, so that the exit status can say which signal (128 + its number, as a shell reports
 * a process it killed; docs/guarantees.md). Once the handlers are released, a second one kills.
 */
import {constants as osConstants} from 'node:os';

const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export type Interrupt = {
	readonly controller: AbortController;
	/** The signal that cancelled the run, if one did. */
	readonly signalled: () => NodeJS.Signals | undefined;
	/** Takes the handlers off again (in a `finally`). */
	readonly release: () => void;
};

export function interruptOnSignals(): Interrupt {
	const controller = new AbortController();
	let signalled: NodeJS.Signals | undefined;
	const onSignal = (signal: NodeJS.Signals) => {
		signalled ??= signal;
		controller.abort(new Error(`interrupted by ${signal}`));
	};
	for (const signal of stopSignals) process.once(signal, onSignal);
	return {
		controller,
		signalled: () => signalled,
		release: () => {
			for (const signal of stopSignals) process.off(signal, onSignal);
		},
	};
}

/** The exit status of a run a signal cancelled: 128 + the signal's number (130 for SIGINT). */
export function signalExitStatus(signal: NodeJS.Signals): number {
	return 128 + (osConstants.signals[signal] ?? 0);
}
