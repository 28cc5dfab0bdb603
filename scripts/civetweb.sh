#!/usr/bin/env bash
# Fetches CivetWeb 1.15 from Debian's source package into build/civetweb (never committed).
# Debian's prebuilt libcivetweb was compiled for the OpenSSL 1.1 API and crashes on every
# HTTPS connection under OpenSSL 3, so the Makefile compiles civetweb.c itself with
# OPENSSL_API_3_0. Needs a deb-src entry (scripts/deps.sh adds one).
set -euo pipefail
dest=${1:-build/civetweb}
[ -f "$dest/src/civetweb.c" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get source --download-only civetweb >/dev/null 2>apt.err; then
  cat apt.err >&2
  echo "civetweb.sh: cannot fetch Debian's civetweb source package; run 'sudo scripts/deps.sh' (adds the deb-src entry and runs apt-get update)" >&2
  exit 1
fi
dsc=$(ls civetweb_1.15*.dsc 2>/dev/null | head -1)
[ -n "$dsc" ] || { echo "civetweb.sh: expected civetweb 1.15 source, got: $(ls)" >&2; exit 1; }
dpkg-source --no-check -x "$dsc" src >/dev/null
cd - >/dev/null
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
mv "$work/src" "$dest"
echo "civetweb: $(basename "$dsc" .dsc) unpacked into $dest"
