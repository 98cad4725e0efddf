/** `kms-tui alias list|create NAME|update NAME|delete NAME`. */
import {validateAliasName} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import {
	type CommandContext,
	printJson,
	refuseIfReadOnly,
	resolveKeyRef,
	say,
	UsageError,
} from './context.js';

export async function runAlias(context: CommandContext): Promise<void> {
	const [action = 'list', name, ...rest] = context.args;
	if (rest.length > 0) throw new UsageError(`alias ${action} takes one name.`);
	if (action !== 'list') {
		if (!['create', 'update', 'delete'].includes(action)) {
			throw new UsageError(`Unknown alias action "${action}". Use list, create, update or delete.`);
		}
		if (!name) throw new UsageError(`Name the alias: kms-tui alias ${action} alias/NAME`);
		// Validated before anything else so that a typo never costs a call or a sandbox start.
		validateAliasName(name);
		refuseIfReadOnly(context, `${action} the alias ${name}`);
	}
	const {keys} = (await context.session()).services;
	switch (action) {
		case 'list': {
			const aliases = (await keys.listAliases()).filter(
				(alias) => !alias.name.startsWith('alias/aws/'),
			);
			if (context.options.json) {
				printJson(context, {aliases});
				return;
			}
			if (aliases.length === 0)
				say(context, 'No aliases yet. Create one with `kms-tui alias create alias/NAME`.');
			for (const alias of aliases)
				say(
					context,
					`${terminalSafeLine(alias.name).padEnd(40)} → ${terminalSafeLine(alias.targetKeyId ?? '(no key)')}`,
				);
			return;
		}
		case 'create':
		case 'update': {
			const {keyRef} = await resolveKeyRef(context);
			const alias =
				action === 'create'
					? await keys.createAlias(name as string, keyRef)
					: await keys.updateAlias(name as string, keyRef);
			if (context.options.json) printJson(context, alias);
			else
				say(
					context,
					terminalSafeLine(
						`${action === 'create' ? 'Created' : 'Pointed'} ${alias.name} → ${alias.targetKeyId}.`,
					),
				);
			return;
		}
		default: {
			await keys.deleteAlias(name as string);
			if (context.options.json) printJson(context, {deleted: name});
			else say(context, `Deleted ${name}. The key itself is unchanged.`);
		}
	}
}
