/** `kms-tui key`: the key's metadata, state, aliases and rotation summary. */
import {onDemandRotationLimit} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import {type CommandContext, formatDate, printJson, resolveKeyRef, say} from './context.js';

export async function runKey(context: CommandContext): Promise<void> {
	const {keyRef, source} = await resolveKeyRef(context);
	const {services} = await context.session();
	const overview = await services.keys.overview(keyRef);
	if (context.options.json) {
		printJson(context, overview);
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
