// Start-up figures for `npm run bench`: bare Node next to kms-tui, medians of repeated warm runs.
// The TUI's first frame is timed in a pseudo-terminal (script(1)) from spawn to the first byte
// of the rendered header.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

const runs = 9;

function wallMs(command, args) {
	const started = process.hrtime.bigint();
	spawnSync(command, args, {stdio: 'ignore'});
	return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** ms from spawn until the pty shows `marker`; undefined when it never does within 10 s. */
export async function firstFrameMs(command, marker, env = {}) {
	return new Promise((resolve) => {
		const started = process.hrtime.bigint();
		// script(1) run without a terminal makes a 0×0 pty, where Ink's first frame is one column
		// wide; give it a person's 80×24 first.
		const sized = `stty cols 80 rows 24; exec ${command}`;
		const child = spawn('script', ['-qfec', sized, '/dev/null'], {env: {...process.env, TERM: 'xterm-256color', ...env}});
		let seen = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			resolve(undefined);
		}, 10_000);
		child.stdout.on('data', (chunk) => {
			seen += chunk.toString();
			if (seen.includes(marker)) {
				clearTimeout(timer);
				resolve(Number(process.hrtime.bigint() - started) / 1e6);
				child.kill('SIGKILL');
			}
		});
	});
}

export async function measureStartup(root) {
	// What users run: the launcher npm links (bin/kms-tui, a sh script that execs Node).
	const cli = path.join(root, 'bin', 'kms-tui');
	const node = median(Array.from({length: runs}, () => wallMs(process.execPath, ['-e', '0'])));
	const help = median(Array.from({length: runs}, () => wallMs(cli, ['--help'])));
	const lines = [`Start-up (median of ${runs} warm runs): node -e 0 ${node.toFixed(0)} ms; kms-tui --help ${help.toFixed(0)} ms`];
	if (spawnSync('script', ['--version']).status !== 0) {
		lines.push('TUI first frame: skipped (script(1) from util-linux is not installed, so there is no pty)');
		return lines.join('\n');
	}
	const dir = mkdtempSync(path.join(tmpdir(), 'kms-tui-startup-'));
	// Ink draws only the final frame when it thinks it is in CI; this is a person's terminal.
	const env = {CI: 'false', KMS_TUI_SANDBOX_DIR: dir};
	const command = `${cli} --sandbox`;
	const firstFrame = [];
	const homeReady = [];
	for (let run = 0; run < runs; run++) {
		firstFrame.push(await firstFrameMs(command, 'SANDBOX', env));
		homeReady.push(await firstFrameMs(command, 'The lifecycle of a KMS key', env));
	}
	rmSync(dir, {recursive: true, force: true});
	const show = (values) => (values.includes(undefined) ? 'timed out' : `${median(values).toFixed(0)} ms`);
	lines.push(`TUI (80×24 pty, sandbox): first frame ${show(firstFrame)} [target ≤ 300 ms]; Home with live state ${show(homeReady)}; node -e 0 ${node.toFixed(0)} ms`);
	return lines.join('\n');
}
