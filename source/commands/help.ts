/** Help texts: `kms-tui --help` and `kms-tui <command> --help`, each with examples. */

export const mainHelp = `
  kms-tui: the lifecycle of an AWS KMS key, from the terminal.

  Usage
    $ kms-tui <command> [options]

  Commands
    sandbox serve [--port N]   Run the embedded KMS + CloudFormation sandbox for other tools
    sandbox status             Where the sandbox keeps its state, its clock, what it holds
    sandbox reset              Delete every sandbox key, alias and stack
    sandbox advance DURATION   Move the sandbox clock forward (e.g. 7d) to see deletions and rotations happen

  Global options
    --sandbox-dir DIR   Sandbox state directory (default: your data dir; env KMS_TUI_SANDBOX_DIR)
    --region REGION     Region (sandbox default us-east-1)
    --json              Print one JSON document on stdout
    --yes, -y           Do not ask for confirmation
    --help, -h          Show help; \`kms-tui <command> --help\` for one command

  Examples
    $ kms-tui sandbox serve --port 4599
    $ aws --endpoint-url http://127.0.0.1:4599 --region us-east-1 kms list-keys
    $ kms-tui sandbox advance 7d
`;

const sandboxHelp = `
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
`;

const helpByCommand: Record<string, string> = {
	sandbox: sandboxHelp,
};

export function commandHelp(command: string | undefined): string {
	return (command && helpByCommand[command]) || mainHelp;
}
