/** `kms-tui deploy`: create or update the stack through a change set, streaming its events. */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {defaultTemplatePath} from '../config.js';
import type {DeployPlan, StackEvent} from '../service/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {deployFlags} from './commands-table.js';
import {
	type CommandContext,
	CommandError,
	confirm,
	printJson,
	refuseIfReadOnly,
	say,
	UsageError,
} from './context.js';

export function formatEvent(event: StackEvent): string {
	// Every field comes from CloudFormation (a reason quotes AWS errors): one escaped line.
	const time = event.timestamp.toISOString().slice(11, 19);
	const reason = event.reason ? `  ${event.reason}` : '';
	return terminalSafeLine(
		`${time}  ${event.status.padEnd(28)} ${event.resourceType.padEnd(28)} ${event.logicalId}${reason}`,
	);
}

export function formatPlan(plan: DeployPlan): string {
	const lines = [
		`Planned changes to stack ${plan.stackName} (${plan.changeSetType === 'CREATE' ? 'new stack' : 'update'}):`,
	];
	for (const change of plan.changes) {
		const replacement = change.replacement === 'True' ? '  (replacement)' : '';
		lines.push(
			`  ${change.action.padEnd(7)} ${change.logicalId.padEnd(20)} ${change.resourceType}${replacement}`,
		);
	}
	return lines.map(terminalSafeLine).join('\n');
}

export async function runDeploy(context: CommandContext<typeof deployFlags>): Promise<void> {
	refuseIfReadOnly(context, 'deploy the stack');
	if (context.args.length > 0)
		throw new UsageError(
			`deploy takes no arguments (got "${context.args.join(' ')}"). Use --template FILE.`,
		);
	const templatePath = context.flags.template ?? defaultTemplatePath();
	const parameters = context.flags.param;
	let templateBody: string;
	try {
		templateBody = await readFile(templatePath, 'utf8');
	} catch (error) {
		throw new CommandError(
			`Cannot read the template ${templatePath}: ${(error as Error).message}. Pass an existing file with --template.`,
		);
	}
	const {services} = await context.session();
	const stackName = context.options.stackName;
	say(context, `Deploying ${path.basename(templatePath)} as stack ${stackName}…`);
	const result = await services.stacks.deploy({
		stackName,
		templateBody,
		parameters,
		confirm: async (plan) => {
			say(context, formatPlan(plan));
			return confirm(context, 'Execute these changes? [y/N]');
		},
		onEvent: (event) => say(context, formatEvent(event)),
	});
	switch (result.outcome) {
		case 'no-changes': {
			if (context.options.json) printJson(context, {outcome: 'no-changes', stack: result.stack});
			else
				say(
					context,
					`No changes to deploy. Stack ${stackName} is up to date (${result.stack.status}).`,
				);
			return;
		}
		case 'declined': {
			if (context.options.json) printJson(context, {outcome: 'declined'});
			else say(context, 'Not deployed: nothing was changed.');
			return;
		}
		case 'succeeded': {
			if (context.options.json) {
				printJson(context, {
					outcome: 'succeeded',
					stack: result.stack,
					changes: result.plan.changes,
				});
				return;
			}
			say(context, `Stack ${stackName} is ${result.stack.status}.`);
			for (const [key, value] of Object.entries(result.stack.outputs))
				say(context, `  ${terminalSafeLine(key).padEnd(10)} ${terminalSafeLine(value)}`);
			say(context, 'Next: `kms-tui outputs --write-env` writes these into .env.');
			return;
		}
		case 'failed': {
			if (context.options.json)
				printJson(context, {outcome: 'failed', stack: result.stack, failures: result.failures});
			const reasons = result.failures.map(
				(event) =>
					`  ${terminalSafeLine(`${event.logicalId} (${event.resourceType}): ${event.reason ?? 'no reason given'}`)}`,
			);
			const next =
				result.stack.status === 'ROLLBACK_COMPLETE'
					? 'The stack was rolled back and can only be deleted: fix the cause, run `kms-tui destroy`, then `kms-tui deploy` again.'
					: 'Fix the cause and run `kms-tui deploy` again.';
			throw new CommandError(
				`Deployment of ${stackName} failed; the stack is ${result.stack.status}.\n${reasons.join('\n')}\n${next}`,
			);
		}
	}
}
