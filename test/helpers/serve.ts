/** `kms-tui sandbox serve` as a real child process, resolved once it prints its endpoint. */
import {type ChildProcess, spawn} from 'node:child_process';
import {cleanEnv, cliNode, cliPath} from './cli.js';

export type ServedSandbox = {
	readonly endpoint: string;
	readonly process: ChildProcess;
	stop(): Promise<number | null>;
};

export async function serveSandbox(sandboxDir: string, home: string): Promise<ServedSandbox> {
	const child = spawn(
		cliNode,
		[cliPath, 'sandbox', 'serve', '--port', '0', '--json', '--sandbox-dir', sandboxDir],
		{
			env: cleanEnv(home),
		},
	);
	const endpoint = await new Promise<string>((resolve, reject) => {
		let output = '';
		child.stdout?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const newline = output.indexOf('\n');
			if (newline >= 0)
				resolve((JSON.parse(output.slice(0, newline)) as {endpoint: string}).endpoint);
		});
		child.once('exit', (code) =>
			reject(new Error(`sandbox serve exited with ${code} before it was ready`)),
		);
	});
	return {
		endpoint,
		process: child,
		stop: async () => {
			if (child.exitCode !== null) return child.exitCode;
			const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			return exited;
		},
	};
}
