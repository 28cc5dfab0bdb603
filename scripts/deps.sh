#!/usr/bin/env bash
# Installs the Debian packages sanzhi needs to build, test and run.
# As root: apt-get installs what is missing. Otherwise: prints the one command to run.
set -euo pipefail

PKGS=(build-essential pkg-config ca-certificates dpkg-dev
      libmariadb-dev mariadb-server mariadb-client
      libcjson-dev libssl-dev libcmocka-dev zlib1g-dev libcurl4-openssl-dev python3-aiosmtpd
      libcairo2-dev libpango1.0-dev libqrencode-dev fonts-noto-cjk poppler-utils zbar-tools
      openssl curl wrk nodejs npm chromium)

# The tests' npm packages (tests/package.json, pinned by its lockfile; the JSON Schema validator
# that checks every answer against api/openapi.json): installed, or reinstalled when the lockfile
# changed, with npm ci. No root needed.
test_packages() {
  local t; t="$(dirname "$0")/../tests"
  if command -v npm >/dev/null && { [ ! -f "$t/node_modules/.package-lock.json" ] || [ "$t/package-lock.json" -nt "$t/node_modules/.package-lock.json" ]; }; then
    (cd "$t" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# nodejs/npm may come from elsewhere (nodesource); accept any working node.
missing=()
for p in "${PKGS[@]}"; do
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

need_src=0
[ -f /etc/apt/sources.list.d/sanzhi-src.sources ] || need_src=1

if [ ${#missing[@]} -eq 0 ] && [ $need_src -eq 0 ]; then
  test_packages
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "sanzhi needs these packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# deb-src entry so that the build can fetch CivetWeb's Debian source package.
if [ $need_src -eq 1 ]; then
  {
    echo "Types: deb-src"
    echo "URIs: http://deb.debian.org/debian"
    echo "Suites: bookworm bookworm-updates"
    echo "Components: main"
    echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
  } > /etc/apt/sources.list.d/sanzhi-src.sources
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
test_packages
