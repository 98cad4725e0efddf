/**
 * What every command over many files does around its per-file work (encrypt, decrypt, inspect,
 * rewrap): expand the arguments (source/batch/walk.ts), run the files with bounded concurrency
 * (run-batch.ts), draw one progress bar on a terminal, stop cleanly on Ctrl-C or SIGTERM, name
 * each failure with its reason, and end with one summary line — or, with --json, one document
 * for the whole run. Exit status 1 when any file failed; 128 + the signal when one stopped it.
 */
import {type FileOutcome, runBatch} from '../batch/run-batch.js';
import {countOutcomes, summaryLine} from '../batch/summary.js';
import {type BatchItem, expandPaths, type WalkProblem} from '../batch/walk.js';
import {terminalSafeLine} from '../terminal-text.js';
import {QuietExit} from './command-error.js';
import {type CommandContext, printJson, UsageError} from './context.js';
import type {FlagSpecs} from './flags.js';
import {interruptOnSignals, signalExitStatus} from './interrupt.js';
import {batchProgressBar} from './progress.js';

export type FileBatchSpec<R> = {
	/** 'encrypt' | 'decrypt' | 'rewrap' | 'inspect': the progress label and the summary's verb. */
	readonly verb: string;
	readonly recursive: boolean;
	readonly work: (
		item: BatchItem,
		io: {signal: AbortSignal; onBytes: (n: number) => void},
	) => Promise<R>;
	/** The human line (or lines) for a done file, on stdout. */
	readonly line: (item: BatchItem, result: R) => string;
	/** The per-file JSON, merged into `{path, status}`. */
	readonly json: (item: BatchItem, result: R) => unknown;
	/** Files in flight at once. @default 8 */
	readonly concurrency?: number;
};

/** Skipped files named one by one before the rest are only counted. */
const shownSkips = 10;

/** Engines name the file first (`dir/a.txt: …`); the batch names it already. */
function withoutPath(reason: string, item: {path: string}): string {
	const prefix = `${item.path}: `;
	return reason.startsWith(prefix) ? reason.slice(prefix.length) : reason;
}

/**
 * `-` (standard input) is one stream: it cannot sit among other files, and a batch of one file
 * never reaches here (the single-file path keeps today's behaviour).
 */
export function refuseStdinInBatch(args: readonly string[], verb: string): void {
	if (args.length > 1 && args.includes('-')) {
		throw new UsageError(
			`${verb}: - (standard input) goes alone; name files and directories, or run it once for -.`,
		);
	}
}

export async function runFileBatch<R, F extends FlagSpecs = FlagSpecs>(
	context: CommandContext<F>,
	spec: FileBatchSpec<R>,
): Promise<void> {
	refuseStdinInBatch(context.args, spec.verb);
	const started = performance.now();
	const interrupt = interruptOnSignals();
	const {controller} = interrupt;
	// The reader of the paths went away (`kms-tui encrypt -r d | head -3`): stop as a tool killed
	// by SIGPIPE would, but cleanly (files in flight are cancelled, nothing partial is left).
	let readerGone = false;
	context.stdout.on('error', (error: NodeJS.ErrnoException) => {
		readerGone = true;
		if (error.code !== 'EPIPE') note(`standard output: ${error.message}`);
		controller.abort(new Error('standard output was closed'));
	});
	const stderr = process.stderr;
	const json = context.options.json;
	let bar: ReturnType<typeof batchProgressBar> | undefined;
	const note = (text: string) => {
		bar?.clear();
		stderr.write(`kms-tui: ${terminalSafeLine(text)}\n`);
	};
	let outcomes: FileOutcome<R>[] = [];
	let problems: readonly WalkProblem[] = [];
	let bytes = 0;
	try {
		let items: readonly BatchItem[];
		try {
			({items, problems} = await expandPaths(context.args, {
				recursive: spec.recursive,
				signal: controller.signal,
			}));
		} catch (error) {
			if (!interrupt.signalled()) throw error;
			items = [];
		}
		for (const problem of problems) note(`${problem.path}: ${problem.reason}`);
		const totalBytes = items.reduce((sum, item) => sum + item.size, 0);
		bar = batchProgressBar(stderr, `${spec.verb}ing`, {files: items.length, bytes: totalBytes});
		// Lines come out in input order as soon as every file before them has settled, so the
		// output is the same from run to run however the files finish.
		const indexOf = new Map(items.map((item, index) => [item, index]));
		const settled: (FileOutcome<R> | undefined)[] = new Array(items.length);
		let printed = 0;
		let skipsShown = 0;
		const print = (outcome: FileOutcome<R>) => {
			const {item} = outcome;
			if (outcome.status === 'done') {
				if (json || readerGone) return;
				// Only when the lines go to the terminal the bar is on is it in their way.
				if ((context.stdout as {isTTY?: boolean}).isTTY) bar?.clear();
				context.stdout.write(`${spec.line(item, outcome.result)}\n`);
			} else if (outcome.status === 'skipped') {
				// A file found in a directory walk is skipped quietly (a tree of plaintext under
				// `decrypt -r` would skip thousands; the summary counts them by reason). A file
				// named on the command line says why; past a few, the summary has the count.
				if (item.relativePath !== undefined) return;
				skipsShown++;
				if (skipsShown <= shownSkips) note(`skipped ${item.displayPath}: ${outcome.reason}`);
				else if (skipsShown === shownSkips + 1)
					note('… more skipped files are counted in the summary');
			} else if (!((interrupt.signalled() || readerGone) && outcome.code === 'aborted')) {
				note(`${item.displayPath}: ${withoutPath(outcome.reason, item)}`);
			}
		};
		outcomes = await runBatch(items, spec.work, {
			concurrency: spec.concurrency,
			signal: controller.signal,
			onBytes: (n) => {
				bytes += n;
				bar?.bytes(n);
			},
			onOutcome: (outcome) => {
				bar?.file();
				settled[indexOf.get(outcome.item) ?? 0] = outcome;
				while (printed < items.length && settled[printed]) {
					print(settled[printed] as FileOutcome<R>);
					printed++;
				}
			},
		});
		// Cancelled: the files after a gap (one never started) print now, in order.
		for (; printed < items.length; printed++) {
			const outcome = settled[printed];
			if (outcome) print(outcome);
		}
	} finally {
		bar?.finish();
		interrupt.release();
	}
	const signalled = interrupt.signalled();
	const counts = countOutcomes(outcomes, problems.length);
	const seconds = (performance.now() - started) / 1000;
	if (json && !readerGone) {
		printJson(context, {
			files: [
				...problems.map((problem) => ({
					path: problem.path,
					status: 'failed',
					reason: problem.reason,
				})),
				...outcomes.map((outcome) => fileJson(outcome, spec)),
			],
			summary: {
				done: counts.done,
				skipped: counts.skipped,
				failed: counts.failed,
				bytes,
				seconds: Math.round(seconds * 1000) / 1000,
				...(signalled ? {interruptedBy: signalled} : {}),
			},
		});
	}
	const interrupted = signalled
		? ` — interrupted by ${signalled}`
		: readerGone
			? ' — standard output was closed'
			: '';
	stderr.write(`kms-tui: ${summaryLine(counts, spec.verb)}${interrupted}\n`);
	if (signalled) throw new QuietExit(signalExitStatus(signalled));
	if (readerGone) throw new QuietExit(141);
	if (counts.failed > 0) throw new QuietExit(1);
}

function fileJson<R>(outcome: FileOutcome<R>, spec: FileBatchSpec<R>): Record<string, unknown> {
	const base = {path: outcome.item.displayPath, status: outcome.status};
	if (outcome.status === 'done') {
		const extra = spec.json(outcome.item, outcome.result);
		return {...base, ...(typeof extra === 'object' && extra !== null ? extra : {value: extra})};
	}
	const reason = withoutPath(outcome.reason, outcome.item);
	return outcome.status === 'failed' && outcome.code !== undefined
		? {...base, reason, code: outcome.code}
		: {...base, reason};
}
