/** `kms-tui key`: the key's metadata, state, aliases, rotation summary and last use. */
import {lastUsageText} from '../last-usage-text.js';
import {type KeyLastUsage, onDemandRotationLimit} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import {type CommandContext, formatDate, printJson, resolveKeyRef, say} from './context.js';

export async function runKey(context: CommandContext): Promise<void> {
	const {keyRef, source} = await resolveKeyRef(context);
	const session = await context.session();
	const {services} = session;
	const [overview, lastUsage] = await Promise.all([
		services.keys.overview(keyRef),
		// Last use is a detail: a failure to read it (a policy without kms:GetKeyLastUsage) is
		// shown in its row, not made the failure of the whole command.
		services.keys.keyLastUsage(keyRef).catch(
			(error: unknown): KeyLastUsage => ({
				isReported: false,
				reason: error instanceof Error ? error.message : String(error),
			}),
		),
	]);
	if (context.options.json) {
		printJson(context, {...overview, lastUsage});
		return;
	}
	const {key, aliases, rotation} = overview;
	const lines = [
		`Key ${key.keyId}  (from ${source})`,
		`  ARN          ${key.arn}`,
		`  state        ${key.state}${key.deletionDate ? ` — will be deleted ${formatDate(key.deletionDate)}` : ''}`,
		`  description  ${key.description || '-'}`,
		`  created      ${formatDate(key.createdAt)}`,
		`  spec/usage   ${key.keySpec} / ${key.keyUsage}, origin ${key.origin}, ${key.keyManager} managed`,
		`  aliases      ${aliases.length > 0 ? aliases.map((alias) => alias.name).join(', ') : '-'}`,
		`  last used    ${lastUsageText(lastUsage, session.now())}`,
	];
	if (rotation) {
		lines.push(
			`  rotation     ${rotation.enabled ? `on${rotation.periodDays ? `, every ${rotation.periodDays} days` : ''}${rotation.nextRotation ? `, next ${formatDate(rotation.nextRotation)}` : ''}` : 'off'}`,
			`  on-demand    ${overview.onDemandRotationsUsed ?? 0} of ${onDemandRotationLimit} used`,
		);
	}
	if (key.state === 'PendingDeletion')
		lines.push('  Cancel the deletion with `kms-tui delete-key --cancel`.');
	if (key.state === 'Disabled') lines.push('  Enable it with `kms-tui delete-key --enable`.');
	// Each line shows fields from KMS (a description may hold anything): escaped line by line.
	say(context, lines.map(terminalSafeLine).join('\n'));
}
