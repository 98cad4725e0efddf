/**
 * The real AWS CLI (on the image) against `kms-tui sandbox serve`: it must not be able to tell
 * the sandbox from AWS for what kms-tui does, including `cloudformation deploy`'s change-set flow.
 */
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {awsCliEnv, hasAwsCli, runAwsCli} from '../helpers/aws-cli.js';
import {cleanEnv, cliNode, cliPath, nextEpochSecond} from '../helpers/cli.js';

if (!hasAwsCli)
	console.warn('[aws-cli] skipped: the `aws` command is not installed on this machine');

describe.runIf(hasAwsCli)('AWS CLI against kms-tui sandbox serve', () => {
	let dir: string;
	let server: ChildProcess;
	let endpoint: string;
	let env: NodeJS.ProcessEnv;

	const aws = (...args: string[]) => runAwsCli(endpoint, env, args);

	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), 'kms-tui-awscli-'));
		env = awsCliEnv(dir);
		server = spawn(
			cliNode,
			[
				cliPath,
				'sandbox',
				'serve',
				'--port',
				'0',
				'--json',
				'--sandbox-dir',
				path.join(dir, 'state'),
			],
			{
				env: cleanEnv(dir),
			},
		);
		endpoint = await new Promise<string>((resolve, reject) => {
			let output = '';
			server.stdout?.on('data', (chunk: Buffer) => {
				output += chunk.toString();
				const line = output.split('\n')[0];
				if (output.includes('\n') && line)
					resolve((JSON.parse(line) as {endpoint: string}).endpoint);
			});
			server.once('exit', (code) => reject(new Error(`sandbox serve exited ${code}`)));
		});
	});

	afterAll(async () => {
		server.kill('SIGTERM');
		await new Promise((resolve) => server.once('exit', resolve));
		await rm(dir, {recursive: true, force: true});
	});

	it('runs keys, aliases, data keys, encryption, rotation and deletion', async () => {
		const created = JSON.parse(
			(await aws('kms', 'create-key', '--description', 'cli test')).stdout,
		);
		const keyId: string = created.KeyMetadata.KeyId;
		expect(created.KeyMetadata.KeyState).toBe('Enabled');

		expect(
			(await aws('kms', 'create-alias', '--alias-name', 'alias/cli-test', '--target-key-id', keyId))
				.code,
		).toBe(0);
		const aliases = JSON.parse((await aws('kms', 'list-aliases', '--key-id', keyId)).stdout);
		expect(aliases.Aliases.map((alias: {AliasName: string}) => alias.AliasName)).toContain(
			'alias/cli-test',
		);

		const dataKey = JSON.parse(
			(await aws('kms', 'generate-data-key', '--key-id', 'alias/cli-test', '--key-spec', 'AES_256'))
				.stdout,
		);
		expect(Buffer.from(dataKey.Plaintext, 'base64')).toHaveLength(32);

		// AWS CLI v1 sends a blob argument's text as raw bytes; fileb:// is the unambiguous form.
		const plaintextFile = path.join(dir, 'plaintext.txt');
		await writeFile(plaintextFile, 'hello');
		const encrypted = JSON.parse(
			(
				await aws(
					'kms',
					'encrypt',
					'--key-id',
					'alias/cli-test',
					'--plaintext',
					`fileb://${plaintextFile}`,
					'--encryption-context',
					'app=test',
				)
			).stdout,
		);
		const blob = path.join(dir, 'blob.bin');
		await (await import('node:fs/promises')).writeFile(
			blob,
			Buffer.from(encrypted.CiphertextBlob, 'base64'),
		);
		const decrypted = JSON.parse(
			(
				await aws(
					'kms',
					'decrypt',
					'--ciphertext-blob',
					`fileb://${blob}`,
					'--encryption-context',
					'app=test',
				)
			).stdout,
		);
		expect(Buffer.from(decrypted.Plaintext, 'base64').toString()).toBe('hello');
		const wrongContext = await aws(
			'kms',
			'decrypt',
			'--ciphertext-blob',
			`fileb://${blob}`,
			'--encryption-context',
			'app=other',
		);
		expect(wrongContext.code).not.toBe(0);
		expect(wrongContext.stderr).toContain('InvalidCiphertextException');

		expect(
			(
				await aws(
					'kms',
					'enable-key-rotation',
					'--key-id',
					keyId,
					'--rotation-period-in-days',
					'180',
				)
			).code,
		).toBe(0);
		const rotation = JSON.parse(
			(await aws('kms', 'get-key-rotation-status', '--key-id', keyId)).stdout,
		);
		expect(rotation).toMatchObject({KeyRotationEnabled: true, RotationPeriodInDays: 180});

		const scheduled = JSON.parse(
			(
				await aws(
					'kms',
					'schedule-key-deletion',
					'--key-id',
					keyId,
					'--pending-window-in-days',
					'7',
				)
			).stdout,
		);
		expect(scheduled.KeyState).toBe('PendingDeletion');
		const disabledUse = await aws('kms', 'encrypt', '--key-id', keyId, '--plaintext', 'aGk=');
		expect(disabledUse.stderr).toContain('KMSInvalidStateException');
		expect(disabledUse.stderr).toContain('is pending deletion');
		expect((await aws('kms', 'cancel-key-deletion', '--key-id', keyId)).code).toBe(0);
		const described = JSON.parse((await aws('kms', 'describe-key', '--key-id', keyId)).stdout);
		expect(described.KeyMetadata.KeyState).toBe('Disabled');

		const missing = await aws('kms', 'describe-key', '--key-id', 'alias/does-not-exist');
		expect(missing.code).not.toBe(0);
		expect(missing.stderr).toContain('NotFoundException');
	});

	it('deploys KmsKey.yaml, re-deploys with no changes, describes and deletes the stack', async () => {
		const template = path.resolve('KmsKey.yaml');
		const deploy = await aws(
			'cloudformation',
			'deploy',
			'--template-file',
			template,
			'--stack-name',
			'CliStack',
			'--parameter-overrides',
			'AliasName=alias/cli-stack',
		);
		expect(deploy.code, deploy.stderr).toBe(0);
		expect(deploy.stdout).toContain('Successfully created/updated stack - CliStack');
		const deployedAt = Date.now();

		await nextEpochSecond(deployedAt);
		// AWS CLI v1 exits 255 on an empty change set unless told otherwise; v2 exits 0.
		const again = await aws(
			'cloudformation',
			'deploy',
			'--template-file',
			template,
			'--stack-name',
			'CliStack',
			'--no-fail-on-empty-changeset',
			'--parameter-overrides',
			'AliasName=alias/cli-stack',
		);
		expect(again.code, again.stderr).toBe(0);
		expect(again.stdout + again.stderr).toContain(
			'No changes to deploy. Stack CliStack is up to date',
		);

		const stacks = JSON.parse(
			(await aws('cloudformation', 'describe-stacks', '--stack-name', 'CliStack')).stdout,
		);
		const outputs = Object.fromEntries(
			stacks.Stacks[0].Outputs.map((output: {OutputKey: string; OutputValue: string}) => [
				output.OutputKey,
				output.OutputValue,
			]),
		);
		expect(outputs.AliasName).toBe('alias/cli-stack');
		const key = JSON.parse((await aws('kms', 'describe-key', '--key-id', outputs.KeyId)).stdout);
		expect(key.KeyMetadata.Arn).toBe(outputs.KeyArn);

		const events = JSON.parse(
			(await aws('cloudformation', 'describe-stack-events', '--stack-name', 'CliStack')).stdout,
		);
		expect(events.StackEvents[0].ResourceStatus).toBe('CREATE_COMPLETE');
		expect(events.StackEvents[0].ResourceType).toBe('AWS::CloudFormation::Stack');

		expect((await aws('cloudformation', 'delete-stack', '--stack-name', 'CliStack')).code).toBe(0);
		expect(
			(await aws('cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'CliStack'))
				.code,
		).toBe(0);
		const gone = await aws('cloudformation', 'describe-stacks', '--stack-name', 'CliStack');
		expect(gone.stderr).toContain('Stack with id CliStack does not exist');
		const deletedKey = JSON.parse(
			(await aws('kms', 'describe-key', '--key-id', outputs.KeyId)).stdout,
		);
		expect(deletedKey.KeyMetadata.KeyState).toBe('PendingDeletion');
	}, 120_000);
});
