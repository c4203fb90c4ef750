#!/usr/bin/env bash
# Installs the Debian packages the sandbox and its tests run (PostgreSQL 15, PgBouncer, and prometheus for promtool,
# which tests the alert rules) when missing.
set -euo pipefail

missing=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: ${missing[*]} missing; install them as root: apt-get install ${missing[*]}" >&2; exit 2; }
  sudo=(sudo)
fi
echo "Installing ${missing[*]} (Debian packages)..." >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
