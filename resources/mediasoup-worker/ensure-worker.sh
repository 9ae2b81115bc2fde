#!/usr/bin/env bash
# Prints the path of a mediasoup-worker binary for the mediasoup version pinned in
# package.json, building it with build-worker.sh when the cache outside the repo
# does not hold one yet. Progress goes to stderr; the path is the only stdout line.
#
# Cache: $SPACECRAFT_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/spacecraft)
#        /mediasoup-worker/<version>-<os>-<arch>-<inputs hash>/mediasoup-worker
#        where the inputs hash covers build-worker.sh, patches/ and compat/ (names and
#        content): changing any of them builds a new worker.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"
log() { echo "[mediasoup-worker] $*" >&2; }

VERSION="$(node -p "require('$ROOT/package.json').dependencies.mediasoup")"
if ! [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  log "package.json must pin mediasoup to an exact version (found '$VERSION')"; exit 1
fi
OS="$( (. /etc/os-release && echo "${ID:-linux}${VERSION_ID:-}") 2>/dev/null || echo linux)"
INPUTS_HASH="$(cd "$HERE" && find build-worker.sh patches compat -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
KEY="$VERSION-$OS-$(uname -m)-$INPUTS_HASH"
CACHE="${SPACECRAFT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spacecraft}/mediasoup-worker/$KEY"
BIN="$CACHE/mediasoup-worker"

if [ -x "$BIN" ]; then
  log "cached worker $KEY"
  echo "$BIN"; exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ ! -x "$BIN" ]; then
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  log "building mediasoup-worker $VERSION from source (about 4-5 minutes on 2 cores; progress below)"
  START=$SECONDS
  OUT="$(WORKDIR="$WORK" MEDIASOUP_VERSION="$VERSION" bash "$HERE/build-worker.sh" | tail -n1)"
  cp "$OUT.stripped" "$BIN.tmp" && chmod +x "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
  log "built in $((SECONDS - START)) s, cached at $BIN"
fi
echo "$BIN"
