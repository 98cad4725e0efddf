/**
 * renderWithApp: a screen (or the whole app) inside the real providers, against real services.
 * screenServices: Services for a test sandbox, built the way the app builds them.
 */
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {CreateKeyCommand} from '@aws-sdk/client-kms';
import {cleanup, render} from 'ink-testing-library';
import type {ReactElement} from 'react';
import {afterAll, afterEach, beforeAll, onTestFinished} from 'vitest';
import {AppProviders, screenFor} from '../../source/app.js';
import {Shell} from '../../source/components/shell.js';
import {describeTarget, type Target} from '../../source/config.js';
import type {AppContextValue, Settings, TargetKind} from '../../source/hooks/use-app-context.js';
import type {Route} from '../../source/navigation/routes.js';
import {createServices, type Services} from '../../source/service/index.js';
import {startTestSandbox, type TestSandbox} from './sandbox.js';

export function sandboxServices(
	sandbox: Pick<TestSandbox, 'endpoint' | 'region'>,
	options: {maxAttempts?: number} = {},
): Services {
	return createServices({
		region: sandbox.region,
		endpoint: sandbox.endpoint,
		staticCredentials: {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'},
		isLocal: true,
		pollMs: 50,
		...options,
	});
}

/**
 * The set-up every screen-test file shares: one sandbox (stack steps at once) and its services,
 * started before the file's tests and closed after them, with Ink's frames cleaned up between
 * tests. `onStart` receives both once they are up.
 */
export function screenSandbox(
	onStart: (started: {sandbox: TestSandbox; services: Services}) => void,
): void {
	let started: {sandbox: TestSandbox; services: Services} | undefined;
	beforeAll(async () => {
		const sandbox = await startTestSandbox({stackStepMs: 0});
		started = {sandbox, services: sandboxServices(sandbox)};
		onStart(started);
	});
	afterAll(async () => {
		started?.services.close();
		await started?.sandbox.close();
	});
	afterEach(cleanup);
}

/**
 * Settings rooted in a fresh temp directory (so .env writes never touch the repo), removed when
 * the test that asked for it finishes. Call it inside a test.
 */
export async function testSettings(overrides: Partial<Settings> = {}): Promise<Settings> {
	let cwd = overrides.cwd;
	if (cwd === undefined) {
		const dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-screen-'));
		onTestFinished(() => rm(dir, {recursive: true, force: true}));
		cwd = dir;
	}
	return {
		// The sandbox in its default directory, so hints carry no --sandbox-dir unless a test sets one.
		target: {kind: 'sandbox', region: 'us-east-1', sandboxDir: '/tmp/sandbox'},
		defaultSandboxDir: '/tmp/sandbox',
		stackName: 'KmsKey',
		envFile: '.env',
		readOnly: false,
		...overrides,
		cwd,
	};
}

export type RenderOptions = {
	readonly services: Services;
	readonly settings: Settings;
	readonly targetKind?: TargetKind;
	readonly isColor?: boolean;
	/** Open this route on top of Home, as if the user had pressed Enter on it. */
	readonly route?: Route;
	/** Terminal width (ink-testing-library's stdout is 100 columns unless told otherwise). */
	readonly columns?: number;
	/** Terminal height (the app takes 24 when the stdout says none, as ink-testing-library's). */
	readonly rows?: number;
};

/** Stand-in targets for `targetKind` (the services stay the test sandbox's). */
const targetsByKind: Record<TargetKind, Target> = {
	sandbox: {kind: 'sandbox', region: 'us-east-1', sandboxDir: '/tmp/sandbox'},
	aws: {kind: 'aws', region: 'eu-west-1', profile: 'dev'},
	endpoint: {
		kind: 'endpoint',
		region: 'us-east-1',
		endpoint: 'http://127.0.0.1:4566',
		endpointSource: '--endpoint-url',
	},
};

export function appContext(options: RenderOptions): AppContextValue {
	// `targetKind` overrides the settings' target, so the header and the CLI hints agree.
	const target =
		options.targetKind && options.targetKind !== options.settings.target.kind
			? targetsByKind[options.targetKind]
			: options.settings.target;
	return {
		services: options.services,
		settings: {...options.settings, target},
		targetLine: describeTarget(target),
		targetKind: target.kind,
		isColor: options.isColor ?? true,
	};
}

/**
 * Renders inside the real providers and shell. Without an element: the whole app (Home, or
 * `route` on top of Home). With one: that element stands in for the top screen; popping back
 * shows the real Home.
 */
export function renderWithApp(element: ReactElement | undefined, options: RenderOptions) {
	const top: Route = options.route ?? {name: 'home'};
	const initialRoutes: Route[] = top.name === 'home' ? [top] : [{name: 'home'}, top];
	const instance = render(
		<AppProviders context={appContext(options)} initialRoutes={initialRoutes}>
			<Shell renderScreen={(route) => (element && route === top ? element : screenFor(route))} />
		</AppProviders>,
	);
	if (options.rows !== undefined) {
		const {rows} = options;
		Object.defineProperty(instance.stdout, 'rows', {configurable: true, get: () => rows});
	}
	if (options.columns !== undefined || options.rows !== undefined)
		resize(instance.stdout, options.columns ?? instance.stdout.columns);
	return instance;
}

/** Changes the fake terminal's width and tells ink, as a real terminal's SIGWINCH would. */
export function resize(stdout: NodeJS.EventEmitter, columns: number): void {
	Object.defineProperty(stdout, 'columns', {configurable: true, get: () => columns});
	stdout.emit('resize');
}

const templatePath = fileURLToPath(new URL('../../KmsKey.yaml', import.meta.url));

/** Deploys KmsKey.yaml directly through the service (a test's "given a stack"). */
export async function deployStack(
	services: Services,
	stackName: string,
	parameters: Record<string, string> = {},
) {
	const result = await services.stacks.deploy({
		stackName,
		templateBody: await readFile(templatePath, 'utf8'),
		parameters,
		confirm: async () => true,
	});
	if (result.outcome !== 'succeeded') throw new Error(`deploy ${stackName}: ${result.outcome}`);
	return {stack: result.stack, keyId: result.stack.outputs.KeyId ?? ''};
}

/** A fresh key, created straight through KMS (no stack needed). */
export async function createKey(
	sandbox: TestSandbox,
	description = 'screen test key',
): Promise<string> {
	const output = await sandbox.kms().send(new CreateKeyCommand({Description: description}));
	return output.KeyMetadata?.KeyId ?? '';
}
