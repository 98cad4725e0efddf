/**
 * A scan, grouped by key: what `kms-tui scan` prints and its JSON document. Pure (no I/O), so
 * the CLI and the TUI show the same numbers.
 */
import type {ScannedFile, ScanResult} from './scan.js';

export type KeyMaterialCount = {
	/** Undefined: the header records no material (v1, JSON made by KMS Encrypt, SDK messages). */
	readonly keyMaterialId?: string;
	readonly files: number;
	readonly bytes: number;
};

export type KeyReport = {
	readonly keyArn: string;
	readonly provider: string;
	readonly files: number;
	readonly bytes: number;
	/** Of `files`, those no other key opens: they become unreadable if this key is deleted. */
	readonly onlyThisKey: number;
	readonly keyMaterials: readonly KeyMaterialCount[];
	/** Every file under this key, in scan order. */
	readonly paths: readonly ScannedFile[];
};

export function reportByKey(scan: ScanResult): KeyReport[] {
	type Group = {
		keyArn: string;
		provider: string;
		files: ScannedFile[];
		bytes: number;
		onlyThisKey: number;
		materials: Map<string | undefined, {files: number; bytes: number}>;
	};
	const groups = new Map<string, Group>();
	for (const file of scan.files) {
		// A file that lists a key twice (two materials) counts once for the key.
		const counted = new Set<string>();
		for (const key of file.keys) {
			const id = `${key.provider}\u0000${key.keyArn}`;
			let group = groups.get(id);
			if (!group) {
				group = {
					keyArn: key.keyArn,
					provider: key.provider,
					files: [],
					bytes: 0,
					onlyThisKey: 0,
					materials: new Map(),
				};
				groups.set(id, group);
			}
			const material = group.materials.get(key.keyMaterialId) ?? {files: 0, bytes: 0};
			material.files++;
			material.bytes += file.bytes;
			group.materials.set(key.keyMaterialId, material);
			if (counted.has(id)) continue;
			counted.add(id);
			group.files.push(file);
			group.bytes += file.bytes;
			if (
				file.keys.every((other) => other.provider === key.provider && other.keyArn === key.keyArn)
			)
				group.onlyThisKey++;
		}
	}
	return [...groups.values()]
		.sort((a, b) => b.files.length - a.files.length || a.keyArn.localeCompare(b.keyArn))
		.map((group) => ({
			keyArn: group.keyArn,
			provider: group.provider,
			files: group.files.length,
			bytes: group.bytes,
			onlyThisKey: group.onlyThisKey,
			keyMaterials: [...group.materials.entries()]
				.map(([keyMaterialId, count]) => ({
					...(keyMaterialId === undefined ? {} : {keyMaterialId}),
					...count,
				}))
				.sort((a, b) => b.files - a.files),
			paths: group.files,
		}));
}

/** 1,234,567 bytes → "1.2 MB" (decimal units, as `ls -h --si` and the AWS console). */
export function formatBytes(bytes: number): string {
	if (bytes < 1000) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
	const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
	let value = bytes / 1000;
	let unit = 0;
	while (value >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
	return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
