/**
 * Reading a template: JSON first, then YAML with CloudFormation's short-form tags (turned into
 * their long forms, so the result is plain JSON that the state can store), then the structural
 * checks CloudFormation makes before it touches any resource ("Template format error: …").
 */
import type {Tags} from 'yaml';
import {AwsError} from '../context.js';
import {checkTemplate} from './template-checks.js';

export type ResourceDeclaration = {
	Type: string;
	Properties?: Record<string, unknown>;
	DependsOn?: string | string[];
	Condition?: string;
	DeletionPolicy?: string;
	UpdateReplacePolicy?: string;
	Metadata?: unknown;
};

export type OutputDeclaration = {
	Value: unknown;
	Description?: string;
	Condition?: string;
	Export?: {Name: unknown};
};

export type Template = {
	AWSTemplateFormatVersion?: string;
	Description?: string;
	Parameters: Record<string, Record<string, unknown>>;
	Mappings: Record<string, unknown>;
	Conditions: Record<string, unknown>;
	Resources: Record<string, ResourceDeclaration>;
	Outputs: Record<string, OutputDeclaration>;
};

export const maxTemplateBytes = 51_200;

const sections = [
	'AWSTemplateFormatVersion',
	'Description',
	'Metadata',
	'Parameters',
	'Rules',
	'Mappings',
	'Conditions',
	'Transform',
	'Resources',
	'Outputs',
];
export const resourceAttributes = [
	'Type',
	'Properties',
	'DependsOn',
	'Condition',
	'DeletionPolicy',
	'UpdateReplacePolicy',
	'Metadata',
	'CreationPolicy',
	'UpdatePolicy',
];
const shortForms = [
	'Ref',
	'GetAtt',
	'Sub',
	'Join',
	'Select',
	'Split',
	'Base64',
	'FindInMap',
	'If',
	'Equals',
	'Not',
	'And',
	'Or',
	'Condition',
	'GetAZs',
	'ImportValue',
	'Cidr',
	'Length',
	'ToJsonString',
	'Transform',
];

function longForm(name: string, value: unknown): Record<string, unknown> {
	if (name === 'Ref' || name === 'Condition') {
		return {[name]: value};
	}
	if (name === 'GetAtt' && typeof value === 'string') {
		const dot = value.indexOf('.');
		return {'Fn::GetAtt': dot > 0 ? [value.slice(0, dot), value.slice(dot + 1)] : value};
	}
	return {[`Fn::${name}`]: value};
}

// Each short form may tag a scalar, a sequence or a mapping (e.g. `!Sub` with a variable map).
const customTags: Tags = shortForms.flatMap((name) => [
	{tag: `!${name}`, resolve: (value: string) => longForm(name, value)},
	{
		tag: `!${name}`,
		collection: 'seq' as const,
		resolve: (seq: {toJSON(): unknown}) => longForm(name, seq.toJSON()),
	},
	{
		tag: `!${name}`,
		collection: 'map' as const,
		resolve: (map: {toJSON(): unknown}) => longForm(name, map.toJSON()),
	},
]) as unknown as Tags;

/**
 * The YAML parser loads with the first CloudFormation request instead of with every sandbox
 * start: compiling it is ~30 ms of CPU, and most commands (encrypt, decrypt, key…) never parse
 * a template. The server awaits this before a CloudFormation request's transaction.
 */
type Yaml = typeof import('yaml');
let yaml: Yaml | undefined;
export async function loadTemplateParser(): Promise<void> {
	// yaml is CommonJS: the bundle's split chunk exports it as `default` only, Node's import
	// gives both the default and the names.
	const loaded = (await import('yaml')) as Yaml & {default?: Yaml};
	yaml ??= loaded.default ?? loaded;
}

export function formatError(message: string): AwsError {
	return new AwsError('ValidationError', `Template format error: ${message}`);
}

function parseText(body: string): unknown {
	try {
		return JSON.parse(body);
	} catch {
		// Not JSON: YAML below. A body that starts like JSON gets the JSON message if YAML fails too.
	}
	if (!yaml) throw new Error('loadTemplateParser() must finish before a template is parsed');
	const document = yaml.parseDocument(body, {customTags, logLevel: 'silent'});
	const problem = document.errors[0] ?? document.warnings[0];
	if (problem) {
		const position = problem.linePos?.[0];
		const where = position ? ` (line ${position.line}, column ${position.col})` : '';
		const kind = body.trimStart().startsWith('{') ? 'JSON' : 'YAML';
		const detail =
			problem.code === 'TAG_RESOLVE_FAILED' ? ` ${problem.message.split(' at line')[0]}.` : '';
		throw formatError(`${kind} not well-formed.${where}${detail}`);
	}
	return document.toJS({maxAliasCount: 100});
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function section(template: Record<string, unknown>, name: string): Record<string, unknown> {
	const value = template[name];
	if (value === undefined || value === null) {
		return {};
	}
	if (!isObject(value)) {
		throw formatError(`Every ${name} member must be an object.`);
	}
	return value;
}

/** Parses and checks a TemplateBody; every problem is a ValidationError with AWS's wording. */
export function parseTemplate(body: string): Template {
	if (Buffer.byteLength(body, 'utf8') > maxTemplateBytes) {
		throw new AwsError(
			'ValidationError',
			`1 validation error detected: Value '${body.slice(0, 20)}...' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${maxTemplateBytes}`,
		);
	}
	const parsed = parseText(body);
	if (!isObject(parsed)) {
		throw formatError('unsupported structure.');
	}
	const unknown = Object.keys(parsed).filter((key) => !sections.includes(key));
	if (unknown.length > 0) {
		throw formatError(`Invalid template property or properties [${unknown.join(', ')}]`);
	}
	const version = parsed.AWSTemplateFormatVersion;
	if (version !== undefined && version !== '2010-09-09') {
		throw formatError(`Unsupported template format version ${String(version)}`);
	}
	if (parsed.Transform !== undefined) {
		throw formatError(
			'Transform is not supported by the kms-tui sandbox: deploy templates without macros or transforms.',
		);
	}
	if (parsed.Description !== undefined && typeof parsed.Description !== 'string') {
		throw formatError('Every Description member must be a string.');
	}
	const template: Template = {
		...(typeof version === 'string' ? {AWSTemplateFormatVersion: version} : {}),
		...(typeof parsed.Description === 'string' ? {Description: parsed.Description} : {}),
		Parameters: section(parsed, 'Parameters') as Template['Parameters'],
		Mappings: section(parsed, 'Mappings'),
		Conditions: section(parsed, 'Conditions'),
		Resources: section(parsed, 'Resources') as Template['Resources'],
		Outputs: section(parsed, 'Outputs') as Template['Outputs'],
	};
	checkTemplate(template);
	return template;
}
