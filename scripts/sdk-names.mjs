// Which names kms-tui's sources import from an AWS SDK client package, so that scripts/build.mjs
// bundles only those (and what they need) instead of all of the package's commands and schemas.
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';

async function* sourceFiles(directory) {
	for (const entry of await readdir(directory, {withFileTypes: true})) {
		const file = path.join(directory, entry.name);
		if (entry.isDirectory()) yield* sourceFiles(file);
		else if (/\.tsx?$/.test(entry.name)) yield file;
	}
}

/**
 * The value names imported from `packageName` under `root`, sorted. Any other mention of the
 * package (a namespace import, a dynamic import(), a re-export) is an error: the bundle would
 * lack what it uses, so the build says so instead.
 */
export async function importedSdkNames(packageName, root = 'source') {
	const quoted = `'${packageName}'`;
	const statement = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)';?/g;
	const names = new Set();
	for await (const file of sourceFiles(root)) {
		const text = await readFile(file, 'utf8');
		let understood = 0;
		for (const match of text.matchAll(statement)) {
			if (match[3] !== packageName) continue;
			understood++;
			if (match[1]) continue;
			for (const specifier of match[2].split(',').map((part) => part.trim())) {
				if (specifier && !specifier.startsWith('type ')) names.add(specifier.split(/\s+as\s+/)[0]);
			}
		}
		if (text.split(quoted).length - 1 !== understood) {
			throw new Error(
				`${file}: imports ${packageName} in a way scripts/sdk-names.mjs cannot read; use \`import {Name} from ${quoted}\`.`,
			);
		}
	}
	return [...names].sort();
}
