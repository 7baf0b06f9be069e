#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries for the tests and the bench when
# none are installed (no /usr/lib/postgresql/<version>/bin/initdb), then prints
# the version found. Safe to run again: installed binaries are left as they
# are. No cluster is created or started here: the test suite starts its own
# throwaway cluster (test/global-setup-postgres.ts), and Debian's own default
# cluster, if the package starts one, is not used.
set -euo pipefail
# shellcheck source=scripts/apt-install.sh
source "$(dirname "$0")/apt-install.sh"

find_initdb() {
  local found
  found=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ] && command -v initdb >/dev/null 2>&1; then
    found=$(command -v initdb)
  fi
  printf '%s' "$found"
}

if [ -z "$(find_initdb)" ]; then
  apt_install install-postgres "no PostgreSQL server binaries" postgresql
fi

initdb=$(find_initdb)
if [ -z "$initdb" ]; then
  echo "install-postgres: initdb is still missing after the install" >&2
  exit 1
fi
"$initdb" --version
