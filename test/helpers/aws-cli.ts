/**
 * The real AWS CLI (the image's `aws`) pointed at a local endpoint, for the tests that check the
 * sandbox answers it as AWS would: whether it is installed, its environment (dummy credentials,
 * no pager, nothing of the machine's AWS configuration) and one call with its exit status.
 */
import {execFile, spawnSync} from 'node:child_process';
import {promisify} from 'node:util';
import {cleanEnv} from './cli.js';

const exec = promisify(execFile);

export const hasAwsCli = spawnSync('aws', ['--version']).status === 0;

export type AwsCliResult = {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
};

/** The AWS CLI's environment for a test whose home is `dir`. */
export function awsCliEnv(dir: string): NodeJS.ProcessEnv {
	return {
		...cleanEnv(dir),
		AWS_ACCESS_KEY_ID: 'sandbox',
		AWS_SECRET_ACCESS_KEY: 'sandbox',
		AWS_PAGER: '',
	};
}

/** `aws --endpoint-url ENDPOINT --region us-east-1 --output json ARGS…`; never throws on exit ≠ 0. */
export async function runAwsCli(
	endpoint: string,
	env: NodeJS.ProcessEnv,
	args: readonly string[],
): Promise<AwsCliResult> {
	try {
		const {stdout, stderr} = await exec(
			'aws',
			['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args],
			{env},
		);
		return {code: 0, stdout, stderr};
	} catch (error) {
		const failure = error as {code: number; stdout: string; stderr: string};
		return {code: failure.code, stdout: failure.stdout, stderr: failure.stderr};
	}
}
