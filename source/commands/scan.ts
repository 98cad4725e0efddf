/** Placeholder until this command's module lands (it is being written now). */
import type {CommandContext} from './context.js';
import {CommandError} from './context.js';

export async function runScan(_context: CommandContext): Promise<void> {
	throw new CommandError('kms-tui scan is not built yet.');
}
