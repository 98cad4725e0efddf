/** `kms-tui outputs [--write-env]`: the stack outputs, optionally merged into the .env file. */
import {
	describeEnvChanges,
	envValuesFromStack,
	planEnvMerge,
	writeEnvMerge,
} from '../env-file/index.js';
import {terminalSafeLine} from '../terminal-text.js';
import type {outputsFlags} from './commands-table.js';
import {type CommandContext, CommandError, printJson, refuseIfReadOnly, say} from './context.js';

export async function runOutputs(context: CommandContext<typeof outputsFlags>): Promise<void> {
	const {writeEnv} = context.flags;
	if (writeEnv) refuseIfReadOnly(context, `write ${context.options.envFile}`);
	const session = await context.session();
	const found = await session.services.stacks.requireStack(context.options.stackName);
	const {outputs, derived} = await session.services.stacks.keyOutputs(found);
	if (!outputs.KeyId) {
		throw new CommandError(
			`Stack ${found.name} (${found.status}) has no KeyId output and holds no AWS::KMS::Key. Wait for the deployment to finish, or check the template's Outputs.`,
		);
	}
	if (derived) {
		if (!outputs.KeyArn)
			outputs.KeyArn = (await session.services.keys.describeKey(outputs.KeyId)).arn;
		context.stderr.write(
			`note: stack ${terminalSafeLine(found.name)} reports no outputs (some emulators, such as moto, drop them); the key and alias were read from its resources.\n`,
		);
	}
	const stack = {...found, outputs};
	if (!writeEnv) {
		if (context.options.json)
			printJson(context, {
				stack: stack.name,
				status: stack.status,
				outputs: stack.outputs,
				derivedFromResources: derived,
			});
		else
			for (const [key, value] of Object.entries(stack.outputs))
				say(context, `${terminalSafeLine(key).padEnd(10)} ${terminalSafeLine(value)}`);
		return;
	}
	const values = envValuesFromStack(stack, session.region);
	const plan = await planEnvMerge(context.options.envFile, values);
	const result = await writeEnvMerge(plan);
	if (context.options.json) {
		printJson(context, {
			envFile: plan.path,
			written: result.written,
			backup: result.backupPath ?? null,
			changes: plan.changes,
		});
		return;
	}
	if (!result.written) {
		say(
			context,
			terminalSafeLine(`${plan.path} already matches stack ${stack.name}; nothing written.`),
		);
		return;
	}
	say(context, terminalSafeLine(`${plan.exists ? 'Updated' : 'Created'} ${plan.path}:`));
	for (const line of describeEnvChanges(plan.changes)) say(context, `  ${line}`);
	if (result.backupPath)
		say(context, terminalSafeLine(`Previous version kept as ${result.backupPath}.`));
}
