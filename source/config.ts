/**
 * Flags + environment → Config. Pure apart from checking whether ~/.aws files exist.
 *
 * Target resolution follows DESIGN §2: `--sandbox` wins; an endpoint flag or AWS_ENDPOINT_URL*
 * picks the endpoint target; `--profile`/`--region` or any sign of AWS configuration picks real
 * AWS; with no sign of AWS at all a newcomer lands in the sandbox.
 */
import {existsSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {UsageError} from './commands/command-error.js';

export type Target =
	| {readonly kind: 'sandbox'; readonly region: string; readonly sandboxDir: string}
	| {readonly kind: 'aws'; readonly region?: string; readonly profile?: string}
	| {
			readonly kind: 'endpoint';
			readonly region: string;
			readonly profile?: string;
			/** Undefined when the endpoint comes from AWS_ENDPOINT_URL*, which the SDK reads itself. */
			readonly endpoint?: string;
			readonly endpointSource: string;
	  };

export type TargetFlags = {
	readonly sandbox?: boolean;
	readonly profile?: string;
	readonly region?: string;
	readonly endpointUrl?: string;
	readonly sandboxDir?: string;
};

const endpointVariables = [
	'AWS_ENDPOINT_URL',
	'AWS_ENDPOINT_URL_KMS',
	'AWS_ENDPOINT_URL_CLOUDFORMATION',
];

/** Variables that mean "this machine is set up for AWS". Unrelated ones (AWS_CA_BUNDLE…) do not count. */
const awsSignVariables = [
	'AWS_ACCESS_KEY_ID',
	'AWS_PROFILE',
	'AWS_REGION',
	'AWS_DEFAULT_REGION',
	'AWS_WEB_IDENTITY_TOKEN_FILE',
	'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
	'AWS_CONTAINER_CREDENTIALS_FULL_URI',
];

export function awsConfigFiles(env: NodeJS.ProcessEnv): string[] {
	const home = homedir();
	return [
		env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
		env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
	];
}

export function resolveTarget(
	flags: TargetFlags,
	env: NodeJS.ProcessEnv,
	defaultSandboxDir: string,
	fileExists: (file: string) => boolean = existsSync,
): Target {
	if (flags.sandbox && (flags.endpointUrl || flags.profile)) {
		throw new UsageError(
			'--sandbox cannot be combined with --endpoint-url or --profile: choose one target.',
		);
	}
	const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
	if (flags.sandbox) {
		return {
			kind: 'sandbox',
			region: flags.region ?? 'us-east-1',
			sandboxDir: flags.sandboxDir ?? defaultSandboxDir,
		};
	}
	if (flags.endpointUrl) {
		assertUrl(flags.endpointUrl, '--endpoint-url');
		return {
			kind: 'endpoint',
			region: region ?? 'us-east-1',
			profile: flags.profile,
			endpoint: flags.endpointUrl,
			endpointSource: '--endpoint-url',
		};
	}
	const fromEnv = endpointVariables.find((name) => env[name]);
	if (fromEnv) {
		assertUrl(env[fromEnv] ?? '', fromEnv);
		return {
			kind: 'endpoint',
			region: region ?? 'us-east-1',
			profile: flags.profile,
			endpointSource: fromEnv,
		};
	}
	const hasAwsSigns =
		flags.profile !== undefined ||
		flags.region !== undefined ||
		awsSignVariables.some((name) => env[name]) ||
		awsConfigFiles(env).some((file) => fileExists(file));
	if (hasAwsSigns) return {kind: 'aws', region, profile: flags.profile ?? env.AWS_PROFILE};
	return {kind: 'sandbox', region: 'us-east-1', sandboxDir: flags.sandboxDir ?? defaultSandboxDir};
}

/** The one line that tells the user where their keys live (stderr for the CLI, header for the TUI). */
export function describeTarget(target: Target, endpoint?: string): string {
	switch (target.kind) {
		case 'sandbox': {
			return `target: SANDBOX (local, not AWS) ${target.region}, state in ${target.sandboxDir}`;
		}
		case 'aws': {
			const profile = target.profile ? `profile ${target.profile}` : 'default credentials';
			return `target: AWS ${target.region ?? '(region from profile)'}, ${profile}`;
		}
		case 'endpoint': {
			return `target: endpoint ${endpoint ?? target.endpoint ?? `from ${target.endpointSource}`} (${target.region})`;
		}
	}
}

function assertUrl(value: string, source: string): void {
	try {
		const url = new URL(value);
		if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
	} catch {
		throw new UsageError(
			`${source} "${value}" is not an http(s) URL. Example: http://127.0.0.1:4566`,
		);
	}
}

/**
 * The installed kms-tui package's directory: the nearest folder above this module whose
 * package.json names kms-tui. Works from source/ (tests) and from any dist/ chunk.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
	let dir = path.dirname(from);
	for (;;) {
		try {
			const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
				name?: string;
			};
			if (manifest.name === 'kms-tui') return dir;
		} catch {
			// No package.json here: keep climbing.
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`kms-tui's package.json was not found above ${from}`);
		dir = parent;
	}
}

/** KmsKey.yaml in the working directory, else the one shipped with kms-tui. */
export function defaultTemplatePath(cwd = process.cwd()): string {
	const local = path.join(cwd, 'KmsKey.yaml');
	return existsSync(local) ? local : path.join(packageRoot(), 'KmsKey.yaml');
}
