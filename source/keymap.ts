/**
 * Every key binding of the TUI. This table is the single source: the shell's one input handler
 * dispatches through it, the help bar and the `?` overlay are generated from it, and
 * `--read-only` hides the bindings marked dangerous. Define shortcuts here and nowhere else.
 */

/** Where a binding applies: everywhere, in a generic mode (list, running task, form), or on one screen. */
export type Scope =
	| 'global'
	| 'list'
	| 'task'
	| 'form'
	| 'confirm'
	| 'home'
	| 'deploy'
	| 'outputs'
	| 'key'
	| 'aliases'
	| 'deletion'
	| 'cleanup'
	| 'encrypt'
	| 'decrypt'
	| 'learn'
	| 'migration'
	| 'activity';

/**
 * A key as written in the table: a single character (`q`, `?`, `R`), a named key (`escape`,
 * `return`, `up`, `down`, `tab`, `shift+tab`) or `ctrl+<letter>`.
 */
export type KeySpec = string;

/** A row of the table; `id` is any name until the table fixes the set (BindingId). */
type BindingRow = {
	readonly id: string;
	readonly keys: readonly KeySpec[];
	/** One or two words for the help bar. */
	readonly label: string;
	/** A sentence for the `?` overlay. */
	readonly description: string;
	readonly scope: Scope;
	/** Changes AWS resources or files; hidden and refused under --read-only. */
	readonly isDangerous?: boolean;
	/** How the help bar writes the key when not the first key spec (e.g. `↑↓`). */
	readonly barKey?: string;
	/** Left out of the help bar (its pair already stands for it); still in the overlay. */
	readonly isHiddenInBar?: boolean;
};

export const bindings = [
	{
		id: 'quit',
		keys: ['q', 'ctrl+c'],
		label: 'quit',
		description: 'Quit kms-tui (ctrl+c first cancels what there is to cancel)',
		scope: 'global',
	},
	{id: 'help', keys: ['?'], label: 'keys', description: 'Show or hide every key', scope: 'global'},
	{
		id: 'back',
		keys: ['escape'],
		label: 'back',
		description: 'Go back to the previous screen',
		scope: 'global',
	},
	{
		id: 'up',
		keys: ['up', 'k'],
		label: 'move',
		barKey: '↑↓',
		description: 'Move up the list',
		scope: 'list',
	},
	{
		id: 'down',
		keys: ['down', 'j'],
		label: 'move down',
		isHiddenInBar: true,
		description: 'Move down the list',
		scope: 'list',
	},
	{id: 'open', keys: ['return'], label: 'open', description: 'Open the step', scope: 'home'},
	{
		id: 'learn',
		keys: ['l'],
		label: 'learn',
		description: 'Learn KMS by doing: envelope encryption and five more lessons on the current key',
		scope: 'home',
	},
	{
		id: 'refresh',
		keys: ['R'],
		label: 'refresh',
		description: 'Read the state from AWS again',
		scope: 'list',
	},
	{
		id: 'cancel',
		keys: ['escape', 'ctrl+c'],
		label: 'cancel',
		description: 'Cancel what is running, or close the field or question that is open',
		scope: 'task',
	},
	{
		id: 'next-field',
		keys: ['tab', 'down'],
		label: 'next field',
		barKey: 'tab',
		description: 'Move to the next field',
		scope: 'form',
	},
	{
		id: 'previous-field',
		keys: ['shift+tab', 'up'],
		label: 'previous field',
		isHiddenInBar: true,
		description: 'Move to the previous field',
		scope: 'form',
	},
	{
		id: 'submit',
		keys: ['return'],
		label: 'ok',
		description: 'Accept the field (the text field itself handles enter)',
		scope: 'form',
	},
	{
		id: 'confirm-yes',
		keys: ['y'],
		label: 'yes',
		description: 'Answer yes to the question shown',
		scope: 'confirm',
	},
	{
		id: 'confirm-no',
		keys: ['n'],
		label: 'no',
		description: 'Answer no: nothing is changed',
		scope: 'confirm',
	},
	{
		id: 'confirm-default',
		keys: ['return'],
		label: 'default',
		isHiddenInBar: true,
		description: 'Give the answer in capitals (Y/n is yes, y/N is no)',
		scope: 'confirm',
	},
	{
		id: 'start-deploy',
		keys: ['ctrl+d'],
		label: 'deploy',
		description: 'Plan the deployment with the values in the form',
		scope: 'deploy',
		isDangerous: true,
	},
	{
		id: 'write-env',
		keys: ['w'],
		label: 'write .env',
		description: 'Merge the stack outputs into the .env file',
		scope: 'outputs',
		isDangerous: true,
	},
	{
		id: 'enable-rotation',
		keys: ['e'],
		label: 'enable',
		description: 'Turn automatic rotation on',
		scope: 'key',
		isDangerous: true,
	},
	{
		id: 'disable-rotation',
		keys: ['d'],
		label: 'disable',
		description: 'Turn automatic rotation off',
		scope: 'key',
		isDangerous: true,
	},
	{
		id: 'change-period',
		keys: ['p'],
		label: 'period',
		description: 'Change the rotation period (90–2560 days)',
		scope: 'key',
		isDangerous: true,
	},
	{
		id: 'rotate-now',
		keys: ['n'],
		label: 'rotate now',
		description: 'Start an on-demand rotation (25 per key, ever)',
		scope: 'key',
		isDangerous: true,
	},
	{
		id: 'create-alias',
		keys: ['c'],
		label: 'create',
		description: 'Create an alias for the key',
		scope: 'aliases',
		isDangerous: true,
	},
	{
		id: 'retarget-alias',
		keys: ['t'],
		label: 'retarget',
		description: 'Point the selected alias at another key',
		scope: 'aliases',
		isDangerous: true,
	},
	{
		id: 'delete-alias',
		keys: ['x'],
		label: 'delete',
		description: 'Delete the selected alias (the key stays)',
		scope: 'aliases',
		isDangerous: true,
	},
	{
		id: 'schedule-deletion',
		keys: ['s'],
		label: 'schedule deletion',
		description: 'Schedule the key for deletion after 7–30 days',
		scope: 'deletion',
		isDangerous: true,
	},
	{
		id: 'cancel-deletion',
		keys: ['c'],
		label: 'cancel deletion',
		description: 'Cancel the scheduled deletion (the key stays Disabled)',
		scope: 'deletion',
		isDangerous: true,
	},
	{
		id: 'enable-key',
		keys: ['e'],
		label: 'enable key',
		description: 'Enable a Disabled key so it can be used again',
		scope: 'deletion',
		isDangerous: true,
	},
	{
		id: 'disable-key',
		keys: ['d'],
		label: 'disable first',
		description: 'Disable the key first, as AWS advises (reversible with e): watch for failures',
		scope: 'deletion',
		isDangerous: true,
	},
	{
		id: 'destroy-stack',
		keys: ['x'],
		label: 'delete stack',
		description: 'Delete the stack and watch its events',
		scope: 'cleanup',
		isDangerous: true,
	},
	{
		id: 'cleanup-disable-key',
		keys: ['d'],
		label: 'disable key first',
		description: 'Disable the stack’s key first, as AWS advises (reversible): watch for failures',
		scope: 'cleanup',
		isDangerous: true,
	},
	{
		id: 'env-comment-out',
		keys: ['c'],
		label: 'comment out in .env',
		description: 'Comment out the .env variables that name the deleted key (FILE.bak kept)',
		scope: 'cleanup',
		isDangerous: true,
	},
	{
		id: 'env-remove',
		keys: ['r'],
		label: 'remove from .env',
		description: 'Remove the .env variables that name the deleted key (FILE.bak kept)',
		scope: 'cleanup',
		isDangerous: true,
	},
	{
		id: 'complete-path',
		keys: ['tab'],
		label: 'complete',
		description: 'Complete the path (to the longest common prefix; lists the choices)',
		scope: 'form',
	},
	{
		id: 'leave-choice',
		keys: ['shift+tab'],
		label: 'previous field',
		description: 'Leave the choice list (its arrows move the choice) for the field above',
		scope: 'form',
	},
	{
		id: 'start-encrypt',
		keys: ['ctrl+e'],
		label: 'encrypt',
		description: 'Encrypt the file into FILE.kms (or FILE.kms.json) next to it',
		scope: 'encrypt',
		isDangerous: true,
	},
	{
		id: 'remove-pair',
		keys: ['ctrl+x'],
		label: 'remove pair',
		description: 'Remove the last encryption-context pair',
		scope: 'encrypt',
	},
	{
		id: 'encrypt-again',
		keys: ['n'],
		label: 'another file',
		description: 'Encrypt another file',
		scope: 'encrypt',
	},
	{
		id: 'decrypt-file',
		keys: ['return'],
		label: 'decrypt',
		description: 'Decrypt the envelope shown (one KMS Decrypt) into a new 0600 file',
		scope: 'decrypt',
		isDangerous: true,
	},
	{
		id: 'decrypt-again',
		keys: ['n'],
		label: 'another file',
		description: 'Decrypt another envelope',
		scope: 'decrypt',
	},
	{
		id: 'learn-next',
		keys: ['return'],
		label: 'next step',
		description: 'Run the next step for real on the current key',
		scope: 'learn',
	},
	{
		id: 'learn-open',
		keys: ['return'],
		label: 'open lesson',
		description: 'Open the lesson (it resumes where you stopped)',
		scope: 'learn',
	},
	{
		id: 'learn-restart',
		keys: ['r'],
		label: 'start again',
		description: 'Start the lesson again from step 1',
		scope: 'learn',
	},
	{
		id: 'migrate-create-key',
		keys: ['c'],
		label: 'create key',
		description: 'Create the new key: deploy KmsKey.yaml as a second stack',
		scope: 'migration',
		isDangerous: true,
	},
	{
		id: 'migrate-pick-key',
		keys: ['p'],
		label: 'pick key',
		description: 'Pick an existing enabled symmetric key as the new key',
		scope: 'migration',
		isDangerous: true,
	},
	{
		id: 'migrate-run-step',
		keys: ['return'],
		label: 'do step',
		description: 'Do the current step (alias, re-wrap, verify, .env)',
		scope: 'migration',
		isDangerous: true,
	},
	{
		id: 'migrate-disable-old',
		keys: ['d'],
		label: 'disable old key',
		description: 'Disable the old key first (reversible; what AWS advises)',
		scope: 'migration',
		isDangerous: true,
	},
	{
		id: 'migrate-schedule-old',
		keys: ['s'],
		label: 'schedule deletion',
		description: "Schedule the old key's deletion after 7–30 days (typed confirmation)",
		scope: 'migration',
		isDangerous: true,
	},
	{
		id: 'home-activity',
		keys: ['a'],
		label: 'activity',
		description: 'The key’s CloudTrail events (who used it, how) and its monthly cost estimate',
		scope: 'home',
		// In the ? overlay only: Home's bar is full at 60 columns.
		isHiddenInBar: true,
	},
	{
		id: 'open-activity',
		keys: ['a'],
		label: 'activity',
		description: 'The key’s CloudTrail events (who used it, how) and its monthly cost estimate',
		scope: 'key',
	},
	{
		id: 'activity-older',
		keys: ['pagedown', 'n'],
		label: 'older',
		barKey: 'PgDn/n',
		description: 'Activity: the next page of older events',
		scope: 'activity',
	},
	{
		id: 'activity-newer',
		keys: ['pageup', 'p'],
		label: 'newer',
		barKey: 'PgUp/p',
		description: 'Activity: the previous page of newer events',
		scope: 'activity',
	},
	{
		id: 'activity-crypto-only',
		keys: ['c'],
		label: 'crypto only',
		description:
			'Activity: only what used the key (Encrypt, Decrypt, GenerateDataKey…), or every event again',
		scope: 'activity',
		// The bar is full at 80 columns: the page line under the table names it instead.
		isHiddenInBar: true,
	},
	{
		id: 'activity-details',
		keys: ['return'],
		label: 'details',
		description: 'Activity: the selected event’s request parameters, caller and error',
		scope: 'activity',
	},
] as const satisfies readonly BindingRow[];

/** The bindings' names, as the table spells them. */
export type BindingId = (typeof bindings)[number]['id'];

export type Binding = BindingRow & {readonly id: BindingId};

export function bindingById(id: BindingId): Binding {
	const binding = (bindings as readonly Binding[]).find((candidate) => candidate.id === id);
	if (!binding) throw new Error(`No binding ${id} in keymap.ts`);
	return binding;
}

/** The bindings a user may see and use: dangerous ones disappear under --read-only. */
export function visibleBindings(isReadOnly: boolean): readonly Binding[] {
	return (bindings as readonly Binding[]).filter((binding) => !(isReadOnly && binding.isDangerous));
}
