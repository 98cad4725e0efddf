import {execFileSync} from 'node:child_process';
import {
	chmod,
	lstat,
	mkdir,
	mkdtemp,
	readdir,
	readFile,
	rm,
	stat,
	symlink,
	utimes,
	writeFile,
} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {parse} from 'dotenv';
import fc from 'fast-check';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
	describeEnvChanges,
	EnvFileError,
	encodeEnvValue,
	mergeEnvText,
	planEnvMerge,
	readEnvValue,
	writeEnvMerge,
	writtenByHeader,
} from '../../source/env-file/index.js';
import {scanAssignments} from '../../source/env-file/merge.js';

const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
const keyArn = `arn:aws:kms:eu-west-1:111122223333:key/${keyId}`;
const outputs = {
	KMS_KEY_ID: keyId,
	KMS_KEY_ARN: keyArn,
	KMS_KEY_ALIAS: 'alias/my-app',
	AWS_REGION: 'eu-west-1',
	KMS_STACK_NAME: 'KmsKey',
};

let dir: string;

beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-env-'));
});

afterEach(async () => {
	// Restore permissions a test may have removed, so the directory can be deleted.
	await chmod(dir, 0o755).catch(() => undefined);
	await rm(dir, {recursive: true, force: true});
});

async function expectEnvFileError(promise: Promise<unknown>): Promise<EnvFileError> {
	const error = await promise.then(
		() => undefined,
		(reason: unknown) => reason,
	);
	expect(error).toBeInstanceOf(EnvFileError);
	return error as EnvFileError;
}

describe('mergeEnvText', () => {
	it('writes the header and the keys in order into empty text', () => {
		const {text, changes} = mergeEnvText('', outputs);
		expect(text).toBe(
			[
				writtenByHeader,
				`KMS_KEY_ID=${keyId}`,
				`KMS_KEY_ARN=${keyArn}`,
				'KMS_KEY_ALIAS=alias/my-app',
				'AWS_REGION=eu-west-1',
				'KMS_STACK_NAME=KmsKey',
				'',
			].join('\n'),
		);
		expect(changes.map((change) => change.kind)).toEqual(Array(5).fill('added'));
	});

	it('keeps every other byte of a CRLF file without a final newline', () => {
		const lines = [
			'# KMS settings',
			'',
			'UNRELATED=keep me',
			'export KMS_KEY_ID=old-id # the key',
			"QUOTED='single quoted'",
			'CERT="-----BEGIN',
			'KMS_KEY_ARN=inside-a-quoted-value',
			'-----END"',
			'AWS_REGION = "us-east-1"   # region comment',
			'  OTHER="x#y" # c',
			'KMS_KEY_ALIAS=alias/first',
			'KMS_KEY_ALIAS=alias/second',
			'\tLAST=1',
		];
		const existing = lines.join('\r\n');
		const {text, changes} = mergeEnvText(existing, outputs);
		expect(text).toBe(
			[
				'# KMS settings',
				'',
				'UNRELATED=keep me',
				`export KMS_KEY_ID=${keyId} # the key`,
				"QUOTED='single quoted'",
				'CERT="-----BEGIN',
				'KMS_KEY_ARN=inside-a-quoted-value',
				'-----END"',
				// The user's double quotes and inline comment stay.
				'AWS_REGION = "eu-west-1"   # region comment',
				'  OTHER="x#y" # c',
				// dotenv's parse() lets the last duplicate win, so that is the one replaced.
				'KMS_KEY_ALIAS=alias/first',
				'KMS_KEY_ALIAS=alias/my-app',
				'\tLAST=1',
				'',
				writtenByHeader,
				// The line inside CERT is not an assignment to dotenv, so the key is added.
				`KMS_KEY_ARN=${keyArn}`,
				'KMS_STACK_NAME=KmsKey',
			].join('\r\n'),
		);
		expect(text.replaceAll('\r\n', '')).not.toContain('\n');
		const after = parse(text);
		expect(after).toMatchObject(outputs);
		expect(after.CERT).toBe('-----BEGIN\nKMS_KEY_ARN=inside-a-quoted-value\n-----END');
		expect(changes).toEqual([
			{key: 'KMS_KEY_ID', before: 'old-id', after: keyId, kind: 'changed'},
			{key: 'KMS_KEY_ARN', before: undefined, after: keyArn, kind: 'added'},
			{key: 'KMS_KEY_ALIAS', before: 'alias/second', after: 'alias/my-app', kind: 'changed'},
			{key: 'AWS_REGION', before: 'us-east-1', after: 'eu-west-1', kind: 'changed'},
			{key: 'KMS_STACK_NAME', before: undefined, after: 'KmsKey', kind: 'added'},
		]);
	});

	it('replaces a multi-line quoted value of a key being set as a whole', () => {
		const existing = 'A=1\nKMS_KEY_ID="line one\nline two"\nB=2\n';
		expect(mergeEnvText(existing, {KMS_KEY_ID: keyId}).text).toBe(
			`A=1\nKMS_KEY_ID="${keyId}"\nB=2\n`,
		);
	});

	it('reports unchanged values and leaves the text alone', () => {
		const existing = `# mine\nexport KMS_KEY_ID="${keyId}" # note\nAWS_REGION=eu-west-1`;
		const {text, changes} = mergeEnvText(existing, {KMS_KEY_ID: keyId, AWS_REGION: 'eu-west-1'});
		expect(text).toBe(existing);
		expect(changes.every((change) => change.kind === 'unchanged')).toBe(true);
	});

	it('fills an empty assignment and keeps a comment right after `=` apart', () => {
		expect(mergeEnvText('A=\nB=# later\n', {A: 'x', B: 'y'}).text).toBe('A=x\nB=y # later\n');
		expect(mergeEnvText('A=   # c\n', {A: 'x'}).text).toBe('A=x   # c\n');
	});

	it('adds the header only once', () => {
		const existing = `${writtenByHeader}\nKMS_KEY_ID=${keyId}\n`;
		expect(mergeEnvText(existing, {AWS_REGION: 'eu-west-1'}).text).toBe(
			`${existing}AWS_REGION=eu-west-1\n`,
		);
	});

	it('does not add a second blank line before the block', () => {
		expect(mergeEnvText('A=1\n\n', {B: '2'}).text).toBe(`A=1\n\n${writtenByHeader}\nB=2\n`);
	});

	it('refuses a merge that would change how dotenv reads another line', () => {
		// `B="#"` would close the quote A left open and swallow the lines in between.
		expect(() => mergeEnvText('A="abc\n', {B: '#'})).toThrow(/unterminated quote/);
	});

	it('refuses key names dotenv cannot read', () => {
		expect(() => mergeEnvText('', {'BAD KEY': 'x'})).toThrow(EnvFileError);
	});
});

describe('encodeEnvValue', () => {
	it.each([
		['alias/my-app', 'alias/my-app'],
		[keyArn, keyArn],
		['', ''],
		['C:\\path', 'C:\\path'],
		['two words', '"two words"'],
		['a#b', '"a#b"'],
		[' padded ', '" padded "'],
		['line1\nline2', '"line1\\nline2"'],
		['say "hi"', `'say "hi"'`],
		['a\\nb c', `'a\\nb c'`],
		[`it's "quoted"`, '`it\'s "quoted"`'],
	])('writes %j as %s', (value, encoded) => {
		expect(encodeEnvValue('K', value)).toBe(encoded);
		expect(parse(`K=${encoded}`).K).toBe(value);
	});

	it('refuses values no spelling round-trips', () => {
		expect(() => encodeEnvValue('K', 'a\n"b')).toThrow(EnvFileError);
		expect(() => encodeEnvValue('K', `'"\` x`)).toThrow(/cannot be written/);
	});
});

describe('describeEnvChanges', () => {
	it('prints one line per added or changed key', () => {
		expect(
			describeEnvChanges([
				{key: 'KMS_KEY_ID', before: undefined, after: keyId, kind: 'added'},
				{key: 'AWS_REGION', before: 'us-east-1', after: 'eu-west-1', kind: 'changed'},
				{key: 'KMS_STACK_NAME', before: 'KmsKey', after: 'KmsKey', kind: 'unchanged'},
				{key: 'NOTE', before: 'a\nb', after: '', kind: 'changed'},
			]),
		).toEqual([
			`+ KMS_KEY_ID=${keyId}`,
			'~ AWS_REGION: us-east-1 → eu-west-1',
			'~ NOTE: a\\nb → ""',
		]);
	});
});

describe('planEnvMerge + writeEnvMerge', () => {
	it('creates a missing file with mode 0600 and no backup', async () => {
		const file = path.join(dir, '.env');
		const plan = await planEnvMerge(file, outputs);
		expect(plan.exists).toBe(false);
		expect(plan.before).toBe('');
		const result = await writeEnvMerge(plan);
		expect(result).toEqual({written: true});
		expect((await stat(file)).mode & 0o777).toBe(0o600);
		expect(await readFile(file, 'utf8')).toBe(plan.after);
		expect(await readdir(dir)).toEqual(['.env']);
		expect(await readEnvValue(file, 'KMS_KEY_ARN')).toBe(keyArn);
	});

	it('merges into an empty file, keeping its mode and backing it up', async () => {
		const file = path.join(dir, '.env');
		await writeFile(file, '', {mode: 0o644});
		await chmod(file, 0o644);
		const result = await writeEnvMerge(await planEnvMerge(file, outputs));
		expect(result).toEqual({written: true, backupPath: `${file}.bak`});
		expect((await stat(file)).mode & 0o777).toBe(0o644);
		expect(await readFile(`${file}.bak`, 'utf8')).toBe('');
		expect(parse(await readFile(file))).toEqual(outputs);
	});

	it('rewrites a real file keeping other lines byte for byte, with an exact backup', async () => {
		const file = path.join(dir, '.env');
		const original = [
			'# comment',
			'',
			'export KEEP="a b" # why',
			'KMS_KEY_ID=old',
			'MULTI="x',
			'AWS_REGION=us-east-1',
			'y"',
			'AWS_REGION=us-east-1',
		].join('\r\n');
		await writeFile(file, original);
		await chmod(file, 0o640);
		const plan = await planEnvMerge(file, outputs);
		const result = await writeEnvMerge(plan);
		expect(result.backupPath).toBe(`${file}.bak`);
		expect(await readFile(`${file}.bak`, 'utf8')).toBe(original);
		expect((await stat(`${file}.bak`)).mode & 0o777).toBe(0o640);
		expect((await stat(file)).mode & 0o777).toBe(0o640);
		const written = await readFile(file, 'utf8');
		expect(written).toBe(plan.after);
		const before = original.split('\r\n');
		const after = written.split('\r\n');
		for (const index of [0, 1, 2, 4, 5, 6]) expect(after[index]).toBe(before[index]);
		expect(after[3]).toBe(`KMS_KEY_ID=${keyId}`);
		expect(after[7]).toBe('AWS_REGION=eu-west-1');
		expect(parse(written)).toEqual({KEEP: 'a b', MULTI: 'x\nAWS_REGION=us-east-1\ny', ...outputs});
		// No temp file is left behind.
		expect((await readdir(dir)).sort()).toEqual(['.env', '.env.bak']);
	});

	it('writes nothing when every value is already set', async () => {
		const file = path.join(dir, '.env');
		await writeFile(file, mergeEnvText('# mine\n', outputs).text);
		const old = new Date('2020-01-01T00:00:00Z');
		await utimes(file, old, old);
		const plan = await planEnvMerge(file, outputs);
		expect(plan.after).toBe(plan.before);
		expect(await writeEnvMerge(plan)).toEqual({written: false});
		expect((await stat(file)).mtimeMs).toBe(old.getTime());
		expect(await readdir(dir)).toEqual(['.env']);
	});

	it('refuses a read-only file and leaves everything as it was', async () => {
		const file = path.join(dir, '.env');
		await writeFile(file, 'A=1\n');
		await chmod(file, 0o444);
		const plan = await planEnvMerge(file, outputs);
		const error = await expectEnvFileError(writeEnvMerge(plan));
		expect(error.code).toBe('read-only');
		expect(error.message).toContain(file);
		expect(error.message).toContain('is read-only');
		expect(error.message).toContain('chmod u+w');
		expect(await readFile(file, 'utf8')).toBe('A=1\n');
		expect(await readdir(dir)).toEqual(['.env']);
	});

	it('refuses when the directory is read-only', async () => {
		const file = path.join(dir, '.env');
		await writeFile(file, 'A=1\n');
		const plan = await planEnvMerge(file, outputs);
		await chmod(dir, 0o555);
		const error = await expectEnvFileError(writeEnvMerge(plan));
		expect(error.code).toBe('read-only');
		expect(error.message).toContain(dir);
		await chmod(dir, 0o755);
		expect(await readFile(file, 'utf8')).toBe('A=1\n');
		expect(await readdir(dir)).toEqual(['.env']);
	});

	it('refuses when the file changed after the plan', async () => {
		const file = path.join(dir, '.env');
		await writeFile(file, 'A=1\n');
		const plan = await planEnvMerge(file, outputs);
		await writeFile(file, 'A=2\n');
		const error = await expectEnvFileError(writeEnvMerge(plan));
		expect(error.code).toBe('changed-on-disk');
		expect(error.message).toContain('kms-tui outputs --write-env');
		expect(await readFile(file, 'utf8')).toBe('A=2\n');
		expect(await readdir(dir)).toEqual(['.env']);
	});

	it('refuses when the file appeared after planning to create it', async () => {
		const file = path.join(dir, '.env');
		const plan = await planEnvMerge(file, outputs);
		await writeFile(file, 'MINE=1\n');
		const error = await expectEnvFileError(writeEnvMerge(plan));
		expect(error.code).toBe('changed-on-disk');
		expect(await readFile(file, 'utf8')).toBe('MINE=1\n');
	});

	it('refuses a directory', async () => {
		const target = path.join(dir, 'env-dir');
		await mkdir(target);
		expect((await expectEnvFileError(planEnvMerge(target, outputs))).code).toBe('is-directory');
		const plan = {path: target, exists: true, before: '', after: 'A=1\n', changes: []};
		const error = await expectEnvFileError(writeEnvMerge(plan));
		expect(error.code).toBe('is-directory');
		expect(error.message).toContain(target);
	});

	it('refuses a FIFO (or device) without reading or replacing it', async () => {
		// A FIFO stands in for --env-file /dev/null: same check, and a regression cannot break /dev.
		const target = path.join(dir, 'env-pipe');
		execFileSync('mkfifo', [target]);
		const error = await expectEnvFileError(planEnvMerge(target, outputs));
		expect(error.code).toBe('not-a-file');
		expect(error.message).toContain('not a regular file');
		const plan = {path: target, exists: true, before: '', after: 'A=1\n', changes: []};
		expect((await expectEnvFileError(writeEnvMerge(plan))).code).toBe('not-a-file');
		expect((await lstat(target)).isFIFO()).toBe(true);
		expect(await readdir(dir)).not.toContain('env-pipe.bak');
		// Reading a value from it (--env-file /dev/null: "no .env") finds none, without blocking.
		expect(await readEnvValue(target, 'KMS_KEY_ID')).toBeUndefined();
	});

	it('refuses when the directory is missing', async () => {
		const file = path.join(dir, 'nope', '.env');
		const plan = await planEnvMerge(file, outputs);
		expect((await expectEnvFileError(writeEnvMerge(plan))).code).toBe('missing-directory');
	});

	it('refuses a file that is not UTF-8', async () => {
		const file = path.join(dir, '.env');
		await writeFile(file, Buffer.from([0x41, 0x3d, 0xff, 0x0a]));
		expect((await expectEnvFileError(planEnvMerge(file, outputs))).code).toBe('invalid-encoding');
	});

	it('updates the target of a symlink and keeps the link', async () => {
		const real = path.join(dir, 'real.env');
		const link = path.join(dir, '.env');
		await writeFile(real, 'A=1\n');
		await symlink('real.env', link);
		const result = await writeEnvMerge(await planEnvMerge(link, {A: '2'}));
		expect(result.backupPath).toBe(`${real}.bak`);
		expect(await readFile(real, 'utf8')).toBe('A=2\n');
		expect(await readEnvValue(link, 'A')).toBe('2');
		expect((await readdir(dir)).sort()).toEqual(['.env', 'real.env', 'real.env.bak']);
	});
});

describe('readEnvValue', () => {
	it('reads the effective value, or undefined', async () => {
		const file = path.join(dir, '.env');
		expect(await readEnvValue(file, 'A')).toBeUndefined();
		await writeFile(file, 'A=1\nA=2\nM="x\ny"\n');
		expect(await readEnvValue(file, 'A')).toBe('2');
		expect(await readEnvValue(file, 'M')).toBe('x\ny');
		expect(await readEnvValue(file, 'B')).toBeUndefined();
		expect(await readEnvValue(file, 'constructor')).toBeUndefined();
	});
});

describe('properties', () => {
	const targets = Object.keys(outputs);
	const text = (chars: string) =>
		fc.string({unit: fc.constantFrom(...chars.split('')), maxLength: 12});
	const unrelatedKey = fc
		.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/)
		.filter((key) => !targets.includes(key));
	const comment = text('abc xyz=#"\'').map((body) => `# ${body}`);
	const blank = fc.constantFrom('', '  ', '\t');
	const assignment = fc
		.record({
			exported: fc.boolean(),
			key: unrelatedKey,
			value: text('abcXYZ019/:-_.'),
			quote: fc.constantFrom('', '"', "'"),
			inline: fc.option(text('abc #'), {nil: undefined}),
		})
		.map(
			({exported, key, value, quote, inline}) =>
				`${exported ? 'export ' : ''}${key}=${quote}${value}${quote}${inline === undefined ? '' : ` # ${inline}`}`,
		);
	const target = fc
		.record({key: fc.constantFrom(...targets), value: text('abc019/-')})
		.map(({key, value}) => `${key}=${value}`);
	const newValue = fc.string({maxLength: 20}).filter((value) => {
		try {
			encodeEnvValue('K', value);
			return true;
		} catch {
			return false;
		}
	});
	/** Lines without terminators; a final newline ends the last line, it does not start one. */
	const linesOf = (input: string, eol: string) => {
		const lines = input === '' ? [] : input.split(eol);
		if (lines.at(-1) === '') lines.pop();
		return lines;
	};
	const isTarget = (line: string) => targets.some((key) => line.startsWith(`${key}=`));

	it('keeps non-target lines byte for byte and makes the new values effective', () => {
		fc.assert(
			fc.property(
				fc.array(fc.oneof(comment, blank, assignment, target), {maxLength: 12}),
				fc.constantFrom('\n', '\r\n'),
				fc.boolean(),
				fc.dictionary(fc.constantFrom(...targets), newValue, {minKeys: 1}),
				(lines, eol, finalNewline, values) => {
					const existing = lines.join(eol) + (finalNewline && lines.length > 0 ? eol : '');
					const {text: merged} = mergeEnvText(existing, values);
					const before = parse(existing);
					const after = parse(merged);
					for (const [key, value] of Object.entries(values)) expect(after[key]).toBe(value);
					for (const key of Object.keys(before)) {
						if (!(key in values)) expect(after[key]).toBe(before[key]);
					}
					// A file without any line ending has none to copy, so it gets \n.
					const style = existing.includes(eol) ? eol : '\n';
					// The final-newline style is kept (an empty file gets one).
					expect(merged.endsWith(style)).toBe(existing === '' || existing.endsWith(eol));
					const kept = linesOf(existing, style).filter((line) => !isTarget(line));
					const result = linesOf(merged, style).filter((line) => !isTarget(line));
					expect(result.slice(0, kept.length)).toEqual(kept);
					const rest = result.slice(kept.length);
					expect(rest.every((line) => line === '' || line === writtenByHeader)).toBe(true);
					expect(rest.filter((line) => line === writtenByHeader).length).toBeLessThanOrEqual(1);
				},
			),
			{numRuns: 300},
		);
	});

	it('scans the same assignments as dotenv parse()', () => {
		fc.assert(
			fc.property(
				fc.string({
					unit: fc.constantFrom('A', 'B', '=', ':', ' ', '"', "'", '`', '#', '\n', '\r', 'x', '\\'),
					maxLength: 40,
				}),
				(input) => {
					expect([...scanAssignments(input).keys()].sort()).toEqual(
						Object.keys(parse(input)).sort(),
					);
				},
			),
			{numRuns: 500},
		);
	});

	it('either merges arbitrary text correctly or refuses with EnvFileError', () => {
		fc.assert(
			fc.property(
				fc.string({
					unit: fc.constantFrom('A', 'B', '=', ' ', '"', "'", '#', '\n', '\r\n', 'x', 'export '),
					maxLength: 30,
				}),
				fc.dictionary(fc.constantFrom('A', 'B', 'C'), newValue, {minKeys: 1}),
				(input, values) => {
					let merged: string;
					try {
						merged = mergeEnvText(input, values).text;
					} catch (error) {
						expect(error).toBeInstanceOf(EnvFileError);
						return;
					}
					const after = parse(merged);
					for (const [key, value] of Object.entries(values)) expect(after[key]).toBe(value);
				},
			),
			{numRuns: 500},
		);
	});
});
