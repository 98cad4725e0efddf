/**
 * Flag declarations, and the scanner and readers the command registry (registry.ts) runs them
 * through. A flag is declared once — type, value name, help, default — and that one declaration
 * gives its TypeScript type (FlagValues), its parsing, its check and its line in `--help`.
 *
 * Why node:util parseArgs rather than meow: kms-tui needs exactly what parseArgs's tokens give
 * (long and short flags, `--name=value`, short groups, `--`, repeats) and wants to say every
 * error itself — which command a flag belongs to, "did you mean", "needs a path", "is not a
 * number" — while meow answers "Unknown flag --jsn" on its own, turns `--period abc` into NaN and
 * lets `--key --json` or a trailing `-o` pass as an empty value. parseArgs is built into Node, so
 * it also takes meow and its bundled dependencies (~150 kB, and a build patch to keep them from
 * costing ~20 ms of every start) out of the load path.
 */
import {parseArgs} from 'node:util';
import {splitPair} from '../pairs.js';
import {terminalSafeLine} from '../terminal-text.js';
import {UsageError} from './command-error.js';

type CommonFlag = {
	readonly help: string;
	/** One letter: `-o`. */
	readonly short?: string;
	/** Other long names that mean the same flag (not shown in help). */
	readonly aliases?: readonly string[];
	/** For a command with actions: the actions that take this flag (all of them when absent). */
	readonly actions?: readonly string[];
};

export type BooleanFlag = CommonFlag & {readonly type: 'boolean'};

type ValueFlag = CommonFlag & {
	/** The value's name in help: `--key ID|ALIAS`. */
	readonly value: string;
	/** What a missing value is called: "-o needs a path". */
	readonly needs: string;
};

export type StringFlag = ValueFlag & {
	readonly type: 'string';
	readonly default?: string;
	readonly choices?: readonly string[];
};

export type IntegerFlag = ValueFlag & {
	readonly type: 'integer';
	/** Shown when the value is not a number: "e.g. --period 180". */
	readonly example: string;
	readonly min?: number;
	readonly max?: number;
};

/** Repeatable `KEY=VALUE`: --context, --param. Read into a map that stores any name exactly. */
export type PairsFlag = ValueFlag & {readonly type: 'pairs'};

/** A repeatable value, read into a list in the order given (encrypt's --key). */
export type StringsFlag = ValueFlag & {readonly type: 'strings'};

export type FlagSpec = BooleanFlag | StringFlag | IntegerFlag | PairsFlag | StringsFlag;
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type StringValue<S extends StringFlag> = S extends {readonly choices: readonly (infer C)[]}
	? C
	: string;

type ValueOf<S extends FlagSpec> = S extends BooleanFlag
	? boolean
	: S extends IntegerFlag
		? number | undefined
		: S extends PairsFlag
			? Readonly<Record<string, string>>
			: S extends StringsFlag
				? readonly string[]
				: S extends StringFlag
					? S extends {readonly default: string}
						? StringValue<S>
						: StringValue<S> | undefined
					: never;

/** The typed values a command receives for the flags it declared. */
export type FlagValues<F extends FlagSpecs> = {readonly [K in keyof F]: ValueOf<F[K]>};

/** `endpointUrl` → `endpoint-url`: declarations use camelCase keys, the command line kebab-case. */
export function kebab(key: string): string {
	return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** How a flag is named to the user: `--output` (or `-o, --output` in help). */
export function flagName(key: string): string {
	return `--${kebab(key)}`;
}

/** One flag as it appeared on the command line: the name typed first, and every value. */
export type Given = {
	readonly raw: string;
	readonly values: readonly string[];
};

export type Scanned = {
	readonly positionals: readonly string[];
	/** By declaration key, in the order first seen. */
	readonly given: ReadonlyMap<string, Given>;
	/** Flags no command declares, as typed (the registry says so, knowing the command). */
	readonly unknown: readonly string[];
};

/**
 * Splits argv into positionals and flags, knowing every flag any command declares (so that a
 * flag of another command still takes its value and can be named in the error). Refuses values
 * given to switches and missing values; collects unknown flags. Checking which command takes
 * which flag is the registry's job.
 */
export function scanCommandLine(
	argv: readonly string[],
	known: ReadonlyMap<string, FlagSpec>,
): Scanned {
	const options: Record<string, {type: 'string' | 'boolean'; short?: string; multiple: true}> = {};
	const keyByName = new Map<string, string>();
	for (const [key, spec] of known) {
		for (const name of [kebab(key), ...(spec.aliases ?? [])]) {
			keyByName.set(name, key);
			options[name] = {
				type: spec.type === 'boolean' ? 'boolean' : 'string',
				...(spec.short && name === kebab(key) ? {short: spec.short} : {}),
				multiple: true,
			};
		}
	}
	const {tokens} = parseArgs({
		args: [...argv],
		options,
		strict: false,
		allowPositionals: true,
		tokens: true,
	});
	const positionals: string[] = [];
	const given = new Map<string, {raw: string; values: string[]}>();
	const unknown: string[] = [];
	for (const token of tokens) {
		if (token.kind === 'positional') {
			positionals.push(token.value);
			continue;
		}
		if (token.kind !== 'option') continue;
		const key = keyByName.get(token.name);
		const spec = key === undefined ? undefined : known.get(key);
		const raw = terminalSafeLine(token.rawName);
		if (key === undefined || spec === undefined) {
			unknown.push(raw);
			continue;
		}
		const entry = given.get(key) ?? {raw, values: []};
		given.set(key, entry);
		if (spec.type === 'boolean') {
			if (token.value !== undefined)
				throw new UsageError(
					`${raw} is a switch and takes no value (got "${raw}=${terminalSafeLine(token.value)}").`,
				);
			continue;
		}
		const value = token.value;
		const looksLikeFlag =
			value !== undefined &&
			!token.inlineValue &&
			value.length > 1 &&
			value.startsWith('-') &&
			!(spec.type === 'integer' && /^-\d/.test(value));
		if (value === undefined || looksLikeFlag) {
			const after = looksLikeFlag
				? ` (it is followed by ${terminalSafeLine(value)}; a value that starts with - is written ${raw}=${terminalSafeLine(value)})`
				: '';
			throw new UsageError(`${raw} needs ${spec.needs}${after}.`);
		}
		if (value === '') throw new UsageError(`${raw} needs ${spec.needs} (got an empty one).`);
		entry.values.push(value);
	}
	return {positionals, given, unknown};
}

/**
 * Reads the flags of one command into typed values. `given` holds only flags the registry has
 * already checked belong to the command; absent ones get their default.
 */
export function readFlags<F extends FlagSpecs>(
	specs: F,
	given: ReadonlyMap<string, Given>,
): FlagValues<F> {
	const values: Record<string, unknown> = {};
	for (const [key, spec] of Object.entries(specs)) {
		values[key] = readFlag(spec, given.get(key), flagName(key));
	}
	// The one place where the declaration's type meets the values read from it.
	return values as FlagValues<F>;
}

function readFlag(spec: FlagSpec, given: Given | undefined, name: string): unknown {
	const raw = given?.raw ?? name;
	if (spec.type === 'boolean') return given !== undefined;
	if (spec.type === 'pairs') return readPairs(given?.values ?? [], raw);
	if (spec.type === 'strings') return [...(given?.values ?? [])];
	const distinct = [...new Set(given?.values ?? [])];
	if (distinct.length > 1) {
		throw new UsageError(
			`${raw} is given ${distinct.length} different values (${distinct.map((value) => `"${terminalSafeLine(value)}"`).join(', ')}): give it once.`,
		);
	}
	const [value] = distinct;
	if (value === undefined) return spec.type === 'string' ? spec.default : undefined;
	if (spec.type === 'string') {
		if (spec.choices && !spec.choices.includes(value)) {
			throw new UsageError(
				`${raw} must be ${spec.choices.join(' or ')}, not "${terminalSafeLine(value)}".`,
			);
		}
		return value;
	}
	if (!/^[+-]?\d+(\.\d+)?$/.test(value.trim())) {
		throw new UsageError(`${raw}: "${terminalSafeLine(value)}" is not a number.`, {
			hint: `${raw} needs ${spec.needs}, e.g. ${raw} ${spec.example}.`,
		});
	}
	const number = Number(value);
	if (!Number.isSafeInteger(number)) {
		const problem = Number.isInteger(number) ? 'is far too large' : 'is not a whole number';
		throw new UsageError(`${raw}: "${terminalSafeLine(value)}" ${problem}.`, {
			hint: `${raw} needs ${spec.needs}, e.g. ${raw} ${spec.example}.`,
		});
	}
	if (
		(spec.min !== undefined && number < spec.min) ||
		(spec.max !== undefined && number > spec.max)
	) {
		throw new UsageError(`${raw}: ${number} is out of range; give ${spec.min} to ${spec.max}.`);
	}
	return number;
}

/**
 * Repeated `KEY=VALUE` values into a map without a prototype, so that any name — `__proto__`,
 * `constructor` — is stored exactly as given instead of being dropped or shadowed. A repeated name
 * or an empty value is refused: the last one silently winning changed what the user asked for.
 */
export function readPairs(values: readonly string[], flag: string): Record<string, string> {
	const pairs: Record<string, string> = Object.create(null);
	for (const value of values) {
		const pair = splitPair(value);
		const shown = terminalSafeLine(value);
		if ('problem' in pair) {
			throw new UsageError(
				pair.problem === 'not-a-pair'
					? `${flag} expects KEY=VALUE, got "${shown}".`
					: `${flag} ${shown} has an empty value: give ${flag} ${shown}VALUE.`,
			);
		}
		const {key, value: entry} = pair;
		if (Object.hasOwn(pairs, key)) {
			throw new UsageError(
				`${flag} ${terminalSafeLine(key)} is given twice (${terminalSafeLine(`${key}=${pairs[key]}`)} and ${shown}): give each name once.`,
			);
		}
		pairs[key] = entry;
	}
	return pairs;
}

/**
 * The candidate nearest to `word` by optimal string alignment distance (a swap of two neighbours
 * counts once: encrpyt → encrypt), or undefined when none is near enough to be a typo.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
	let best: {candidate: string; distance: number} | undefined;
	for (const candidate of candidates) {
		const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
		if (!best || distance < best.distance) best = {candidate, distance};
	}
	const allowed = Math.max(1, Math.min(3, Math.floor(word.replace(/^-+/, '').length / 3)));
	return best && best.distance <= allowed ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
	const rows = Array.from({length: a.length + 1}, (_, i) =>
		Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
	);
	const at = (i: number, j: number) => rows[i]?.[j] ?? 0;
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
				distance = Math.min(distance, at(i - 2, j - 2) + 1);
			(rows[i] as number[])[j] = distance;
		}
	}
	return at(a.length, b.length);
}
