/**
 * Every CLI command, declared once: flags, positionals or actions, help and examples, and a lazy
 * loader. Adding a command (DESIGN §6: rewrap, scan, policy, activity) is one entry here plus its
 * module. Nothing here may import a command module or the service at run time: `--help` and
 * every usage error are answered from this table alone.
 */
import {defaultSandboxDir} from '../sandbox/paths.js';
import {defaultPendingWindowDays} from '../service/validation.js';
import {defineCommand} from './definition.js';
import type {FlagSpecs, PairsFlag, StringFlag} from './flags.js';

const output = {
	type: 'string',
	short: 'o',
	value: 'OUT',
	needs: 'a path',
	help: 'Where to write (- for standard output); never overwritten without --force',
} as const satisfies StringFlag;

const force = {type: 'boolean', help: 'Overwrite an existing output file'} as const;

const context = {
	type: 'pairs',
	value: 'KEY=VALUE',
	needs: 'KEY=VALUE',
	help: 'Encryption context pair (repeatable; each name once)',
} as const satisfies PairsFlag;

const fileMissing = (command: string) =>
	`Name the file to ${command}: kms-tui ${command} FILE (or - for standard input).`;

/** encrypt, decrypt, inspect: several FILEs and DIRs (source/commands/batch-output.ts). */
const recursive = {
	type: 'boolean',
	short: 'r',
	help: 'Enter the directories named: every regular file under them (not .git, node_modules)',
} as const;

const severalFiles = (command: string, names: string) => ({
	names,
	min: 1,
	max: Number.POSITIVE_INFINITY,
	missing: fileMissing(command),
});

const batchAbout = (
	verb: string,
) => `Several files and directories (with --recursive): one data key per file, up to 8 files in flight
(KMS calls overlap; a file from 16 MiB uses every core, one such file at a time). A failure in one
file does not stop the others: each is named with its reason, a summary ends the run, and the exit
status is 1 if any failed. With -o, several inputs need -o DIR (the tree under a named directory is
mirrored there). Ctrl-C stops starting files and cancels those in flight (nothing partial is left),
then prints the summary and exits 130. --json: one document, {files:[…], summary:{…}}.
${verb}`;

export const deployFlags = {
	template: {
		type: 'string',
		value: 'FILE',
		needs: 'a template file',
		help: 'The template (default ./KmsKey.yaml, else the one kms-tui ships)',
	},
	param: {
		type: 'pairs',
		value: 'KEY=VALUE',
		needs: 'KEY=VALUE',
		help: 'A template parameter (repeatable; each name once)',
	},
} as const satisfies FlagSpecs;

export const deploy = defineCommand({
	name: 'deploy',
	synopsis: 'deploy [--template F] [--param K=V]…',
	summary: 'Create or update the KmsKey stack through a change set',
	title: 'kms-tui deploy: create or update the stack, as `aws cloudformation deploy` does.',
	usage: ['kms-tui deploy [--template FILE] [--param KEY=VALUE]… [--stack-name NAME] [--yes]'],
	about: `Creates a change set, shows the planned changes and asks before executing them (--yes skips the
question; without a terminal, --yes is required). Events stream while CloudFormation works.
"No changes" is success. The template defaults to ./KmsKey.yaml, else the one kms-tui ships.
Each --param is checked against the template's constraints (AllowedValues, AllowedPattern,
Min/MaxValue, Min/MaxLength) before any call, with CloudFormation's message (exit 2).

KmsKey.yaml parameters
  AliasName             alias for the key (default alias/kms-tui-demo)
  PendingWindowInDays   waiting period when the stack is deleted, 7–30 (default 7)
  RotationPeriodInDays  automatic rotation period, 90–2560 (default 365)`,
	examples: [
		'kms-tui deploy',
		'kms-tui deploy --yes --param AliasName=alias/my-app',
		'kms-tui deploy --template other.yaml --stack-name Other --json --yes',
	],
	flags: deployFlags,
	uses: ['json', 'yes'],
	positionals: {names: '', min: 0, max: 0},
	load: async () => (await import('./deploy.js')).runDeploy,
});

export const outputsFlags = {
	writeEnv: {type: 'boolean', help: 'Merge the key’s outputs into the .env file'},
} as const satisfies FlagSpecs;

export const outputs = defineCommand({
	name: 'outputs',
	synopsis: 'outputs [--write-env]',
	summary: 'Show the stack outputs; merge KMS_KEY_ID etc. into .env',
	title: 'kms-tui outputs: the stack’s outputs, and the .env file that scripts read them from.',
	usage: ['kms-tui outputs [--write-env] [--env-file FILE] [--stack-name NAME]'],
	about: `--write-env merges KMS_KEY_ID, KMS_KEY_ARN, KMS_KEY_ALIAS, AWS_REGION and KMS_STACK_NAME into the
.env file: comments, order and other variables stay byte for byte, the change is shown, the write
is atomic and the previous file is kept as FILE.bak. New files are created with mode 0600.`,
	examples: ['kms-tui outputs', 'kms-tui outputs --write-env', 'kms-tui outputs --json'],
	flags: outputsFlags,
	uses: ['json'],
	positionals: {names: '', min: 0, max: 0},
	load: async () => (await import('./outputs.js')).runOutputs,
});

export const key = defineCommand({
	name: 'key',
	synopsis: 'key',
	summary: 'Key metadata, state, aliases and rotation summary',
	title: 'kms-tui key: metadata, state, aliases and rotation summary of the key.',
	usage: ['kms-tui key [--key ID|ALIAS] [--json]'],
	examples: ['kms-tui key', 'kms-tui key --key alias/demo --json'],
	flags: {},
	uses: ['key', 'json'],
	positionals: {names: '', min: 0, max: 0},
	load: async () => (await import('./key.js')).runKey,
});

export const rotationFlags = {
	period: {
		type: 'integer',
		value: 'DAYS',
		needs: 'a number of days from 90 to 2560',
		example: '180',
		actions: ['enable'],
		help: 'Days between automatic rotations, 90–2560 (default 365)',
	},
} as const satisfies FlagSpecs;

export const rotation = defineCommand({
	name: 'rotation',
	synopsis: 'rotation status|enable|disable|rotate-now|history',
	summary: 'Automatic and on-demand rotation of the key',
	title: 'kms-tui rotation: automatic and on-demand rotation of the key.',
	usage: [
		'kms-tui rotation status            on/off, period, next date, on-demand rotations left (of 25)',
		'kms-tui rotation enable [--period DAYS]   turn automatic rotation on (90–2560 days, default 365)',
		'kms-tui rotation disable',
		'kms-tui rotation rotate-now [--yes]   rotate once now (at most 25 times per key, ever; asks first)',
		'kms-tui rotation history           every rotation with its date and type',
	],
	about: 'Rotation gives the key new key material; data encrypted before still decrypts.',
	examples: [
		'kms-tui rotation enable --period 180',
		'kms-tui rotation rotate-now --key alias/demo',
	],
	flags: rotationFlags,
	uses: ['key', 'json', 'yes'],
	actions: {status: {}, enable: {}, disable: {}, 'rotate-now': {}, history: {}},
	defaultAction: 'status',
	load: async () => (await import('./rotation.js')).runRotation,
});

const aliasAction = (action: string) => ({
	positionals: {
		names: 'alias/NAME',
		min: 1,
		max: 1,
		missing: `Name the alias: kms-tui alias ${action} alias/NAME`,
	},
});

export const alias = defineCommand({
	name: 'alias',
	synopsis: 'alias list|create NAME|update NAME|delete NAME',
	summary: 'Friendly names for keys',
	title: 'kms-tui alias: friendly names for keys.',
	usage: [
		'kms-tui alias list',
		'kms-tui alias create alias/NAME [--key KEY]   (default: the current key)',
		'kms-tui alias update alias/NAME --key KEY     point an alias at another key',
		'kms-tui alias delete alias/NAME',
	],
	about:
		'Names start with alias/, use letters, digits and / _ - :, and may not start with alias/aws/.',
	examples: ['kms-tui alias create alias/demo', 'kms-tui alias delete alias/demo'],
	flags: {},
	uses: ['key', 'json'],
	actions: {
		list: {},
		create: aliasAction('create'),
		update: aliasAction('update'),
		delete: aliasAction('delete'),
	},
	defaultAction: 'list',
	load: async () => (await import('./alias.js')).runAlias,
});

export const deleteKeyFlags = {
	days: {
		type: 'integer',
		value: 'DAYS',
		needs: 'a number of days from 7 to 30',
		example: '7',
		help: `Days KMS waits before deleting, 7–30 (default ${defaultPendingWindowDays})`,
	},
	cancel: {type: 'boolean', help: 'Cancel a scheduled deletion'},
	enable: {type: 'boolean', help: 'Enable the key (after --cancel, or a disabled key)'},
	disable: {
		type: 'boolean',
		help: 'Disable the key instead (reversible with --enable): what AWS advises before deleting',
	},
	scan: {
		type: 'strings',
		value: 'DIR',
		needs: 'a directory',
		help: 'Where to look for envelopes the deletion would make unreadable (repeatable; default .)',
	},
} as const satisfies FlagSpecs;

export const deleteKey = defineCommand({
	name: 'delete-key',
	synopsis: `delete-key [--days 7..30] | --disable | --cancel [--enable] | --enable`,
	summary: 'Schedule the key’s deletion, or take it back',
	title: 'kms-tui delete-key: schedule the key’s deletion, or take it back.',
	usage: [
		`kms-tui delete-key [--days 7..30] [--scan DIR]… [--yes]   schedule deletion (default ${defaultPendingWindowDays} days)`,
		'kms-tui delete-key --disable                 disable the key first and watch for failures',
		'kms-tui delete-key --cancel [--enable]      cancel; the key stays Disabled unless --enable',
		'kms-tui delete-key --enable                 enable a disabled key',
	],
	about: `Before asking, says what the deletion would break: the envelopes and SDK messages under the
working directory (or each --scan DIR) that only this key opens, and those that also open under
another key; every alias pointing at the key, those made outside the stack included; and when
KMS last saw the key used (GetKeyLastUsage; "not reported" where the endpoint lacks it). --json
carries all of it.

AWS advises disabling a key first and watching for failures (DisabledException in CloudTrail
and in your applications' logs): --disable does that, --enable undoes it. The prompt offers it
too. Asks you to type the key's alias (or id) unless --yes. When the date passes, the key and
everything encrypted under it are gone for good.`,
	examples: [
		'kms-tui delete-key --disable',
		'kms-tui delete-key --days 7 --scan ~/backups --scan /srv/data',
		'kms-tui delete-key --cancel --enable',
	],
	flags: deleteKeyFlags,
	uses: ['key', 'json', 'yes'],
	positionals: {names: '', min: 0, max: 0},
	load: async () => (await import('./delete-key.js')).runDeleteKey,
});

export const encryptFlags = {
	key: {
		type: 'strings',
		value: 'ID|ALIAS',
		needs: 'a key id, ARN or alias',
		help: 'The key (default: KMS_KEY_ID, else the stack’s KeyId); repeatable: each can decrypt',
	},
	output,
	context,
	format: {
		type: 'string',
		value: 'binary|json|esdk',
		needs: 'binary, json or esdk',
		choices: ['binary', 'json', 'esdk'],
		default: 'binary',
		help: 'binary (the default), json (one readable document) or esdk (AWS Encryption SDK)',
	},
	esdkSuite: {
		type: 'string',
		value: 'signed|unsigned',
		needs: 'signed or unsigned',
		choices: ['signed', 'unsigned'],
		help: 'With --format esdk: signed (0x0578, the default, as in the SDK) or unsigned (0x0478)',
	},
	frameSize: {
		type: 'integer',
		value: 'BYTES',
		needs: 'a number of bytes',
		example: '4096',
		min: 1,
		max: 4294967295,
		help: 'Plaintext bytes per frame (default 1 MiB): binary 64 to 16777216, esdk 1 to 4294967295',
	},
	force,
	recursive,
} as const satisfies FlagSpecs;

export const encrypt = defineCommand({
	name: 'encrypt',
	synopsis:
		'encrypt FILE|DIR|-… [-o OUT] [--key KEY]… [--context k=v]… [--format binary|json] [-r]',
	summary: 'Envelope-encrypt a file; prints the path written',
	title: 'kms-tui encrypt: envelope-encrypt a file with a fresh data key from KMS.',
	usage: [
		'kms-tui encrypt FILE|- [-o OUT] [--key KEY]… [--context KEY=VALUE]… [--format binary|json] [--force]',
		'kms-tui encrypt FILE|- --format esdk [--esdk-suite signed|unsigned] [--frame-size BYTES] …',
		'kms-tui encrypt FILE|DIR… [--recursive] [-o DIR] …   many files, one data key each',
	],
	about: `One GenerateDataKey call per file; the data is encrypted locally with AES-256-GCM in 1 MiB
frames, and the encrypted data key is stored in the envelope's header. The plaintext data key
is wiped from memory as soon as the file key is derived. Prints the path it wrote.

Several keys: --key A --key B … makes GenerateDataKey under A and one KMS Encrypt of the same
data key under each other key, all stored in the header, so the file opens with any of them —
a key in another region for a regional outage, a break-glass key held apart. Decrypt tries them
in the order given.

Output: FILE.kms (binary, any size, the default) or FILE.kms.json (--format json: one readable
JSON document, for learning and files under 64 MiB). An existing file is never overwritten
without --force; nothing partial is ever left behind. '-' reads stdin / writes stdout.

--context pairs are bound to the data key by KMS: decrypting needs the same pairs (they are
stored in the header, so decrypt finds them itself).

--format esdk writes the AWS Encryption SDK message format (v2, framed), which the SDK in any
language and the AWS Encryption CLI decrypt with a KMS keyring: FILE.encrypted (the Encryption
CLI's suffix). Suite: signed (0x0578, the SDK's default; a fresh ECDSA P-384 key per file, its
public key in the context as aws-crypto-public-key) or --esdk-suite unsigned (0x0478). Frames
are 1 MiB unless --frame-size says otherwise (the SDK's default is 4096: valid, but several
times slower to encrypt and decrypt, with kms-tui and with the SDK).

${batchAbout(`Skipped, and counted in the summary: files that already are an envelope or an SDK message (by
their content), and files whose FILE.kms exists (--force replaces it).`)}`,
	examples: [
		'kms-tui encrypt data-file.txt',
		'kms-tui encrypt report.pdf --context project=apollo -o /backups/report.pdf.kms',
		'tar c dir | kms-tui encrypt - > dir.tar.kms',
		'kms-tui encrypt notes.txt --format json',
		'kms-tui encrypt report.pdf --format esdk    # report.pdf.encrypted, for the AWS Encryption SDK',
		'kms-tui encrypt db.dump --key alias/backup --key arn:aws:kms:eu-west-1:111122223333:alias/backup-dr',
		'kms-tui encrypt -r reports/     # every file under reports/, each FILE.kms beside it',
	],
	flags: encryptFlags,
	uses: ['json'],
	positionals: severalFiles('encrypt', 'FILE|DIR|-…'),
	load: async () => (await import('./envelope.js')).runEncrypt,
});

export const decryptFlags = {
	output,
	context: {...context, help: 'A pair the envelope’s context must hold (repeatable)'},
	force,
	allowNonCommitting: {
		type: 'boolean',
		help: 'AWS Encryption SDK messages: also decrypt the legacy non-committing suites (0x0014–0x0378), which can decrypt to different plaintexts under different data keys',
	},
	maxEncryptedDataKeys: {
		type: 'integer',
		value: 'N',
		needs: 'a number of keys',
		example: '16',
		min: 1,
		max: 65535,
		help: 'AWS Encryption SDK messages: refuse more encrypted data keys than this (default 16)',
	},
	recursive,
} as const satisfies FlagSpecs;

export const decrypt = defineCommand({
	name: 'decrypt',
	synopsis: 'decrypt FILE|DIR|-… [-o OUT] [--context k=v]… [-r]',
	summary: 'Decrypt an envelope; prints the path written',
	title: 'kms-tui decrypt: decrypt an envelope (binary or JSON, detected).',
	usage: [
		'kms-tui decrypt FILE|- [-o OUT] [--context KEY=VALUE]… [--force]',
		'kms-tui decrypt FILE|DIR… [--recursive] [-o DIR] …   many envelopes',
	],
	about: `One Decrypt call per file, for the data key (an envelope under several keys: they are tried
in order and the first that opens is used; if none does, each key tried is named with why).
Every frame is authenticated; the output is written to a temporary file and renamed into place
only after the last frame verified, so a modified or cut-off envelope leaves nothing behind.
Decrypted files are created mode 0600. Default output: FILE without .kms / .kms.json (" (1)"
added if that name exists). Prints the path it wrote. --context pairs must be in the
envelope's context (checked before KMS).

AWS Encryption SDK messages (the SDKs, the AWS Encryption CLI, kms-tui --format esdk) are
detected too: message format 1 and 2, framed and non-framed, data keys wrapped by AWS KMS; the
signature of the signed suites is verified before the output is committed. Default output:
FILE without .encrypted.

${batchAbout('Under a directory, files that are not envelopes are skipped (named on the command line, they fail).')}`,
	examples: [
		'kms-tui decrypt data-file.txt.kms',
		'kms-tui decrypt -r backups/ -o restored/',
		'kms-tui decrypt report.pdf.encrypted     # an AWS Encryption SDK message',
		'kms-tui decrypt backup.kms -o restored.tar',
		'kms-tui decrypt - < dir.tar.kms | tar x',
	],
	flags: decryptFlags,
	uses: ['json'],
	positionals: severalFiles('decrypt', 'FILE|DIR|-…'),
	load: async () => (await import('./envelope.js')).runDecrypt,
});

export const inspectFlags = {recursive} as const satisfies FlagSpecs;

export const inspect = defineCommand({
	name: 'inspect',
	synopsis: 'inspect FILE|DIR… [-r]',
	summary: 'Show an envelope’s header (keys, context, sizes); no KMS call',
	title: 'kms-tui inspect: what an envelope says about itself, without calling KMS.',
	usage: ['kms-tui inspect FILE [--json]', 'kms-tui inspect FILE|DIR… [--recursive] [--json]'],
	about: `Shows the key ARNs (every key that can decrypt, in the order decrypt tries them), encryption
context, algorithm, sizes, frame count, creation time and format version. Nothing is verified
until you decrypt. An AWS Encryption SDK message shows its message format version, suite,
content type and frame length, data keys (provider and key ARN), context and sizes.
Several files or directories (--recursive): each header in turn; under a directory, files that
are not envelopes are skipped. --json: one document, {files:[…], summary:{…}}.`,
	examples: [
		'kms-tui inspect data-file.txt.kms',
		'head -n1 data-file.txt.kms     # the header is one readable JSON line',
		'kms-tui inspect -r backups/ --json',
	],
	flags: inspectFlags,
	uses: ['json'],
	positionals: severalFiles('inspect', 'FILE|DIR…'),
	load: async () => (await import('./envelope.js')).runInspect,
});

export const rewrapFlags = {
	to: {
		type: 'strings',
		value: 'KEY',
		needs: 'a key id, ARN or alias',
		help: 'Wrap the data key under KEY instead of the keys it has (repeatable: the new list)',
	},
	addKey: {
		type: 'strings',
		value: 'KEY',
		needs: 'a key id, ARN or alias',
		help: 'Also wrap the data key under KEY, keeping the others (repeatable)',
	},
	removeKey: {
		type: 'strings',
		value: 'KEY',
		needs: 'a key id, ARN or alias',
		help: 'Drop the wrapping under KEY (repeatable; one must remain)',
	},
	context: {...context, help: 'A pair the envelope’s context must hold (repeatable)'},
	recursive: {type: 'boolean', short: 'r', help: 'Enter directories given as arguments'},
} as const satisfies FlagSpecs;

export const rewrap = defineCommand({
	name: 'rewrap',
	synopsis: 'rewrap FILE|DIR… [--to KEY] [--add-key KEY] [--remove-key KEY] [--recursive]',
	summary: 'Re-wrap envelopes’ data keys (KMS ReEncrypt) without decrypting the data',
	title:
		'kms-tui rewrap: give each envelope’s data key a new wrapping, without decrypting the data.',
	usage: [
		'kms-tui rewrap FILE|DIR… [--recursive]            under the same keys’ newest key material',
		'kms-tui rewrap FILE|DIR… --to KEY [--to KEY]…     under these keys instead',
		'kms-tui rewrap FILE|DIR… [--add-key KEY]… [--remove-key KEY]…',
	],
	about: `KMS ReEncrypt makes each new wrapped key, so the plaintext data key never leaves KMS, and only
the header is rewritten: every byte after the header line stays as it was (format v2, binary or
JSON). Without --to/--add-key/--remove-key, each key again under its newest key material (after
a rotation). A v1 envelope is converted to v2 on the way (its frames re-sealed; it says so). AWS
Encryption SDK messages are written again under a new message id (docs/esdk.md says why). Each
file is replaced atomically: any failure (a missing or disabled key, a wrong --context, KMS
down, Ctrl-C) leaves it byte-identical. Key references are resolved once to their ARNs.
Prints PATH: OLD KEY(S) → NEW KEY(S) per file; --json: one document for the run.`,
	examples: [
		'kms-tui rewrap backups/ --recursive --to alias/new-key',
		'kms-tui rewrap report.pdf.kms --add-key arn:aws:kms:eu-west-1:111122223333:alias/dr',
	],
	flags: rewrapFlags,
	uses: ['json'],
	positionals: {
		names: 'FILE|DIR…',
		min: 1,
		max: Number.POSITIVE_INFINITY,
		missing:
			'Name the envelopes to re-wrap: kms-tui rewrap FILE|DIR… (directories with --recursive).',
	},
	load: async () => (await import('./rewrap.js')).runRewrap,
});

export const scanFlags = {
	recursive: {
		type: 'boolean',
		short: 'r',
		help: 'Accepted for symmetry with the other commands: scan always enters directories',
	},
} as const satisfies FlagSpecs;

export const scan = defineCommand({
	name: 'scan',
	synopsis: 'scan [DIR…]',
	summary: 'Find envelopes and SDK messages under directories, by key (headers only)',
	title: 'kms-tui scan: the envelopes under directories, grouped by the keys that open them.',
	usage: ['kms-tui scan [DIR…] [--key KEY] [--json]     (default: the working directory)'],
	about: `Finds kms-tui envelopes (format v1 and v2, binary and JSON) and AWS Encryption SDK messages by
their content, whatever their names, under every directory named (not .git or node_modules),
reading headers only: no payload, no KMS call. Reports by key ARN, and by key material where
the header records it: files, bytes, how many open under that key only, a few paths. Headers
that start like an envelope but are broken are listed as problems. Exit 0, or 1 when a
directory named does not exist (the others are still scanned).

--key KEY keeps the files that key opens. A key ARN is used as it is (no KMS needed); an
alias or key id is resolved to its ARN with DescribeKey. --json prints one document with every
file, its kind and keys.`,
	examples: ['kms-tui scan', 'kms-tui scan ~/backups --key alias/old-key --json'],
	flags: scanFlags,
	uses: ['key', 'json'],
	positionals: {names: '[DIR…]', min: 0, max: Number.POSITIVE_INFINITY},
	load: async () => (await import('./scan.js')).runScan,
});

export const policyFlags = {
	bypassLockoutCheck: {
		type: 'boolean',
		actions: ['put'],
		help: 'Write the policy even if it would lock the account out of the key (dangerous)',
	},
} as const satisfies FlagSpecs;

export const policy = defineCommand({
	name: 'policy',
	synopsis: 'policy [show|put FILE|-]',
	summary: 'The key policy, explained statement by statement; replace it',
	title: 'kms-tui policy: who may do what with the key, in plain words.',
	usage: [
		'kms-tui policy [show] [--key KEY] [--json]   the policy, each statement explained, risks flagged',
		'kms-tui policy put FILE [--yes]              replace it (validated, lockout-checked, typed confirmation)',
		'kms-tui policy put - --yes                   the same, the policy read from standard input',
	],
	about: `Each statement in words: who (an account root hands the decision to that account's IAM
policies), which actions (wildcards expanded), on what, under which conditions; risks are flagged
(Principal "*" without a condition, kms:* or PutKeyPolicy/ScheduleKeyDeletion for other principals,
a Deny that binds the account root). --json: {keyArn, policy, summary, statements:[{sid, effect,
explanation, risks}]}.

put checks the file first (JSON, at most 32 KB, Version, Statement, IAM's grammar), shows the
statements added and removed, and refuses a policy that would stop the account root from calling
PutKeyPolicy again — what KMS's policy lockout safety check protects against — unless
--bypass-lockout-check (which skips KMS's check too). Then type the key's alias (or id), or pass
--yes. The check runs on every target; moto runs none of its own. put - reads the policy from
standard input, which then cannot take the typed confirmation: it needs --yes.`,
	examples: [
		'kms-tui policy',
		'kms-tui policy --json',
		'kms-tui policy put policy.json',
		'envsubst < policy.template.json | kms-tui policy put - --yes',
	],
	flags: policyFlags,
	uses: ['key', 'json', 'yes'],
	actions: {
		show: {},
		put: {
			positionals: {
				names: 'FILE|-',
				min: 1,
				max: 1,
				missing: 'Name the policy file: kms-tui policy put FILE (JSON), or - for standard input.',
			},
		},
	},
	defaultAction: 'show',
	load: async () => (await import('./policy.js')).runPolicy,
});

export const activityFlags = {
	since: {
		type: 'string',
		value: 'DURATION',
		needs: 'a duration such as 1h, 7d',
		help: 'Only events newer than this (default 24h; units s m h d w; CloudTrail keeps 90 days)',
	},
} as const satisfies FlagSpecs;

export const activity = defineCommand({
	name: 'activity',
	synopsis: 'activity [--since DUR]',
	summary: 'The key’s CloudTrail events, newest first, and a monthly cost estimate',
	title: 'kms-tui activity: who used the key and how (CloudTrail LookupEvents).',
	usage: ['kms-tui activity [--since DURATION] [--key KEY] [--json]'],
	about: `Lists the events CloudTrail filed under the key's ARN (LookupEvents, ResourceName): time,
operation, caller and outcome, newest first; --json adds the user agent, source IP and request
parameters (never key material). AWS shows an event about 5 minutes after the call.

Then estimates what the key costs a month (AWS KMS pricing, us-east-1, as of 2026): $1 for the
key, $1 for each of its first two rotations, and the requests seen in the window extrapolated to
30 days at $0.03 per 10,000 after the 20,000 free ones. An estimate, with its arithmetic.`,
	examples: ['kms-tui activity', 'kms-tui activity --since 7d --json'],
	flags: activityFlags,
	uses: ['key', 'json'],
	positionals: {names: '', min: 0, max: 0},
	load: async () => (await import('./activity.js')).runActivity,
});

export const destroyFlags = {
	scan: {
		type: 'strings',
		value: 'DIR',
		needs: 'a directory',
		help: 'Where to look for envelopes the key’s deletion would make unreadable (repeatable; default .)',
	},
	envCleanup: {
		type: 'string',
		value: 'comment|remove|keep',
		needs: 'comment, remove or keep',
		choices: ['comment', 'remove', 'keep'],
		help: 'What to do with the .env variables naming the deleted key (default: ask; comment with --yes)',
	},
} as const satisfies FlagSpecs;

export const destroy = defineCommand({
	name: 'destroy',
	synopsis: 'destroy [--scan DIR]… [--env-cleanup comment|remove|keep]',
	summary: 'Delete the stack and say what became of the key',
	title: 'kms-tui destroy: delete the stack.',
	usage: [
		'kms-tui destroy [--stack-name NAME] [--scan DIR]… [--env-cleanup comment|remove|keep] [--yes]',
		'kms-tui destroy --env-cleanup comment|remove   (stack already gone) clean .env of a deleted key',
	],
	about: `Before asking, says what the key's deletion would break: the envelopes under the working
directory (or each --scan DIR) that only this key opens, the aliases made outside the stack
(left pointing at a key pending deletion), and when the key was last used. AWS advises
disabling the key first and watching for failures: \`kms-tui delete-key --disable\`.

Streams the events, then says what became of the key: pending deletion until a date (the
template's PendingWindowInDays), or retained. Then the .env variables that name the deleted key
(KMS_KEY_ID, KMS_KEY_ARN, KMS_KEY_ALIAS) are commented out (or removed: --env-cleanup remove):
every other byte stays, the write is atomic and the previous file is kept as FILE.bak. On a
terminal it asks (y/N); --yes or --env-cleanup does it without asking. With the stack already
deleted, \`kms-tui destroy --env-cleanup comment\` does only that, for a key that is pending
deletion or gone.`,
	examples: [
		'kms-tui destroy',
		'kms-tui destroy --yes --json',
		'kms-tui destroy --scan ~/backups --env-cleanup remove',
	],
	flags: destroyFlags,
	uses: ['json', 'yes'],
	positionals: {names: '', min: 0, max: 0},
	load: async () => (await import('./destroy.js')).runDestroy,
});

export const sandboxFlags = {
	port: {
		type: 'integer',
		value: 'N',
		needs: 'a port number from 0 to 65535',
		example: '4599',
		min: 0,
		max: 65535,
		actions: ['serve'],
		help: 'Port on 127.0.0.1 (default 0: a free one)',
	},
} as const satisfies FlagSpecs;

export const sandbox = defineCommand({
	name: 'sandbox',
	synopsis: 'sandbox serve|status|reset|advance',
	summary: 'The embedded local KMS + CloudFormation',
	title:
		'kms-tui sandbox: a local KMS and CloudFormation that speak the real AWS protocols on 127.0.0.1.',
	usage: [
		'kms-tui sandbox serve [--port N] [--sandbox-dir DIR] [--region R]',
		'kms-tui sandbox status [--json]',
		'kms-tui sandbox reset [--yes]',
		'kms-tui sandbox advance DURATION',
	],
	about: `serve     Runs until Ctrl-C (SIGINT) or SIGTERM and prints the endpoint, the region and the dummy
          credentials to use. --port 0 (the default) picks a free port. Several processes may
          share one sandbox directory safely.
status    Shows the state directory, whether a server is running, the sandbox clock and how many
          keys and stacks each region holds.
reset     Deletes all sandbox state (the previous file is kept as state.json.bak). Asks you to type
          "reset" unless --yes is given.
advance   Moves the sandbox clock forward: keys pending deletion are really deleted once their
          date passes, and automatic rotations run when they fall due. Units: ms s m h d w.`,
	examples: [
		'kms-tui sandbox serve --port 4599',
		'AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox \\\n      aws --endpoint-url http://127.0.0.1:4599 --region us-east-1 \\\n      cloudformation deploy --template-file KmsKey.yaml --stack-name KmsKey',
		'kms-tui sandbox advance 7d',
		'kms-tui sandbox status --json',
	],
	flags: sandboxFlags,
	uses: ['json', 'yes'],
	actions: {
		serve: {},
		status: {},
		reset: {},
		advance: {
			positionals: {
				names: 'DURATION',
				min: 1,
				max: 1,
				missing: 'Say how far to move the sandbox clock, e.g. `kms-tui sandbox advance 7d`.',
			},
		},
	},
	load: async () => {
		const {runSandboxCommand} = await import('./sandbox.js');
		return (context) =>
			runSandboxCommand(context.args, {
				sandboxDir: context.globals.sandboxDir ?? defaultSandboxDir(),
				port: context.flags.port,
				region: context.globals.region ?? process.env.AWS_REGION ?? 'us-east-1',
				json: context.options.json,
				yes: context.options.yes,
				readOnly: context.options.readOnly,
				stdout: context.stdout,
				stderr: context.stderr,
			});
	},
});

/** In the order `kms-tui --help` lists them. */
export const commands = [
	deploy,
	outputs,
	key,
	rotation,
	alias,
	deleteKey,
	encrypt,
	decrypt,
	inspect,
	rewrap,
	scan,
	policy,
	activity,
	destroy,
	sandbox,
] as const;
