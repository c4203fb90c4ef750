#!/usr/bin/env bash
# Installs the Debian packages the project runs, when missing. Arguments name what is needed:
#   postgresql  PostgreSQL 15 (the sandbox and the tests)
#   pgbouncer   PgBouncer (the sandbox and the tests)
#   prometheus  the Prometheus server and promtool (`sandbox up --monitoring`; the tests of the alert rules)
# Without arguments, all three (what ./test.sh needs).
set -euo pipefail

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(postgresql pgbouncer prometheus)

missing=()
for component in "${wanted[@]}"; do
  case $component in
    postgresql) [ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15) ;;
    pgbouncer) [ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer) ;;
    prometheus) { command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; } || missing+=(prometheus) ;;
    *) echo "install-prerequisites.sh: '$component' is not one of: postgresql, pgbouncer, prometheus" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: ${missing[*]} missing; install them as root: apt-get install ${missing[*]}" >&2; exit 2; }
  sudo=(sudo)
fi
echo "Installing ${missing[*]} (Debian packages)..." >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
