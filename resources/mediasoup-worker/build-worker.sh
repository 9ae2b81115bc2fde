#!/usr/bin/env bash
# Build mediasoup-worker for the npm package mediasoup@$MEDIASOUP_VERSION on
# Debian bookworm using only `npm pack` (worker C++ sources) and Debian apt
# packages (no GitHub / wrapdb / PyPI downloads, no meson). libsrtp2 is built
# from Debian's source package with OpenSSL crypto (Debian's binary package
# uses NSS, which costs ~2.8x the CPU per listener); its source comes through
# apt with a private configuration under $WORKDIR: the system's apt sources
# are not edited. Source changes to the worker are the unified diffs in
# patches/ (applied with `patch -p1 --forward`, failing if one does not apply);
# compat/ holds a header that Debian does not package.
#
# Normally run through ensure-worker.sh (cache + version pin), not by hand.
# Usage:  MEDIASOUP_VERSION=3.27.1 ./build-worker.sh
# Env:    MEDIASOUP_VERSION (default 3.27.1)
#         WORKDIR      build directory (default ./mediasoup-worker-build-$MEDIASOUP_VERSION)
#         INSTALL_DEPS 1 (default) = apt-get update && apt-get install build deps
#         STATIC_DEPS  1 (default) = link libuv/libsrtp2/abseil/flatbuffers statically
#         OPT          optimisation flags (default "-O3", as upstream release build)
#         JOBS         parallel compile jobs (default nproc)
#         CXX, EXTRA_CXXFLAGS, EXTRA_LDFLAGS, NINJA_FLAGS  optional overrides
# Needs:  node/npm in PATH (mediasoup 3.27 needs node >= 22 at run time).
# Tested: mediasoup 3.27.1 on Debian 12 (bookworm) x86_64.
# Output: prints the absolute path of the built mediasoup-worker binary (last line).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"

MEDIASOUP_VERSION="${MEDIASOUP_VERSION:-3.27.1}"
WORKDIR="${WORKDIR:-$PWD/mediasoup-worker-build-$MEDIASOUP_VERSION}"
INSTALL_DEPS="${INSTALL_DEPS:-1}"
STATIC_DEPS="${STATIC_DEPS:-1}"
OPT="${OPT:--O3}"
JOBS="${JOBS:-$(nproc)}"

log() { echo "[build-worker] $*" >&2; }

if [ "$INSTALL_DEPS" = 1 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "installing build dependencies with apt-get"
  $SUDO apt-get update >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    g++ make patch pkg-config ninja-build \
    flatbuffers-compiler libflatbuffers-dev \
    libuv1-dev libssl-dev libabsl-dev dpkg-dev >&2
fi
command -v npm >/dev/null || { log "npm not found in PATH"; exit 1; }

mkdir -p "$WORKDIR"
cd "$WORKDIR"
WORKDIR="$(pwd -P)"
rm -rf package build

# ---------------------------------------------------------------------------
# 0. libsrtp2 from Debian's source package, configured with OpenSSL crypto.
#    `apt-get source` needs deb-src entries, which Debian does not configure by
#    default. Rather than add them to /etc/apt, apt runs here on a private
#    configuration under $WORKDIR/apt: a sources list with the deb-src twin of
#    each of the system's deb entries, its own package lists and cache. Nothing
#    under /etc/apt, /var/lib/apt or /var/cache/apt is written; no sudo needed.
# ---------------------------------------------------------------------------
SRTP_A="$WORKDIR/libsrtp2/libsrtp2.a"
if [ ! -f "$SRTP_A" ]; then
  APT_DIR="$WORKDIR/apt"
  rm -rf "$APT_DIR"
  mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  : > "$APT_DIR/sources.list"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    case "$f" in */spacecraft-deb-src.sources) continue ;; esac
    sed -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$f" > "$APT_DIR/sources.list.d/$(basename "$f")"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    case "$f" in */spacecraft-deb-src.list) continue ;; esac
    { grep -hE '^[[:space:]]*deb[[:space:]]' "$f" || true; } | sed -E 's/^[[:space:]]*deb[[:space:]]/deb-src /' >> "$APT_DIR/sources.list"
  done
  for f in /etc/apt/sources.list.d/spacecraft-deb-src.sources /etc/apt/sources.list.d/spacecraft-deb-src.list; do
    [ -f "$f" ] && log "note: $f was added by an earlier version of this script and is no longer needed (sudo rm $f)"
  done
  APT_OPTS=(
    -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
    -o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d"
    -o "Dir::State::Lists=$APT_DIR/lists"
    -o "Dir::Cache=$APT_DIR/cache"
    -o "APT::Sandbox::User=$(id -un)"
  )
  log "apt-get update (private deb-src lists in $APT_DIR; the system's apt configuration is left alone)"
  apt-get "${APT_OPTS[@]}" update >&2 || log "apt-get update reported errors (checked below: only libsrtp2's source is needed)"
  rm -rf "$WORKDIR/libsrtp2-src" && mkdir -p "$WORKDIR/libsrtp2-src"
  log "apt-get source libsrtp2"
  if ! (cd "$WORKDIR/libsrtp2-src" && apt-get "${APT_OPTS[@]}" source libsrtp2 >&2); then
    log "could not download Debian's libsrtp2 source package with deb-src entries derived from"
    log "/etc/apt/sources.list{,.d/*}: see the apt errors above"
    exit 1
  fi
  SRTP_SRC="$(find "$WORKDIR/libsrtp2-src" -mindepth 1 -maxdepth 1 -type d -name 'libsrtp2-*' | head -n1)"
  log "building libsrtp2 with OpenSSL crypto ($SRTP_SRC)"
  (cd "$SRTP_SRC" && CFLAGS="-O3 -fPIC" ./configure --enable-openssl >&2 && make -j "$JOBS" libsrtp2.a >&2)
  mkdir -p "$WORKDIR/libsrtp2/include/srtp2"
  cp "$SRTP_SRC/include/srtp.h" "$SRTP_SRC/crypto/include/auth.h" "$SRTP_SRC/crypto/include/cipher.h" \
    "$SRTP_SRC/crypto/include/crypto_types.h" "$WORKDIR/libsrtp2/include/srtp2/"
  cp "$SRTP_SRC/libsrtp2.a" "$SRTP_A"
fi
log "npm pack mediasoup@$MEDIASOUP_VERSION"
TGZ="$(npm pack "mediasoup@$MEDIASOUP_VERSION" --silent | tail -n1)"
tar xzf "$TGZ"
SRC="$WORKDIR/package/worker"
B="$WORKDIR/build"
mkdir -p "$B/compat" "$B/fbs/FBS" "$B/obj"

# ---------------------------------------------------------------------------
# 1. Source patches: patches/*.patch, unified diffs against the npm package's
#    root (each file's header says why it is needed). Every one must apply
#    exactly (no fuzz); one that does not (a new mediasoup version) stops the build.
# ---------------------------------------------------------------------------
for p in "$HERE"/patches/*.patch; do
  [ -f "$p" ] || { log "no patches found in $HERE/patches"; exit 1; }
  log "applying $(basename "$p")"
  if ! patch -d "$WORKDIR/package" -p1 --forward --fuzz=0 --no-backup-if-mismatch --reject-file=- >&2 < "$p"; then
    log "patch $(basename "$p") does not apply to mediasoup $MEDIASOUP_VERSION: update it (see its header)"
    exit 1
  fi
done

# ---------------------------------------------------------------------------
# 2. ankerl::unordered_dense (header-only, not packaged in bookworm): a minimal
#    compat header aliasing the std containers (compat/ankerl/unordered_dense.h).
# ---------------------------------------------------------------------------
cp -R "$HERE/compat/ankerl" "$B/compat/"
cd "$SRC"

# ---------------------------------------------------------------------------
# 3. FlatBuffers C++ headers generated with Debian's flatc 2.0.8 (same flags
#    as worker/fbs/FBS/meson.build).
# ---------------------------------------------------------------------------
log "flatc $(flatc --version)"
flatc --cpp --cpp-field-case-style lower --reflect-names --scoped-enums \
  --filename-suffix '' -o "$B/fbs/FBS" fbs/*.fbs

# ---------------------------------------------------------------------------
# 4. Source lists taken from upstream meson files; generate build.ninja.
# ---------------------------------------------------------------------------
WORKER_SRCS="$(grep -oE "^[[:space:]]*'src/[^']+\.cpp'" meson.build | tr -d " \t'") src/main.cpp"
WEBRTC_SRCS=""
USE_LIBWEBRTC=0
if [ -f deps/libwebrtc/meson.build ]; then
  USE_LIBWEBRTC=1
  WEBRTC_SRCS="$(grep -oE "^[[:space:]]*'libwebrtc/[^']+\.cc'" deps/libwebrtc/meson.build | tr -d " \t'" | sed 's#^#deps/libwebrtc/#')"
fi

if [ "$STATIC_DEPS" = 1 ]; then
  ABSL_LIBS="$(pkg-config --static --libs absl_strings absl_optional absl_memory 2>/dev/null | sed -E 's/-l(absl_[a-z0-9_]+)/-l:lib\1.a/g')"
  DEP_LIBS="$SRTP_A -l:libuv_a.a -l:libflatbuffers.a $ABSL_LIBS -lssl -lcrypto -lpthread -ldl -lrt"
else
  DEP_LIBS="$SRTP_A -luv -lflatbuffers $(pkg-config --libs absl_strings absl_optional absl_memory) -lssl -lcrypto -lpthread -ldl -lrt"
fi

DEFS="-DMS_LITTLE_ENDIAN -DNDEBUG -DFLATBUFFERS_LOCALE_INDEPENDENT=1 -D_FILE_OFFSET_BITS=64"
[ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ] || DEFS="${DEFS/MS_LITTLE_ENDIAN/MS_BIG_ENDIAN}"
INCS="-I$SRC/include -I$B/fbs -I$B/compat -I$WORKDIR/libsrtp2/include -I$WORKDIR/libsrtp2/include/srtp2 -I$SRC/deps/libwebrtc -I$SRC/deps/libwebrtc/libwebrtc"
CXXFLAGS_ALL="-std=c++20 $OPT -pipe -Wall -Wno-unused-parameter $DEFS $INCS ${EXTRA_CXXFLAGS:-}"

{
  echo "cxx = ${CXX:-g++}"
  echo "cflags = $CXXFLAGS_ALL"
  echo "rule cxx"
  echo "  command = \$cxx \$cflags \$extra -MD -MF \$out.d -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = CXX \$in"
  echo "rule link"
  echo "  command = \$cxx -o \$out \$in -Wl,--as-needed $DEP_LIBS ${EXTRA_LDFLAGS:-}"
  echo "  description = LINK \$out"
  OBJS=""
  for s in $WORKER_SRCS; do
    o="obj/${s%.*}.o"; OBJS="$OBJS $o"
    echo "build $o: cxx $SRC/$s"
    echo "  extra = -DMS_EXECUTABLE"
  done
  for s in $WEBRTC_SRCS; do
    o="obj/${s%.*}.o"; OBJS="$OBJS $o"
    echo "build $o: cxx $SRC/$s"
  done
  echo "build mediasoup-worker: link $OBJS"
  echo "default mediasoup-worker"
} > "$B/build.ninja"

log "compiling $(echo $WORKER_SRCS $WEBRTC_SRCS | wc -w) files with $JOBS jobs"
ninja -C "$B" -j "$JOBS" ${NINJA_FLAGS:-} >&2
cp "$B/mediasoup-worker" "$WORKDIR/mediasoup-worker"
strip -o "$WORKDIR/mediasoup-worker.stripped" "$WORKDIR/mediasoup-worker"
log "done"
echo "$WORKDIR/mediasoup-worker"
