#!/usr/bin/env bash
# Prints the path of pocketsphinx-lines, Spacecraft's default caption engine (a small C
# helper over PocketSphinx's streaming API, pocketsphinx-lines.c beside this script),
# building it with the system C compiler when the cache outside the repo does not hold
# one yet. Needs Debian's libpocketsphinx-dev and libsphinxbase-dev (and, to run,
# pocketsphinx-en-us). Progress goes to stderr; the path is the only stdout line.
#
# Cache: $SPACECRAFT_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/spacecraft)
#        /caption-engine/<os>-<arch>-<inputs hash>/pocketsphinx-lines
#        where the inputs hash covers this script, the C source and the PocketSphinx
#        library version: changing any of them builds a new helper.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
log() { echo "[caption-engine] $*" >&2; }

command -v pkg-config >/dev/null || { log "pkg-config is missing (apt-get install pkg-config)"; exit 1; }
if ! pkg-config --exists pocketsphinx sphinxbase; then
  log "PocketSphinx headers are missing (apt-get install libpocketsphinx-dev libsphinxbase-dev)"; exit 1
fi
CC="${CC:-cc}"
OS="$( (. /etc/os-release && echo "${ID:-linux}${VERSION_ID:-}") 2>/dev/null || echo linux)"
LIBS="$(pkg-config --modversion pocketsphinx sphinxbase | tr '\n' ' ')"
INPUTS_HASH="$( (cd "$HERE" && cat ensure-engine.sh pocketsphinx-lines.c; echo "$LIBS") | sha256sum | cut -c1-12)"
KEY="$OS-$(uname -m)-$INPUTS_HASH"
CACHE="${SPACECRAFT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spacecraft}/caption-engine/$KEY"
BIN="$CACHE/pocketsphinx-lines"

if [ -x "$BIN" ]; then
  log "cached helper $KEY"
  echo "$BIN"; exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ ! -x "$BIN" ]; then
  log "building pocketsphinx-lines (PocketSphinx $LIBS)"
  # shellcheck disable=SC2046 # pkg-config prints several words on purpose
  "$CC" -O2 -std=gnu11 -Wall -Wextra -Werror -o "$BIN.tmp" "$HERE/pocketsphinx-lines.c" \
    $(pkg-config --cflags --libs pocketsphinx sphinxbase)
  mv "$BIN.tmp" "$BIN"
  log "built, cached at $BIN"
fi
echo "$BIN"
