#!/bin/bash
# Counts the copies of a data key left in the memory of `kms-tui decrypt` (docs/FORMAT.md §9).
#
#   bench/data-key-copies.sh [sandbox|endpoint]    (default: both; needs gdb's gcore and ptrace)
#
# Encrypts a 4 MiB file on a fresh sandbox, recovers its data key through a separate
# `sandbox serve`, then runs `decrypt FILE -o -` into a pipe nobody reads: once it has written
# what the pipe holds it is blocked mid-decrypt, with the key fetched and derived. gcore dumps
# it, and the dump is searched for the key's 32 bytes and for its base64. `sandbox` decrypts
# against the embedded sandbox (server and client in one process), `endpoint` against the
# separate server (--endpoint-url, as with AWS: only the client's copies count).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
modes=("${@:-sandbox}")
[ $# -eq 0 ] && modes=(sandbox endpoint)
work=$(mktemp -d "${TMPDIR:-/tmp}/kms-tui-key-copies.XXXXXX")
serve=''
trap '[ -n "$serve" ] && kill "$serve" 2> /dev/null; rm -rf "$work"' EXIT
export HOME=$work NO_COLOR=1 KMS_TUI_SANDBOX_STEP_MS=0 KMS_TUI_NO_CODE_CACHE=1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
cli() { node "$repo/dist/cli.js" "$@"; }
sb=$work/sandbox
head -c $((4 * 1024 * 1024)) /dev/urandom > "$work/f"
cli --sandbox --sandbox-dir "$sb" deploy --yes > /dev/null 2>&1
cli --sandbox --sandbox-dir "$sb" encrypt "$work/f" -o "$work/f.kms" > /dev/null 2>&1
port=$((20000 + RANDOM % 20000))
node "$repo/dist/cli.js" sandbox serve --port $port --sandbox-dir "$sb" > "$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 100); do grep -q "$port" "$work/serve.log" 2> /dev/null && break; sleep 0.1; done
key=$(cd "$repo" && node --input-type=module -e '
import {readFileSync} from "node:fs";
import {KMSClient, DecryptCommand} from "@aws-sdk/client-kms";
const header = JSON.parse(readFileSync(process.argv[1], "utf8").split("\n")[0]);
const find = (value) => {
	if (!value || typeof value !== "object") return undefined;
	for (const [name, inner] of Object.entries(value)) {
		if (/encrypteddatakey|ciphertextblob/i.test(name) && typeof inner === "string") return inner;
		const found = find(inner);
		if (found) return found;
	}
};
const context = header.encryptionContext ?? {};
const kms = new KMSClient({endpoint: process.argv[2], region: "us-east-1", credentials: {accessKeyId: "x", secretAccessKey: "x"}});
const out = await kms.send(new DecryptCommand({CiphertextBlob: Buffer.from(find(header), "base64"), EncryptionContext: Object.keys(context).length ? context : undefined}));
console.log(Buffer.from(out.Plaintext).toString("hex"));
kms.destroy();
' "$work/f.kms" "http://127.0.0.1:$port")
for mode in "${modes[@]}"; do
	if [ "$mode" = endpoint ]; then
		target=(--endpoint-url "http://127.0.0.1:$port" --region us-east-1)
		export AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox
	else
		target=(--sandbox --sandbox-dir "$sb")
	fi
	rm -f "$work/pipe" && mkfifo "$work/pipe"
	node "$repo/dist/cli.js" "${target[@]}" decrypt "$work/f.kms" -o - > "$work/pipe" 2> /dev/null &
	pid=$!
	exec 7< "$work/pipe"
	last=-1
	for _ in $(seq 300); do
		now=$(awk '/^wchar/ {print $2}' "/proc/$pid/io")
		[ "$now" = "$last" ] && [ "$now" -gt 65536 ] && break
		last=$now
		sleep 0.2
	done
	gcore -o "$work/core" $pid > /dev/null 2>&1
	node -e '
const core = require("node:fs").readFileSync(process.argv[1]);
const key = Buffer.from(process.argv[2], "hex");
const count = (needle) => { let n = 0; for (let at = core.indexOf(needle); at !== -1; at = core.indexOf(needle, at + 1)) n++; return n; };
console.log(`${process.argv[3]}: ${count(key)} raw, ${count(Buffer.from(key.toString("base64")))} base64`);
' "$work/core.$pid" "$key" "$mode"
	kill $pid 2> /dev/null || true
	exec 7<&-
	wait $pid 2> /dev/null || true
	rm -f "$work/core.$pid"
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
done
