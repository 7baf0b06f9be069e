#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries for the tests and the bench when
# none are installed (no /usr/lib/postgresql/<version>/bin/initdb), then prints
# the version found. Safe to run again: installed binaries are left as they
# are. No cluster is created or started here: the test suite starts its own
# throwaway cluster (test/global-setup-postgres.ts), and Debian's own default
# cluster, if the package starts one, is not used.
set -euo pipefail

find_initdb() {
  local found
  found=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ] && command -v initdb >/dev/null 2>&1; then
    found=$(command -v initdb)
  fi
  printf '%s' "$found"
}

if [ -z "$(find_initdb)" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-postgres: no PostgreSQL server binaries, and neither root nor sudo is available" >&2
    exit 1
  fi
  echo "install-postgres: installing Debian's postgresql"
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  # apt's progress goes to the log, shown only when a step fails.
  if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends postgresql; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-postgres: apt-get failed" >&2
    exit 1
  fi
fi

initdb=$(find_initdb)
if [ -z "$initdb" ]; then
  echo "install-postgres: initdb is still missing after the install" >&2
  exit 1
fi
"$initdb" --version
