/**
 * What deleting a key would break, gathered before anyone confirms: the envelopes under some
 * directories that only this key opens (and those it is one of several keys for), every alias
 * pointing at it — those made outside the stack too, which a stack deletion leaves dangling —
 * and when KMS last saw it used. `delete-key`, `destroy` and the TUI's Key deletion and Cleanup
 * screens all show this.
 */
import type {AliasInfo, KeyInfo, KeyLastUsage, KeyService} from '../service/index.js';
import {blastRadius, type ScannedFile, type ScanProblem, scanEnvelopes} from './scan.js';

export type DeletionImpact = {
	readonly key: KeyInfo;
	readonly roots: readonly string[];
	/** Envelopes no other key opens: unreadable once the key is gone. */
	readonly unreadable: readonly ScannedFile[];
	/** Envelopes that name this key and another: they still open under the other. */
	readonly alsoOpenElsewhere: readonly ScannedFile[];
	readonly problems: readonly ScanProblem[];
	readonly filesSeen: number;
	readonly isTruncated: boolean;
	/** Every alias pointing at the key (ListAliases with KeyId). */
	readonly aliases: readonly AliasInfo[];
	/**
	 * The aliases the operation leaves pointing at a deleted key: for a key deletion all of
	 * them; for a stack deletion those the stack does not own (made with `alias create`, the
	 * console, another tool).
	 */
	readonly danglingAliases: readonly AliasInfo[];
	readonly lastUsage: KeyLastUsage;
};

export async function deletionImpact(
	keys: Pick<KeyService, 'describeKey' | 'listAliases' | 'keyLastUsage'>,
	keyRef: string,
	options: {
		readonly roots: readonly string[];
		/** Stack deletion: the alias names the stack owns (it deletes those itself). */
		readonly stackAliases?: readonly string[];
		readonly signal?: AbortSignal;
		readonly maxFiles?: number;
		readonly onProgress?: (filesSeen: number) => void;
	},
): Promise<DeletionImpact> {
	const {signal} = options;
	const call = signal ? {signal} : {};
	const key = await keys.describeKey(keyRef, call);
	const [aliases, lastUsage, scan] = await Promise.all([
		keys.listAliases(key.keyId, call),
		keys.keyLastUsage(key.keyId, call).catch(
			(error: unknown): KeyLastUsage => ({
				isReported: false,
				reason: error instanceof Error ? error.message : String(error),
			}),
		),
		scanEnvelopes(options.roots, {
			...call,
			...(options.maxFiles === undefined ? {} : {maxFiles: options.maxFiles}),
			...(options.onProgress ? {onProgress: options.onProgress} : {}),
		}),
	]);
	const owned = new Set(options.stackAliases ?? []);
	const {unreadable, alsoOpenElsewhere} = blastRadius(scan, key.arn);
	return {
		key,
		roots: options.roots,
		unreadable,
		alsoOpenElsewhere,
		problems: scan.problems,
		filesSeen: scan.filesSeen,
		isTruncated: scan.isTruncated,
		aliases,
		danglingAliases: aliases.filter((alias) => !owned.has(alias.name)),
		lastUsage,
	};
}

/** "Last used: Decrypt on 2026-11-30 12:00 UTC" and its variants, for the CLI and the TUI. */
export function describeLastUsage(
	usage: KeyLastUsage,
	formatDate: (date: Date | undefined) => string,
): string {
	if (!usage.isReported) return `not reported: ${usage.reason}`;
	if (usage.operation && usage.at) return `${usage.operation} on ${formatDate(usage.at)}`;
	if (usage.operation) return usage.operation;
	return usage.trackingStartDate
		? `never used since tracking began ${formatDate(usage.trackingStartDate)}`
		: 'never used since tracking began';
}

/** The JSON form of an impact (what `--json` documents carry), paths instead of whole files. */
export function impactJson(impact: DeletionImpact) {
	const usage = impact.lastUsage;
	return {
		roots: impact.roots,
		filesSeen: impact.filesSeen,
		isTruncated: impact.isTruncated,
		unreadable: impact.unreadable.map((file) => file.path),
		alsoOpenElsewhere: impact.alsoOpenElsewhere.map((file) => file.path),
		scanProblems: impact.problems,
		aliases: impact.aliases.map((alias) => alias.name),
		danglingAliases: impact.danglingAliases.map((alias) => alias.name),
		lastUsage: usage.isReported
			? {
					isReported: true,
					...(usage.operation ? {operation: usage.operation} : {}),
					...(usage.at ? {at: usage.at.toISOString()} : {}),
					...(usage.trackingStartDate
						? {trackingStartDate: usage.trackingStartDate.toISOString()}
						: {}),
				}
			: {isReported: false, reason: usage.reason},
	};
}

/** Files listed by name before the rest are counted. */
export const shownFiles = 5;

/**
 * The warning the CLI prints before asking (each line from a file or from KMS is escaped by
 * `safe`). `what` says whose deletion it is: the key's, or the stack's (which removes its own
 * aliases).
 */
export function impactLines(
	impact: DeletionImpact,
	options: {
		readonly what: 'key' | 'stack';
		readonly formatDate: (date: Date | undefined) => string;
		readonly safe: (text: string) => string;
	},
): string[] {
	const {safe} = options;
	const where = impact.roots.map(safe).join(', ');
	const count = (n: number, one: string) =>
		`${n.toLocaleString('en-US')} ${n === 1 ? one : `${one}s`}`;
	const lines: string[] = [];
	const searched = `${count(impact.filesSeen, 'file')} searched under ${where}${impact.isTruncated ? ', stopped at the file limit' : ''}`;
	if (impact.unreadable.length === 0) {
		lines.push(`No envelope under ${where} opens only under this key (${searched}).`);
	} else {
		lines.push(
			`${count(impact.unreadable.length, 'envelope')} under ${where} would become unreadable (only this key opens ${impact.unreadable.length === 1 ? 'it' : 'them'}; ${searched}):`,
		);
		for (const file of impact.unreadable.slice(0, shownFiles)) lines.push(`  ${safe(file.path)}`);
		if (impact.unreadable.length > shownFiles)
			lines.push(`  … and ${(impact.unreadable.length - shownFiles).toLocaleString('en-US')} more`);
	}
	if (impact.alsoOpenElsewhere.length > 0) {
		lines.push(
			`${count(impact.alsoOpenElsewhere.length, 'envelope')} also ${impact.alsoOpenElsewhere.length === 1 ? 'opens under another key and stays' : 'open under another key and stay'} readable: ${impact.alsoOpenElsewhere
				.slice(0, shownFiles)
				.map((file) => safe(file.path))
				.join(', ')}${impact.alsoOpenElsewhere.length > shownFiles ? ', …' : ''}`,
		);
	}
	if (impact.problems.length > 0)
		lines.push(`${count(impact.problems.length, 'file')} could not be read: see \`kms-tui scan\`.`);
	const dangling = impact.danglingAliases.map((alias) => safe(alias.name));
	if (options.what === 'key') {
		lines.push(
			dangling.length === 0
				? 'No alias points at the key.'
				: `Aliases pointing at it, left on a key that cannot be used: ${dangling.join(', ')}.`,
		);
	} else if (dangling.length > 0) {
		lines.push(
			`Aliases made outside the stack, left pointing at a key pending deletion: ${dangling.join(', ')}.`,
		);
	}
	lines.push(`Last used: ${safe(describeLastUsage(impact.lastUsage, options.formatDate))}.`);
	return lines;
}

/** On a terminal, a line while a large tree is searched (the scan may take a while). */
export function announceScan(stderr: NodeJS.WritableStream, roots: readonly string[]): void {
	if ((stderr as {isTTY?: boolean}).isTTY)
		stderr.write(`Looking for envelopes under ${roots.join(', ')} that only this key opens…\n`);
}
