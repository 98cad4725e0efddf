// The sandbox the benches talk to: `kms-tui sandbox serve` as its own process (KMS is remote in
// real use, so the CLI's time and memory are its own), reached over HTTP as AWS would be.
import {spawn} from 'node:child_process';

/** Dummy credentials the sandbox accepts. */
export const sandboxCredentials = {accessKeyId: 'sandbox', secretAccessKey: 'sandbox'};

/**
 * Starts `node CLI sandbox serve` on a free port with its state in `sandboxDir`; resolves once it
 * printed its endpoint. The server is stopped when this process exits, or by `stop()`.
 */
export async function serveSandbox(cli, sandboxDir) {
	const server = spawn(
		process.execPath,
		[cli, 'sandbox', 'serve', '--port', '0', '--json', '--sandbox-dir', sandboxDir],
		{env: {...process.env, KMS_TUI_SANDBOX_STEP_MS: '0'}, stdio: ['ignore', 'pipe', 'inherit']},
	);
	const endpoint = await new Promise((resolve, reject) => {
		let output = '';
		server.stdout.on('data', (chunk) => {
			output += chunk;
			if (output.includes('\n')) resolve(JSON.parse(output.split('\n')[0]).endpoint);
		});
		server.once('exit', (code) => reject(new Error(`sandbox serve exited with ${code}`)));
	});
	const stop = () => server.kill('SIGTERM');
	// However the bench ends, the server goes with it.
	process.on('exit', stop);
	return {endpoint, pid: server.pid, stop};
}

/** A new key on that sandbox, by the real SDK client: its ARN. */
export async function createSandboxKey(endpoint) {
	const {KMS, CreateKeyCommand} = await import('@aws-sdk/client-kms');
	const kms = new KMS({endpoint, region: 'us-east-1', credentials: sandboxCredentials});
	try {
		return (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
	} finally {
		kms.destroy();
	}
}
