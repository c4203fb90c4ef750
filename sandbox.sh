#!/usr/bin/env bash
# The whole topology on this machine, no cluster needed: brings up the sandbox, runs verify, tears it down.
# Arguments are passed to `sandbox run` (see `./sandbox.sh --help`).
set -euo pipefail
cd "$(dirname "$0")"
echo "[sandbox.sh] Checking for postgresql-15 and pgbouncer" >&2
scripts/install-prerequisites.sh >&2
echo "[sandbox.sh] Building the sandbox and verify (about a minute the first time)" >&2
if ! build=$(dotnet build sandbox -c Release -nologo -v quiet 2>&1); then
  echo "$build" >&2
  exit 1
fi
# The built executable, not `dotnet run`: faster, and SIGINT/SIGTERM reach the sandbox itself, which stops every
# server and removes every key before it exits.
exec sandbox/bin/Release/net10.0/sandbox run "$@"
