#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when /usr/bin/chromium is
# missing, then prints its version. Safe to run again: an installed Chromium is
# left as it is. Test tools' own browser downloads are not used.
set -euo pipefail
# shellcheck source=scripts/apt-install.sh
source "$(dirname "$0")/apt-install.sh"

CHROMIUM=/usr/bin/chromium

if [ ! -x "$CHROMIUM" ]; then
  apt_install install-chromium "$CHROMIUM is missing" chromium
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "install-chromium: $CHROMIUM is still missing after the install" >&2
  exit 1
fi
# Debian's launcher script may print a harmless shell warning while it picks
# its flags; only the version line is of interest.
"$CHROMIUM" --version 2>/dev/null
