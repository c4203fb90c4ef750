#!/usr/bin/env bash
# The whole topology on this machine, no cluster needed.
#   ./sandbox.sh [OPTIONS]            `sandbox run`: brings the sandbox up, runs verify, tears it down
#   ./sandbox.sh COMMAND [OPTIONS]    any sandbox command: up, down, status, stop, start, switchover, failover,
#                                     rotate, link (./sandbox.sh up keeps a sandbox running; ./sandbox.sh down ends it)
#   ./sandbox.sh --help               the options of `sandbox run`; ./sandbox.sh COMMAND --help for a command's
set -euo pipefail
cd "$(dirname "$0")"

# What the sandbox runs: PostgreSQL and PgBouncer; Prometheus only for --monitoring.
components=(postgresql pgbouncer)
for arg in "$@"; do
  [ "$arg" = --monitoring ] && components+=(prometheus)
done
echo "[sandbox.sh] Checking for ${components[*]}" >&2
scripts/install-prerequisites.sh "${components[@]}" >&2

# The first build restores packages and compiles five projects (about a minute and a half on two cores): each
# project is named as it is built, and the whole log is shown only if the build fails.
echo "[sandbox.sh] Building the sandbox and verify" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
started=$SECONDS
if ! dotnet build sandbox -c Release -nologo -v minimal 2>&1 | tee "$log" | while IFS= read -r line; do
  case $line in
    *" -> "*) project=${line%% -> *}; echo "[sandbox.sh]   built ${project##* } ($((SECONDS - started)) s)" >&2 ;;
    *"Restored "*) echo "[sandbox.sh]   restored the packages of $(basename "${line#*Restored }" | cut -d' ' -f1)" >&2 ;;
  esac
done; then
  cat "$log" >&2
  exit 1
fi
rm -f "$log"

# The built executable, not `dotnet run`: faster, and SIGINT/SIGTERM reach the sandbox itself (exec), which stops every
# server and removes every key before it exits.
sandbox=sandbox/bin/Release/net10.0/sandbox
case "${1:-}" in
  "" | -*) exec "$sandbox" run "$@" ;;
  *) exec "$sandbox" "$@" ;;
esac
