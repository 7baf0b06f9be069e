#!/usr/bin/env bash
# apt_install <who> <what is missing> <package>: installs one Debian package,
# as root or through sudo, for the install-*.sh scripts (source this file).
# apt's progress goes to a log that is shown only when a step fails.
apt_install() {
  local who=$1 missing=$2 package=$3 log
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      echo "$who: $missing, and neither root nor sudo is available" >&2
      return 1
    fi
  fi
  echo "$who: installing Debian's $package"
  log=$(mktemp)
  if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "$package"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$who: apt-get failed" >&2
    return 1
  fi
  rm -f "$log"
}
