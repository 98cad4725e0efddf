/** Placeholder until this command's module lands (it is being written now). */
import type {CommandContext} from './context.js';
import {CommandError} from './context.js';

export async function runRewrap(_context: CommandContext): Promise<void> {
	throw new CommandError('kms-tui rewrap is not built yet.');
}
