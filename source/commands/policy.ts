/**
 * `kms-tui policy [show]`: the key policy, each statement explained, risks flagged.
 * `kms-tui policy put FILE`: replace it — validated, lockout-checked and shown as a change before
 * a typed confirmation. `policy put -` reads the policy from standard input (then --yes is the
 * confirmation). Every policy string is untrusted: it reaches the terminal through
 * terminalSafe.
 */
import {readFile} from 'node:fs/promises';
import {createInterface} from 'node:readline/promises';
import {lockoutMessage} from '../policy/lockout.js';
import {maxPolicyBytes, PolicyError, validatePolicyText} from '../policy/parse.js';
import {
	diffPolicies,
	type PolicyReport,
	reportPolicy,
	reportPolicyText,
	type StatementReport,
	statementJson,
} from '../policy/report.js';
import type {Risk} from '../policy/risks.js';
import {terminalSafe, terminalSafeLine} from '../terminal-text.js';
import type {policyFlags} from './commands-table.js';
import {
	type CommandContext,
	CommandError,
	printJson,
	refuseIfReadOnly,
	resolveKeyRef,
	say,
	UsageError,
} from './context.js';

type PolicyContext = CommandContext<typeof policyFlags>;

/** Colour only for a terminal that wants it; the words carry the meaning either way. */
function painter(context: PolicyContext, stream: NodeJS.WritableStream) {
	const isColor =
		(stream as {isTTY?: boolean}).isTTY === true &&
		!context.globals.noColor &&
		(context.env.NO_COLOR === undefined || context.env.NO_COLOR === '');
	return (code: string, text: string) => (isColor ? `\u001b[${code}m${text}\u001b[0m` : text);
}

function riskLine(risk: Risk, paint: ReturnType<typeof painter>): string {
	return risk.level === 'high'
		? paint('1;31', `   ! HIGH RISK: ${risk.message}`)
		: paint('33', `   ! risk: ${risk.message}`);
}

function statementLines(
	report: StatementReport,
	paint: ReturnType<typeof painter>,
	mark = '',
): string[] {
	const name = report.sid === undefined ? '' : ` "${report.sid}"`;
	return [
		paint('1', `${mark}${report.statement.index + 1}. ${report.effect}${name}`),
		`   ${report.explanation.text}`,
		...report.risks.map((risk) => riskLine(risk, paint)),
	];
}

function print(stream: NodeJS.WritableStream, lines: readonly string[]): void {
	// Policy text is untrusted: every line through terminalSafe (the ANSI we add comes after).
	stream.write(`${lines.join('\n')}\n`);
}

const safe = (text: string) => terminalSafe(text);

function reportLines(report: PolicyReport, paint: ReturnType<typeof painter>): string[] {
	return [
		safe(report.summary),
		...report.policy.problems.map((problem) => paint('33', `! ${safe(problem)}`)),
		...report.statements.flatMap((statement) => [
			'',
			...statementLines(safeReport(statement), paint),
		]),
	];
}

/** The same report with every string made safe for a terminal. */
function safeReport(report: StatementReport): StatementReport {
	return {
		...report,
		...(report.sid === undefined ? {} : {sid: terminalSafeLine(report.sid)}),
		explanation: {...report.explanation, text: safe(report.explanation.text)},
		risks: report.risks.map((risk) => ({...risk, message: safe(risk.message)})),
	};
}

async function keyAndPolicy(context: PolicyContext) {
	const {keyRef} = await resolveKeyRef(context);
	const session = await context.session();
	const {keys} = session.services;
	const overview = await keys.overview(keyRef);
	const text = await keys.keyPolicy(overview.key.keyId);
	return {session, keys, overview, text};
}

export async function runPolicy(context: PolicyContext): Promise<void> {
	const [action = 'show', file] = context.args;
	if (action === 'put') return putPolicy(context, file as string);
	const {overview, text} = await keyAndPolicy(context);
	const keyArn = overview.key.arn;
	let report: PolicyReport;
	try {
		report = reportPolicyText(text, {keyArn});
	} catch (error) {
		if (!(error instanceof PolicyError)) throw error;
		throw new CommandError(
			`The endpoint returned a key policy kms-tui cannot read (${error.message}). As it came:\n${terminalSafe(text)}`,
		);
	}
	if (context.options.json) {
		printJson(context, {
			keyArn,
			policy: report.policy.document,
			summary: report.summary,
			statements: report.statements.map(statementJson),
		});
		return;
	}
	const paint = painter(context, context.stdout);
	const alias = overview.aliases[0]?.name;
	print(context.stdout, [
		paint(
			'1',
			`Key policy of ${terminalSafeLine(overview.key.keyId)}${alias ? ` (${terminalSafeLine(alias)})` : ''}`,
		),
		`  ${terminalSafeLine(keyArn)}`,
		'',
		...reportLines(report, paint),
		'',
		'The policy as JSON: kms-tui policy --json. Replace it: kms-tui policy put FILE.',
	]);
}

/** The words for where the policy came from: the file's name, or standard input for `-`. */
const sourceName = (file: string) => (file === '-' ? 'standard input' : terminalSafeLine(file));

/**
 * Read at most this much of standard input: well over KMS's 32 KB, so a policy a little too long
 * gets the same message, with its size, as a file would; an endless stream is not read to its end.
 */
const maxStdinBytes = 1024 * 1024;

/** `put -`: standard input to its end, as the file would be read (UTF-8). */
async function readPolicyStdin(stdin: NodeJS.ReadableStream): Promise<string> {
	const chunks: Buffer[] = [];
	let bytes = 0;
	try {
		for await (const chunk of stdin) {
			const piece = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			chunks.push(piece);
			bytes += piece.length;
			if (bytes > maxStdinBytes) {
				// Nothing more is read: the writer gets EPIPE rather than this process waiting on it.
				(stdin as NodeJS.ReadStream).destroy?.();
				throw new CommandError(
					`Standard input holds more than ${maxStdinBytes} bytes; a key policy is at most ${maxPolicyBytes} (32 KB). Pipe the policy document alone. Nothing was changed.`,
				);
			}
		}
	} catch (error) {
		if (error instanceof CommandError) throw error;
		throw new CommandError(
			`Could not read the policy from standard input: ${(error as Error).message}. Pipe the policy's JSON into it (kms-tui policy put - --yes < policy.json).`,
		);
	}
	return Buffer.concat(chunks).toString('utf8');
}

async function readPolicyFile(file: string): Promise<string> {
	try {
		return await readFile(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new CommandError(
			`Could not read ${terminalSafeLine(file)}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}. Name a JSON file that holds the whole policy.`,
		);
	}
}

const rootStatement = (account: string) =>
	`{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${account}:root"}, "Action": "kms:*", "Resource": "*"}`;

async function putPolicy(context: PolicyContext, file: string): Promise<void> {
	const bypass = context.flags.bypassLockoutCheck === true;
	refuseIfReadOnly(context, 'replace the key policy');
	const isStdin = file === '-';
	// Decided before any call: without a terminal, only --yes can answer the question below. With
	// `-` standard input carries the policy, so it cannot carry the answer too, terminal or not.
	if (!context.options.yes && isStdin)
		throw new UsageError(
			'policy put - reads the policy from standard input, so there is nothing left to type the confirmation on: add --yes (kms-tui policy put - --yes < policy.json), or name a file instead of -.',
		);
	if (!context.options.yes && !context.stdinIsTty)
		throw new UsageError(
			'Replacing a key policy needs typed confirmation and there is no terminal: add --yes to go ahead.',
		);
	// `put - --yes` on a terminal reads what is typed or pasted: say how it ends, or it looks hung.
	if (isStdin && context.stdinIsTty)
		context.stderr.write(
			'Reading the policy from standard input: paste it, then press Ctrl-D on an empty line.\n',
		);
	const text = isStdin ? await readPolicyStdin(process.stdin) : await readPolicyFile(file);
	const checked = validatePolicyText(text);
	const name = sourceName(file);
	if ('error' in checked)
		throw new CommandError(`${name}: ${safe(checked.error)} Nothing was changed.`);
	if (checked.problems.length > 0)
		throw new CommandError(
			[
				`${name} is not a valid key policy; nothing was changed:`,
				...checked.problems.map((problem) => `  - ${safe(problem)}`),
			].join('\n'),
		);

	const {session, keys, overview, text: current} = await keyAndPolicy(context);
	const {key} = overview;
	const after = reportPolicy(checked.policy, {keyArn: key.arn});
	const before = reportPolicyText(current, {keyArn: key.arn});
	const change = diffPolicies(before, after);
	if (change.added.length === 0 && change.removed.length === 0 && current === text) {
		say(context, 'The key already has exactly this policy; nothing to do.');
		if (context.options.json) printJson(context, {keyArn: key.arn, replaced: false});
		return;
	}
	if (!after.lockout.isSafe && !bypass)
		throw new CommandError(
			[
				`Refused: ${safe(after.lockout.reason)}`,
				`KMS's own lockout safety check refuses it too ("${lockoutMessage}"); with the check bypassed, only AWS Support could make the key manageable again.`,
				`Keep a statement that gives the account root kms:* (or at least kms:PutKeyPolicy), e.g. ${rootStatement(key.accountId)}.`,
				...(after.lockout.otherGrantees.length > 0
					? [
							`The policy gives kms:PutKeyPolicy to ${after.lockout.otherGrantees.map(terminalSafeLine).join(', ')}: kms-tui cannot tell whether that is you. If it is, --bypass-lockout-check skips kms-tui's check (and KMS's), so be sure.`,
						]
					: []),
				'If you really mean to lock the key, run again with --bypass-lockout-check. Nothing was changed.',
			].join('\n'),
		);

	// The change is part of the question: on stdout, or stderr when stdout carries JSON.
	const out = context.options.json ? context.stderr : context.stdout;
	const paint = painter(context, out);
	const alias = overview.aliases[0]?.name;
	const lines = [
		paint(
			'1',
			`New key policy for ${terminalSafeLine(key.keyId)}${alias ? ` (${terminalSafeLine(alias)})` : ''} from ${name}`,
		),
		safe(after.summary),
		`${change.unchanged} statement${change.unchanged === 1 ? '' : 's'} unchanged, ${change.added.length} added, ${change.removed.length} removed.`,
		...(change.added.length + change.removed.length === 0
			? ['The statements mean what they meant: only Sids, their order or the formatting differ.']
			: []),
		...change.removed.flatMap((statement) => [
			'',
			...statementLines(safeReport(statement), paint, '- removed '),
		]),
		...change.added.flatMap((statement) => [
			'',
			...statementLines(safeReport(statement), paint, '+ added '),
		]),
	];
	if (!after.lockout.isSafe)
		lines.push(
			'',
			paint(
				'1;31',
				`! LOCKOUT: ${safe(after.lockout.reason)} --bypass-lockout-check is set: KMS will not stop it.`,
			),
		);
	else if (after.lockout.isConditional)
		lines.push(
			'',
			paint(
				'33',
				`! kms:PutKeyPolicy stays with ${safe(after.lockout.grantee)} only under conditions: if they do not hold for you, you lose it.`,
			),
		);
	if (session.target.kind === 'endpoint')
		lines.push(
			'',
			'This endpoint is not AWS: kms-tui ran the lockout check itself; the endpoint may not (moto stores any policy and enforces none).',
		);
	print(out, lines);

	if (!context.options.yes) {
		const expected = alias ?? key.keyId;
		const prompt = createInterface({input: process.stdin, output: context.stderr});
		const answer = await prompt.question(
			`Type ${terminalSafeLine(expected)} to replace the key policy: `,
		);
		prompt.close();
		if (answer.trim() !== expected)
			throw new CommandError('Not confirmed; the key policy was left as it was.');
	}
	await keys.putKeyPolicy(key.keyId, text, {bypassLockoutCheck: bypass});
	if (context.options.json) {
		printJson(context, {
			keyArn: key.arn,
			replaced: true,
			bypassedLockoutCheck: bypass,
			added: change.added.map(statementJson),
			removed: change.removed.map(statementJson),
			statements: after.statements.map(statementJson),
		});
		return;
	}
	say(
		context,
		`Key policy of ${terminalSafeLine(key.keyId)} replaced. See it with \`kms-tui policy\`.`,
	);
}
