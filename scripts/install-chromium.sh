#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when /usr/bin/chromium is
# missing, then prints its version. Safe to run again: an installed Chromium is
# left as it is. Test tools' own browser downloads are not used.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-chromium: $CHROMIUM is missing and neither root nor sudo is available" >&2
    exit 1
  fi
  echo "install-chromium: installing Debian's chromium"
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  # apt's progress goes to the log, shown only when a step fails.
  if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-chromium: apt-get failed" >&2
    exit 1
  fi
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "install-chromium: $CHROMIUM is still missing after the install" >&2
  exit 1
fi
# Debian's launcher script may print a harmless shell warning while it picks
# its flags; only the version line is of interest.
"$CHROMIUM" --version 2>/dev/null
