/**
 * `kms-tui scan [DIR…] [--key KEY]`: the envelopes and SDK messages under directories, by the key
 * (and key material) that opens them, from their headers only. No KMS call, except to turn an
 * alias given to --key into the ARN headers record.
 */
import {stat} from 'node:fs/promises';
import {formatBytes, type KeyReport, plural, reportByKey} from '../scan/report.js';
import {filesUnder, type ScanResult, scanEnvelopes} from '../scan/scan.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {scanFlags} from './commands-table.js';
import {type CommandContext, CommandError, printJson, say} from './context.js';

/** Paths listed per key before the rest are counted. */
const shownPaths = 5;

const keyArnPattern = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/\S+$/;

export async function runScan(context: CommandContext<typeof scanFlags>): Promise<void> {
	const roots = context.args.length > 0 ? [...context.args] : ['.'];
	const keyArn = context.options.key ? await keyArnOf(context, context.options.key) : undefined;
	const missing: string[] = [];
	for (const root of roots) {
		if (!(await stat(root).catch(() => undefined))) missing.push(root);
	}
	const present = roots.filter((root) => !missing.includes(root));
	const started = performance.now();
	const all = await scanEnvelopes(present);
	const scan: ScanResult = keyArn ? {...all, files: filesUnder(all, keyArn)} : all;
	const seconds = (performance.now() - started) / 1000;
	const keys = reportByKey(scan).filter((key) => !keyArn || key.keyArn === keyArn);
	const bytes = scan.files.reduce((sum, file) => sum + file.bytes, 0);
	if (context.options.json) {
		printJson(context, {
			roots,
			...(keyArn ? {keyArn} : {}),
			filesSeen: scan.filesSeen,
			envelopes: scan.files.length,
			bytes,
			seconds: Math.round(seconds * 1000) / 1000,
			keys: keys.map(({paths, ...key}) => ({
				...key,
				examples: paths.slice(0, shownPaths).map((file) => file.path),
			})),
			files: scan.files,
			problems: [
				...missing.map((root) => ({path: root, reason: 'no such file or directory'})),
				...scan.problems,
			],
		});
	} else {
		say(context, humanReport(present, scan, keys, bytes, keyArn));
	}
	if (missing.length > 0) {
		throw new CommandError(
			`${missing.map((root) => terminalSafeLine(root)).join(', ')}: no such file or directory; the rest was scanned. Check the path${missing.length === 1 ? '' : 's'} and run \`kms-tui scan\` again.`,
		);
	}
}

/** Headers record key ARNs: an ARN is used as it is (no KMS needed), anything else is resolved. */
async function keyArnOf(context: CommandContext, keyRef: string): Promise<string> {
	if (keyArnPattern.test(keyRef)) return keyRef;
	try {
		return (await (await context.session()).services.keys.describeKey(keyRef)).arn;
	} catch (error) {
		const why = error instanceof Error ? error.message : String(error);
		throw new CommandError(
			`${why}\nHeaders record key ARNs: give --key the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) to scan without reaching KMS.`,
		);
	}
}

function humanReport(
	roots: readonly string[],
	scan: ScanResult,
	keys: readonly KeyReport[],
	bytes: number,
	keyArn: string | undefined,
): string {
	const safe = terminalSafeLine;
	const where = roots.map(safe).join(', ');
	const lines = [
		`Scanned ${plural(scan.filesSeen, 'file')} under ${where}: ${plural(scan.files.length, 'envelope')}${keyArn ? ` under ${safe(keyArn)}` : ''} (${formatBytes(bytes)}).`,
	];
	for (const key of keys) {
		const provider = key.provider === 'aws-kms' ? '' : '  (not a KMS key: kms-tui cannot use it)';
		lines.push(
			'',
			`${safe(key.keyArn)}${provider}`,
			`  ${plural(key.files, 'file')}, ${formatBytes(key.bytes)}; ${key.onlyThisKey.toLocaleString('en-US')} open${key.onlyThisKey === 1 ? 's' : ''} under this key only`,
		);
		const materials = key.keyMaterials.filter((material) => material.keyMaterialId !== undefined);
		if (materials.length > 0) {
			for (const material of key.keyMaterials) {
				lines.push(
					`  key material ${material.keyMaterialId ? safe(material.keyMaterialId) : '(not recorded)'}: ${plural(material.files, 'file')}`,
				);
			}
		}
		for (const file of key.paths.slice(0, shownPaths)) lines.push(`    ${safe(file.path)}`);
		if (key.paths.length > shownPaths)
			lines.push(`    … and ${(key.paths.length - shownPaths).toLocaleString('en-US')} more`);
	}
	if (scan.problems.length > 0) {
		lines.push('', `${plural(scan.problems.length, 'problem')}:`);
		for (const problem of scan.problems)
			lines.push(`  ${safe(problem.path)}: ${safe(problem.reason)}`);
	}
	return lines.join('\n');
}
