/** Help texts: `kms-tui --help` and `kms-tui <command> --help`, each with examples. */

export const mainHelp = `
  kms-tui: the lifecycle of an AWS KMS key, from the terminal.

  Usage
    $ kms-tui <command> [options]

  Commands
    deploy [--template F] [--param K=V]…   Create or update the KmsKey stack through a change set
    outputs [--write-env]                  Show the stack outputs; merge KMS_KEY_ID etc. into .env
    key                                    Key metadata, state, aliases and rotation summary
    rotation status|enable|disable|rotate-now|history
    alias list|create NAME|update NAME|delete NAME
    delete-key [--days 7..30] | --cancel [--enable] | --enable
    encrypt FILE|- [-o OUT] [--context k=v]… [--format binary|json]
                                           Envelope-encrypt a file; prints the path written
    decrypt FILE|- [-o OUT] [--context k=v]…
                                           Decrypt an envelope; prints the path written
    inspect FILE                           Show an envelope's header (key, context, sizes); no KMS call
    destroy                                Delete the stack and say what became of the key
    sandbox serve|status|reset|advance     The embedded local KMS + CloudFormation

  Where your keys live (first line on stderr says which)
    --sandbox             The embedded sandbox (default when no AWS configuration is found)
    --profile NAME        Real AWS with this profile (SSO included)
    --region REGION       Region (real AWS, or the sandbox's region)
    --endpoint-url URL    Any KMS-compatible endpoint (LocalStack, moto, kms-tui sandbox serve)
    --sandbox-dir DIR     Sandbox state directory (env KMS_TUI_SANDBOX_DIR)

  Options
    --stack-name NAME     Stack name (default KmsKey)
    --env-file FILE       The .env file to read and write (default .env)
    --key ID|ALIAS        The key (default: KMS_KEY_ID from the environment or .env, else the stack's KeyId)
    --json                Print one JSON document on stdout
    --yes, -y             Do not ask for confirmation (required when stdin is not a terminal)
    --read-only           Refuse anything that changes state
    --help, -h            Show help; \`kms-tui <command> --help\` for one command

  Examples
    $ kms-tui deploy --yes
    $ kms-tui outputs --write-env
    $ kms-tui rotation enable --period 180
    $ kms-tui alias create alias/demo
    $ kms-tui encrypt data-file.txt
    $ kms-tui decrypt data-file.txt.kms
    $ kms-tui delete-key --days 7
    $ kms-tui destroy --yes

  Exit status: 0 success, 1 the operation failed, 2 the command line is wrong.
`;

const helpByCommand: Record<string, string> = {
	deploy: `
  kms-tui deploy: create or update the stack, as \`aws cloudformation deploy\` does.

  Usage
    $ kms-tui deploy [--template FILE] [--param KEY=VALUE]… [--stack-name NAME] [--yes]

  Creates a change set, shows the planned changes and asks before executing them (--yes skips the
  question; without a terminal, --yes is required). Events stream while CloudFormation works.
  "No changes" is success. The template defaults to ./KmsKey.yaml, else the one kms-tui ships.
  Each --param is checked against the template's constraints (AllowedValues, AllowedPattern,
  Min/MaxValue, Min/MaxLength) before any call, with CloudFormation's message (exit 2).

  KmsKey.yaml parameters
    AliasName             alias for the key (default alias/kms-tui-demo)
    PendingWindowInDays   waiting period when the stack is deleted, 7–30 (default 7)
    RotationPeriodInDays  automatic rotation period, 90–2560 (default 365)

  Examples
    $ kms-tui deploy
    $ kms-tui deploy --yes --param AliasName=alias/my-app
    $ kms-tui deploy --template other.yaml --stack-name Other --json --yes
`,
	outputs: `
  kms-tui outputs: the stack's outputs, and the .env file that scripts read them from.

  Usage
    $ kms-tui outputs [--write-env] [--env-file FILE] [--stack-name NAME]

  --write-env merges KMS_KEY_ID, KMS_KEY_ARN, KMS_KEY_ALIAS, AWS_REGION and KMS_STACK_NAME into the
  .env file: comments, order and other variables stay byte for byte, the change is shown, the write
  is atomic and the previous file is kept as FILE.bak. New files are created with mode 0600.

  Examples
    $ kms-tui outputs
    $ kms-tui outputs --write-env
    $ kms-tui outputs --json
`,
	key: `
  kms-tui key: metadata, state, aliases and rotation summary of the key.

  Usage
    $ kms-tui key [--key ID|ALIAS] [--json]

  Examples
    $ kms-tui key
    $ kms-tui key --key alias/demo --json
`,
	rotation: `
  kms-tui rotation: automatic and on-demand rotation of the key.

  Usage
    $ kms-tui rotation status            on/off, period, next date, on-demand rotations left (of 25)
    $ kms-tui rotation enable [--period DAYS]   turn automatic rotation on (90–2560 days, default 365)
    $ kms-tui rotation disable
    $ kms-tui rotation rotate-now        rotate once now (at most 25 times per key, ever)
    $ kms-tui rotation history           every rotation with its date and type

  Rotation gives the key new key material; data encrypted before still decrypts.

  Examples
    $ kms-tui rotation enable --period 180
    $ kms-tui rotation rotate-now --key alias/demo
`,
	alias: `
  kms-tui alias: friendly names for keys.

  Usage
    $ kms-tui alias list
    $ kms-tui alias create alias/NAME [--key KEY]   (default: the current key)
    $ kms-tui alias update alias/NAME --key KEY     point an alias at another key
    $ kms-tui alias delete alias/NAME

  Names start with alias/, use letters, digits and / _ - :, and may not start with alias/aws/.

  Examples
    $ kms-tui alias create alias/demo
    $ kms-tui alias delete alias/demo
`,
	'delete-key': `
  kms-tui delete-key: schedule the key's deletion, or take it back.

  Usage
    $ kms-tui delete-key [--days 7..30] [--yes]   schedule deletion (default 30 days)
    $ kms-tui delete-key --cancel [--enable]      cancel; the key stays Disabled unless --enable
    $ kms-tui delete-key --enable                 enable a disabled key

  Asks you to type the key's alias (or id) unless --yes. When the date passes, the key and
  everything encrypted under it are gone for good.

  Examples
    $ kms-tui delete-key --days 7
    $ kms-tui delete-key --cancel --enable
`,
	destroy: `
  kms-tui destroy: delete the stack.

  Usage
    $ kms-tui destroy [--stack-name NAME] [--yes]

  Streams the events, then says what became of the key: pending deletion until a date (the
  template's PendingWindowInDays), or retained.

  Examples
    $ kms-tui destroy
    $ kms-tui destroy --yes --json
`,
	encrypt: `
  kms-tui encrypt: envelope-encrypt a file with a fresh data key from KMS.

  Usage
    $ kms-tui encrypt FILE|- [-o OUT] [--context KEY=VALUE]… [--format binary|json] [--force]

  One GenerateDataKey call per file; the data is encrypted locally with AES-256-GCM in 1 MiB
  frames, and the encrypted data key is stored in the envelope's header. The plaintext data key
  is wiped from memory as soon as the file key is derived. Prints the path it wrote.

  Output: FILE.kms (binary, any size, the default) or FILE.kms.json (--format json: one readable
  JSON document, for learning and files under 64 MiB). An existing file is never overwritten
  without --force; nothing partial is ever left behind. '-' reads stdin / writes stdout.

  --context pairs are bound to the data key by KMS: decrypting needs the same pairs (they are
  stored in the header, so decrypt finds them itself).

  Examples
    $ kms-tui encrypt data-file.txt
    $ kms-tui encrypt report.pdf --context project=apollo -o /backups/report.pdf.kms
    $ tar c dir | kms-tui encrypt - > dir.tar.kms
    $ kms-tui encrypt notes.txt --format json
`,
	decrypt: `
  kms-tui decrypt: decrypt an envelope (binary or JSON, detected).

  Usage
    $ kms-tui decrypt FILE|- [-o OUT] [--context KEY=VALUE]… [--force]

  One Decrypt call per file, for the data key. Every frame is authenticated; the output is
  written to a temporary file and renamed into place only after the last frame verified, so a
  modified or cut-off envelope leaves nothing behind. Decrypted files are created mode 0600.
  Default output: FILE without .kms / .kms.json (" (1)" added if that name exists). Prints the
  path it wrote. --context pairs must be in the envelope's context (checked before KMS).

  Examples
    $ kms-tui decrypt data-file.txt.kms
    $ kms-tui decrypt backup.kms -o restored.tar
    $ kms-tui decrypt - < dir.tar.kms | tar x
`,
	inspect: `
  kms-tui inspect: what an envelope says about itself, without calling KMS.

  Usage
    $ kms-tui inspect FILE [--json]

  Shows the key ARN, encryption context, algorithm, sizes, frame count, creation time and format
  version. Nothing is verified until you decrypt.

  Examples
    $ kms-tui inspect data-file.txt.kms
    $ head -n1 data-file.txt.kms     # the header is one readable JSON line
`,
	sandbox: `
  kms-tui sandbox: a local KMS and CloudFormation that speak the real AWS protocols on 127.0.0.1.

  Usage
    $ kms-tui sandbox serve [--port N] [--sandbox-dir DIR] [--region R]
    $ kms-tui sandbox status [--json]
    $ kms-tui sandbox reset [--yes]
    $ kms-tui sandbox advance DURATION

  serve     Runs until Ctrl-C (SIGINT) or SIGTERM and prints the endpoint, the region and the dummy
            credentials to use. --port 0 (the default) picks a free port. Several processes may
            share one sandbox directory safely.
  status    Shows the state directory, whether a server is running, the sandbox clock and how many
            keys and stacks each region holds.
  reset     Deletes all sandbox state (the previous file is kept as state.json.bak). Asks you to type
            "reset" unless --yes is given.
  advance   Moves the sandbox clock forward: keys pending deletion are really deleted once their
            date passes, and automatic rotations run when they fall due. Units: ms s m h d w.

  Examples
    $ kms-tui sandbox serve --port 4599
    $ AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox \\
        aws --endpoint-url http://127.0.0.1:4599 --region us-east-1 \\
        cloudformation deploy --template-file KmsKey.yaml --stack-name KmsKey
    $ kms-tui sandbox advance 7d
    $ kms-tui sandbox status --json
`,
};

export function commandHelp(command: string | undefined): string {
	return (command && helpByCommand[command]) || mainHelp;
}
