#!/usr/bin/env bash
# The whole topology on this machine, no cluster needed: brings up the sandbox, runs verify, tears it down.
# Arguments are passed to `sandbox run` (see `./sandbox.sh --help`).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh
exec dotnet run --project sandbox -c Release -- run "$@"
