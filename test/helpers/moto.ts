/**
 * moto's server (`python3 -m moto.server`), started from the test when it can be. When it cannot,
 * the reason is printed so a skipped conformance run is never silent.
 */
import {type ChildProcess, spawn} from 'node:child_process';
import {createServer} from 'node:net';

export type MotoServer = {readonly endpoint: string; close(): Promise<void>};
export type MotoResult = {readonly server: MotoServer} | {readonly skipped: string};

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

export async function startMoto(timeoutMs = 30_000): Promise<MotoResult> {
	if (process.env.KMS_TUI_SKIP_MOTO) return {skipped: 'KMS_TUI_SKIP_MOTO is set'};
	const port = await freePort();
	const endpoint = `http://127.0.0.1:${port}`;
	let child: ChildProcess;
	let output = '';
	try {
		child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
	} catch (error) {
		return {skipped: `python3 could not be started: ${(error as Error).message}`};
	}
	child.stdout?.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	child.stderr?.on('data', (chunk: Buffer) => {
		output += chunk.toString();
	});
	const exited = new Promise<string>((resolve) => {
		child.once('error', (error) => resolve(`python3 could not be started: ${error.message}`));
		child.once('exit', (code) =>
			resolve(`python3 -m moto.server exited with status ${code}: ${output.trim().slice(-400)}`),
		);
	});
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const ready = await Promise.race([
			fetch(`${endpoint}/moto-api/`).then(
				() => true,
				() => false,
			),
			exited,
		]);
		if (typeof ready === 'string') return {skipped: ready};
		if (ready) {
			return {
				server: {
					endpoint,
					close: async () => {
						if (child.exitCode !== null) return;
						child.kill('SIGTERM');
						await exited;
					},
				},
			};
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	child.kill('SIGKILL');
	return {skipped: `python3 -m moto.server did not answer on ${endpoint} within ${timeoutMs} ms`};
}
