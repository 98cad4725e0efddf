/**
 * A real pseudo-terminal for end-to-end tests: the built kms-tui runs in a detached tmux session
 * of a fixed size; tests send keys and read the screen with capture-pane, polling instead of
 * sleeping.
 */
import {execFile, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {promisify} from 'node:util';

const run = promisify(execFile);

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export type Terminal = {
	screen(): Promise<string>;
	waitFor(
		predicate: string | RegExp | ((screen: string) => boolean),
		timeoutMs?: number,
	): Promise<string>;
	/** Sends one key (tmux key name or literal text) and waits until the screen changes. */
	press(key: string, until?: string | RegExp | ((screen: string) => boolean)): Promise<string>;
	/**
	 * Sends several keys with one send-keys (tmux writes them to the pty together, so the app
	 * reads them as one burst), then waits for `until`.
	 */
	burst(
		keys: readonly string[],
		until: string | RegExp | ((screen: string) => boolean),
	): Promise<string>;
	/**
	 * Pastes text as the terminal does (`paste-buffer -p`: bracketed when the app asked for it),
	 * then waits for `until`.
	 */
	paste(text: string, until: string | RegExp | ((screen: string) => boolean)): Promise<string>;
	/** Types text one character at a time, as a person does. */
	type(text: string): Promise<string>;
	close(): Promise<void>;
};

export async function openTerminal(
	command: string,
	options: {cwd: string; env: NodeJS.ProcessEnv; width?: number; height?: number},
): Promise<Terminal> {
	const name = `kms-tui-e2e-${randomBytes(4).toString('hex')}`;
	const socket = ['-L', name];
	await run(
		'tmux',
		[
			...socket,
			'new-session',
			'-d',
			'-s',
			name,
			'-x',
			String(options.width ?? 80),
			'-y',
			String(options.height ?? 24),
			'-c',
			options.cwd,
			command,
		],
		{
			env: {...options.env, TERM: 'xterm-256color'},
		},
	);
	// Once kms-tui exits, its session ends and there is no screen left: that reads as empty.
	const screen = async () =>
		(await run('tmux', [...socket, 'capture-pane', '-p', '-t', name]).catch(() => ({stdout: ''})))
			.stdout;
	const matches = (text: string, predicate: string | RegExp | ((screen: string) => boolean)) =>
		typeof predicate === 'string'
			? text.includes(predicate)
			: predicate instanceof RegExp
				? predicate.test(text)
				: predicate(text);
	const waitFor: Terminal['waitFor'] = async (predicate, timeoutMs = 15_000) => {
		const deadline = Date.now() + timeoutMs;
		let last = '';
		while (Date.now() < deadline) {
			last = await screen();
			if (matches(last, predicate)) return last;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		throw new Error(`Timed out waiting for ${String(predicate)}. Screen:\n${last}`);
	};
	const press: Terminal['press'] = async (key, until) => {
		const before = await screen();
		await run('tmux', [...socket, 'send-keys', '-t', name, key]);
		return waitFor(until ?? ((now) => now !== before));
	};
	return {
		screen,
		waitFor,
		press,
		paste: async (text, until) => {
			await run('tmux', [...socket, 'set-buffer', '-b', name, text]);
			await run('tmux', [...socket, 'paste-buffer', '-p', '-d', '-b', name, '-t', name]);
			return waitFor(until);
		},
		burst: async (keys, until) => {
			await run('tmux', [...socket, 'send-keys', '-t', name, ...keys]);
			return waitFor(until);
		},
		type: async (text) => {
			let last = '';
			for (const character of text) last = await press(character === ' ' ? 'Space' : character);
			return last;
		},
		close: async () => {
			await run('tmux', [...socket, 'kill-server']).catch(() => undefined);
		},
	};
}
