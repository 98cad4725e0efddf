/**
 * A real pseudo-terminal for end-to-end tests: the built kms-tui runs in a detached tmux session
 * of a fixed size; tests send keys and read the screen with capture-pane, polling instead of
 * sleeping.
 */
import {execFile, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';
import {promisify} from 'node:util';
import {isProcessAlive} from '../../source/process-alive.js';

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
	/**
	 * Ends the session and waits until the program and every process it started have exited, so
	 * that what they write on the way out (kms-tui's code cache, Node 22's compile cache) is
	 * written before the test removes its directory.
	 */
	close(): Promise<void>;
};

/** Still running: a zombie (exited, not yet reaped by whoever adopted it) counts as gone. */
function isRunning(pid: number): boolean {
	if (!isProcessAlive(pid)) return false;
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

/** `pid` and every process below it, from /proc (Linux; elsewhere just `pid`). */
function processTree(pid: number): number[] {
	const children = new Map<number, number[]>();
	let entries: string[];
	try {
		entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
	} catch {
		return [pid];
	}
	for (const entry of entries) {
		try {
			// The parent is the 2nd field after the command name, which is in parentheses.
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
		} catch {
			// Gone while we looked.
		}
	}
	const tree = [pid];
	for (let index = 0; index < tree.length; index++) {
		tree.push(...(children.get(tree[index] as number) ?? []));
	}
	return tree;
}

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
	const panePid = Number(
		(await run('tmux', [...socket, 'display-message', '-p', '-t', name, '#{pane_pid}'])).stdout,
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
			const tree = Number.isInteger(panePid) && panePid > 0 ? processTree(panePid) : [];
			await run('tmux', [...socket, 'kill-server']).catch(() => undefined);
			const deadline = Date.now() + 10_000;
			while (tree.some(isRunning)) {
				if (Date.now() > deadline) throw new Error(`processes ${tree.join(', ')} did not exit`);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		},
	};
}
