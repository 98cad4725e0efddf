/** Placeholder until this command's module lands (it is being written now). */
import type {CommandContext} from './context.js';
import {CommandError} from './context.js';

export async function runPolicy(_context: CommandContext): Promise<void> {
	throw new CommandError('kms-tui policy is not built yet.');
}
