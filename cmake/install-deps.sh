#!/usr/bin/env bash
# Installs the Debian packages crmkit builds with, only those missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail
# libpq-dev: PostgreSQL's C client, which the library links for its second backend;
# postgresql: the server the tests start privately (tests/postgres/with_server.sh).
packages=(cmake make g++ ccache pkgconf python3 libsqlite3-dev sqlite3 libsqlitecpp-dev libfmt-dev catch2
          nlohmann-json3-dev libcli11-dev libboost-math-dev libphonenumber-dev libidn2-dev nettle-dev python3-pandas chromium librsvg2-bin
          libpq-dev postgresql)
if [ "${CRMKIT_WITH_CLANG:-0}" = 1 ]; then packages+=(clang libclang-rt-14-dev); fi
# Node and npm run the browser test (tests/browser): Debian's unless the machine has its own.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: missing packages; run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
