#!/usr/bin/env bash
# Build mediasoup-worker for the npm package mediasoup@$MEDIASOUP_VERSION on
# Debian bookworm using only `npm pack` (worker C++ sources) and Debian apt
# packages (no GitHub / wrapdb / PyPI downloads, no meson). libsrtp2 is built
# from Debian's source package with OpenSSL crypto (Debian's binary package
# uses NSS, which costs ~2.8x the CPU per listener).
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
# ---------------------------------------------------------------------------
SRTP_A="$WORKDIR/libsrtp2/libsrtp2.a"
if [ ! -f "$SRTP_A" ]; then
  if ! apt-get source --print-uris libsrtp2 >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    log "adding a deb-src entry (Debian source packages) for libsrtp2"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        | $SUDO tee /etc/apt/sources.list.d/spacecraft-deb-src.sources >/dev/null
    else
      grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
        | $SUDO tee /etc/apt/sources.list.d/spacecraft-deb-src.list >/dev/null
    fi
    $SUDO apt-get update >&2
  fi
  rm -rf "$WORKDIR/libsrtp2-src" && mkdir -p "$WORKDIR/libsrtp2-src"
  log "apt-get source libsrtp2"
  (cd "$WORKDIR/libsrtp2-src" && apt-get source libsrtp2 >&2)
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
mkdir -p "$B/compat/ankerl" "$B/fbs/FBS" "$B/obj"
cd "$SRC"

# ---------------------------------------------------------------------------
# 1. Patches (all are no-ops for code that doesn't need them).
# 1a. Debian's OpenSSL is built with KTLS support. mediasoup's BIO callback
#     returns 1 for BIO_CB_CTRL|BIO_CB_RETURN, so BIO_get_ktls_send() on the
#     write BIO returns 1, libssl then skips allocating its record write buffer
#     and segfaults writing the ServerHello. Return the real result instead.
# ---------------------------------------------------------------------------
if grep -q '(operationType == BIO_CB_RETURN)' src/RTC/DtlsTransport.cpp; then
  log "patching DtlsTransport.cpp BIO callback (KTLS-enabled system OpenSSL)"
  sed -i 's/(operationType == BIO_CB_RETURN)/(operationType \& BIO_CB_RETURN)/' src/RTC/DtlsTransport.cpp
fi
# ---------------------------------------------------------------------------
# 1b. libsrtp3 (versatica fork) API -> libsrtp2 2.5 API (Debian).
# ---------------------------------------------------------------------------
if grep -q 'srtp_policy_create' src/RTC/SrtpSession.cpp; then
  log "patching worker for libsrtp2"
  patch -p2 --no-backup-if-mismatch >&2 <<'PATCH_EOF'
diff -ru orig/worker/include/RTC/SrtpSession.hpp mod/worker/include/RTC/SrtpSession.hpp
--- orig/worker/include/RTC/SrtpSession.hpp	2026-11-25 13:06:20.401690753 +0000
+++ mod/worker/include/RTC/SrtpSession.hpp	2026-11-25 13:09:03.977170316 +0000
@@ -44,7 +44,7 @@
 		bool DecryptSrtcp(uint8_t* data, size_t* len);
 		void RemoveStream(uint32_t ssrc)
 		{
-			srtp_stream_remove(this->session, htonl(ssrc));
+			srtp_remove_stream(this->session, htonl(ssrc));
 		}
 
 	private:
--- orig/worker/src/DepLibSRTP.cpp	2026-11-25 13:06:20.354596203 +0000
+++ mod/worker/src/DepLibSRTP.cpp	2026-11-25 13:06:20.692355234 +0000
@@ -45,9 +45,7 @@
 	{ srtp_err_status_pfkey_err,     "error while using pfkey" },
 	{ srtp_err_status_bad_mki,       "error MKI present in packet is invalid" },
 	{ srtp_err_status_pkt_idx_old,   "packet index is too old to consider" },
-	{ srtp_err_status_pkt_idx_adv,   "packet index advanced, reset needed" },
-	{ srtp_err_status_buffer_small,  "out buffer is too small" },
-	{ srtp_err_status_cryptex_err,   "unsupported cryptex operation" }
+	{ srtp_err_status_pkt_idx_adv,   "packet index advanced, reset needed" }
 };
 // clang-format on
 
--- orig/worker/src/RTC/SrtpSession.cpp	2026-11-25 13:06:20.352033847 +0000
+++ mod/worker/src/RTC/SrtpSession.cpp	2026-11-25 13:06:20.691973237 +0000
@@ -5,6 +5,7 @@
 #include "DepLibSRTP.hpp"
 #include "Logger.hpp"
 #include "MediaSoupErrors.hpp"
+#include <cstring> // std::memcpy(), std::memset()
 
 namespace RTC
 {
@@ -132,34 +133,42 @@
 	{
 		MS_TRACE();
 
-		srtp_profile_t profile;
+		// Patched for libsrtp2 (Debian) API.
+		srtp_policy_t policy; // NOLINT(cppcoreguidelines-pro-type-member-init)
+
+		std::memset(std::addressof(policy), 0, sizeof(srtp_policy_t));
 
 		switch (cryptoSuite)
 		{
 			case CryptoSuite::AEAD_AES_256_GCM:
 			{
-				profile = srtp_profile_aead_aes_256_gcm;
+				srtp_crypto_policy_set_aes_gcm_256_16_auth(std::addressof(policy.rtp));
+				srtp_crypto_policy_set_aes_gcm_256_16_auth(std::addressof(policy.rtcp));
 
 				break;
 			}
 
 			case CryptoSuite::AEAD_AES_128_GCM:
 			{
-				profile = srtp_profile_aead_aes_128_gcm;
+				srtp_crypto_policy_set_aes_gcm_128_16_auth(std::addressof(policy.rtp));
+				srtp_crypto_policy_set_aes_gcm_128_16_auth(std::addressof(policy.rtcp));
 
 				break;
 			}
 
 			case CryptoSuite::AES_CM_128_HMAC_SHA1_80:
 			{
-				profile = srtp_profile_aes128_cm_sha1_80;
+				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtp));
+				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtcp));
 
 				break;
 			}
 
 			case CryptoSuite::AES_CM_128_HMAC_SHA1_32:
 			{
-				profile = srtp_profile_aes128_cm_sha1_32;
+				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(std::addressof(policy.rtp));
+				// NOTE: Must be 80 for RTCP.
+				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(std::addressof(policy.rtcp));
 
 				break;
 			}
@@ -170,101 +179,30 @@
 			}
 		}
 
-		// Create the policy object.
-		srtp_policy_t policy{ nullptr };
-		srtp_err_status_t err = srtp_policy_create(std::addressof(policy));
-
-		if (DepLibSRTP::IsError(err))
-		{
-			MS_THROW_ERROR("srtp_policy_create() failed: %s", DepLibSRTP::GetErrorString(err).c_str());
-		}
-
-		// Set SSRC.
-		srtp_ssrc_t ssrc{};
+		MS_ASSERT(
+		  static_cast<int>(keyLen) == policy.rtp.cipher_key_len,
+		  "given keyLen does not match policy.rtp.cipher_keyLen");
 
 		switch (type)
 		{
 			case Type::INBOUND:
-			{
-				ssrc.type = ssrc_any_inbound;
-
+				policy.ssrc.type = ssrc_any_inbound;
 				break;
-			}
 
 			case Type::OUTBOUND:
-			{
-				ssrc.type = ssrc_any_outbound;
-
+				policy.ssrc.type = ssrc_any_outbound;
 				break;
-			}
-		}
-
-		ssrc.value = 0;
-
-		err = srtp_policy_set_ssrc(policy, ssrc);
-
-		if (DepLibSRTP::IsError(err))
-		{
-			srtp_policy_destroy(policy);
-			MS_THROW_ERROR("srtp_policy_set_ssrc() failed: %s", DepLibSRTP::GetErrorString(err).c_str());
-		}
-
-		// Set the crypto profile.
-		err = srtp_policy_set_profile(policy, profile);
-
-		if (DepLibSRTP::IsError(err))
-		{
-			srtp_policy_destroy(policy);
-			MS_THROW_ERROR("srtp_policy_set_profile() failed: %s", DepLibSRTP::GetErrorString(err).c_str());
-		}
-
-		// Split the concatenated key+salt buffer using the profile's lengths.
-		const size_t masterKeyLen  = srtp_profile_get_master_key_length(profile);
-		const size_t masterSaltLen = srtp_profile_get_master_salt_length(profile);
-
-		MS_ASSERT(
-		  keyLen == masterKeyLen + masterSaltLen,
-		  "given keyLen does not match profile master key + salt length");
-
-		err = srtp_policy_add_key(
-		  policy,
-		  /*key*/ key,
-		  /*key_len*/ masterKeyLen,
-		  /*salt*/ key + masterKeyLen,
-		  /*salt_len*/ masterSaltLen,
-		  /*mki*/ nullptr,
-		  /*mki_len*/ 0);
-
-		if (DepLibSRTP::IsError(err))
-		{
-			srtp_policy_destroy(policy);
-			MS_THROW_ERROR("srtp_policy_add_key() failed: %s", DepLibSRTP::GetErrorString(err).c_str());
 		}
 
+		policy.ssrc.value = 0;
+		policy.key        = key;
 		// Required for sending RTP retransmission without RTX.
-		err = srtp_policy_set_allow_repeat_tx(policy, true);
-
-		if (DepLibSRTP::IsError(err))
-		{
-			srtp_policy_destroy(policy);
-			MS_THROW_ERROR(
-			  "srtp_policy_set_allow_repeat_tx() failed: %s", DepLibSRTP::GetErrorString(err).c_str());
-		}
+		policy.allow_repeat_tx = 1;
+		policy.window_size     = 1024;
+		policy.next            = nullptr;
 
-		err = srtp_policy_set_window_size(policy, 1024);
-
-		if (DepLibSRTP::IsError(err))
-		{
-			srtp_policy_destroy(policy);
-			MS_THROW_ERROR(
-			  "srtp_policy_set_window_size() failed: %s", DepLibSRTP::GetErrorString(err).c_str());
-		}
-
-		// Create the SRTP session.
-		err = srtp_create(std::addressof(this->session), policy);
-
-		// Policy is no longer needed once the session is created.
-		srtp_policy_destroy(policy);
+		// Set the SRTP session.
+		const srtp_err_status_t err = srtp_create(std::addressof(this->session), std::addressof(policy));
 
 		if (DepLibSRTP::IsError(err))
 		{
@@ -311,13 +249,13 @@
 		uint8_t* encryptBuffer = EncryptBuffer;
 		size_t encryptLen      = EncryptBufferSize;
 
-		const srtp_err_status_t err = srtp_protect(
-		  /*srtp_t ctx*/ this->session,
-		  /*const uint8_t* rtp*/ *data,
-		  /*size_t rtp_len*/ *len,
-		  /*uint8_t* srtp*/ encryptBuffer,
-		  /*size_t* srtp_len*/ std::addressof(encryptLen),
-		  /*size_t mki_index*/ 0);
+		std::memcpy(encryptBuffer, *data, *len);
+
+		int intLen = static_cast<int>(*len);
+
+		const srtp_err_status_t err = srtp_protect(this->session, static_cast<void*>(encryptBuffer), std::addressof(intLen));
+
+		encryptLen = static_cast<size_t>(intLen);
 
 		if (DepLibSRTP::IsError(err))
 		{
@@ -339,12 +277,11 @@
 
 		size_t decryptLen = *len;
 
-		const srtp_err_status_t err = srtp_unprotect(
-		  /*srtp_t ctx*/ this->session,
-		  /*const uint8_t* srtp*/ data,
-		  /*size_t srtp_len*/ *len,
-		  /*uint8_t* rtp*/ data,
-		  /*size_t* rtp_len*/ std::addressof(decryptLen));
+		int intLen = static_cast<int>(*len);
+
+		const srtp_err_status_t err = srtp_unprotect(this->session, static_cast<void*>(data), std::addressof(intLen));
+
+		decryptLen = static_cast<size_t>(intLen);
 
 		if (DepLibSRTP::IsError(err))
 		{
@@ -374,13 +311,13 @@
 		uint8_t* encryptBuffer = EncryptBuffer;
 		size_t encryptLen      = EncryptBufferSize;
 
-		const srtp_err_status_t err = srtp_protect_rtcp(
-		  /*srtp_t ctx*/ this->session,
-		  /*const uint8_t* rtcp*/ *data,
-		  /*size_t rtcp_len*/ *len,
-		  /*uint8_t* srtcp*/ encryptBuffer,
-		  /*size_t* srtcp_len*/ std::addressof(encryptLen),
-		  /*size_t mki_index*/ 0);
+		std::memcpy(encryptBuffer, *data, *len);
+
+		int intLen = static_cast<int>(*len);
+
+		const srtp_err_status_t err = srtp_protect_rtcp(this->session, static_cast<void*>(encryptBuffer), std::addressof(intLen));
+
+		encryptLen = static_cast<size_t>(intLen);
 
 		if (DepLibSRTP::IsError(err))
 		{
@@ -402,12 +339,11 @@
 
 		size_t decryptLen = *len;
 
-		const srtp_err_status_t err = srtp_unprotect_rtcp(
-		  /*srtp_t ctx*/ this->session,
-		  /*const uint8_t* srtcp*/ data,
-		  /*size_t srtcp_len*/ *len,
-		  /*uint8_t* rtcp*/ data,
-		  /*size_t* rtcp_len*/ std::addressof(decryptLen));
+		int intLen = static_cast<int>(*len);
+
+		const srtp_err_status_t err = srtp_unprotect_rtcp(this->session, static_cast<void*>(data), std::addressof(intLen));
+
+		decryptLen = static_cast<size_t>(intLen);
 
 		if (DepLibSRTP::IsError(err))
 		{
PATCH_EOF
fi

# ---------------------------------------------------------------------------
# 2. ankerl::unordered_dense (header-only, not packaged in bookworm):
#    minimal compat header aliasing the std containers.
# ---------------------------------------------------------------------------
cat > "$B/compat/ankerl/unordered_dense.h" <<'HDR_EOF'
// Compat shim: ankerl::unordered_dense API subset used by mediasoup-worker,
// implemented with std::unordered_map/set (same semantics, different perf).
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>
namespace ankerl { namespace unordered_dense {
template <class T, class Enable = void> struct hash : std::hash<T> { using is_avalanching = void; };
template <class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Alloc = std::allocator<std::pair<const Key, T>>, class Bucket = void>
using map = std::unordered_map<Key, T, Hash, KeyEqual, Alloc>;
template <class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>,
          class Alloc = std::allocator<Key>, class Bucket = void>
using set = std::unordered_set<Key, Hash, KeyEqual, Alloc>;
}} // namespace ankerl::unordered_dense
HDR_EOF

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
