/**
 * Composition root shared by the CLI and the TUI: turns a Target into live Services, starting
 * the embedded sandbox in-process (ephemeral loopback port) when the target is the sandbox.
 * This is the only module that starts the sandbox.
 */
import {describeTarget, type Target} from './config.js';
import {setDisplayClock} from './format.js';
import {
	type Connection,
	createServices,
	resolveRegion,
	ServiceError,
	type Services,
} from './service/index.js';
import {terminalSafeLine} from './terminal-text.js';

export type Session = {
	readonly target: Target;
	readonly services: Services;
	/** e.g. "target: SANDBOX (local, not AWS) us-east-1, state in …" */
	readonly targetLine: string;
	readonly region?: string;
	/**
	 * "Now" for this target's dates: the sandbox's clock (which `sandbox advance` moves) for the
	 * embedded sandbox, the real clock otherwise. formatDate counts from it while the session is open.
	 */
	now(): number;
	close(): Promise<void>;
};

const sandboxCredentials = {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'};

export async function openSession(
	target: Target,
	env: NodeJS.ProcessEnv = process.env,
): Promise<Session> {
	if (target.kind === 'sandbox') {
		// Loaded only for the sandbox target: AWS and other endpoints never compile its engines.
		const {defaultStackStepMs, isAwsRegion, startSandbox} = await import('./sandbox/index.js');
		// The sandbox refuses requests signed for made-up regions; say so before starting it.
		if (!isAwsRegion(target.region)) {
			throw new ServiceError(
				'validation',
				`"${terminalSafeLine(target.region)}" is not an AWS region name; the sandbox serves real region names only.`,
				'Pass --region with an AWS region such as us-east-1 or eu-west-1 (or set AWS_REGION).',
			);
		}
		const stepEnv = env.KMS_TUI_SANDBOX_STEP_MS;
		const sandbox = await startSandbox({
			dir: target.sandboxDir,
			port: 0,
			defaultRegion: target.region,
			stackStepMs: stepEnv === undefined ? defaultStackStepMs : Number(stepEnv),
		});
		const services = createServices({
			region: target.region,
			endpoint: sandbox.endpoint,
			staticCredentials: sandboxCredentials,
			isLocal: true,
		});
		const restoreClock = setDisplayClock(sandbox.now);
		return {
			target,
			services,
			targetLine: describeTarget(target),
			region: target.region,
			now: sandbox.now,
			close: async () => {
				restoreClock();
				services.close();
				await sandbox.close();
			},
		};
	}
	if (target.kind === 'aws' && !target.region) {
		const region = await resolveRegion(target.profile);
		if (!region) {
			throw new ServiceError(
				'no-region',
				`No AWS region is configured${target.profile ? ` for profile ${target.profile}` : ''}, so kms-tui does not know where your keys are.`,
				'Pass --region (e.g. --region eu-west-1), set AWS_REGION, or set a region in your profile; use --sandbox to try kms-tui without AWS.',
			);
		}
		return openSession({...target, region}, env);
	}
	const connection: Connection =
		target.kind === 'endpoint'
			? {
					region: target.region,
					endpoint: target.endpoint,
					profile: target.profile,
					// Local emulators accept any credentials; use real ones only when some are configured.
					staticCredentials:
						env.AWS_ACCESS_KEY_ID || target.profile || env.AWS_PROFILE
							? undefined
							: sandboxCredentials,
					isLocal: true,
				}
			: {region: target.region, profile: target.profile, isLocal: false};
	const services = createServices(connection);
	return {
		target,
		services,
		targetLine: describeTarget(target),
		region: target.region,
		now: Date.now,
		close: async () => services.close(),
	};
}
