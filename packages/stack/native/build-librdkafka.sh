#!/usr/bin/env bash
# Builds the static librdkafka the dev broker links: Debian bookworm's librdkafka 2.0.2 source
# package with librdkafka-2.0.2-omen.patch applied to its mock cluster, so a partition keeps what
# a manifest consumer group has not committed instead of deleting it at 5 MiB (see README.md
# beside this file).
#
#   build-librdkafka.sh OUT_DIR     → OUT_DIR/include/librdkafka/*.h, OUT_DIR/lib/librdkafka.a
#
# The source comes through apt (the only package source CI reaches besides npm), from a private
# deb-src list under OUT_DIR's work directory: the machine's apt configuration is not touched and
# root is not needed. apt checks the files against Debian's signed index; the sha256 pin below
# also makes sure the patch meets exactly the source it was written for. Only the library is
# built, without TLS, SASL, compression libraries or curl: the mock stores record batches as the
# client sent them and needs none of those. About 40 s on 2 cores, once per checkout.
set -euo pipefail

out="${1:?usage: build-librdkafka.sh OUT_DIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version=2.0.2
orig_sha256=f321bcb1e015a34114c83cf1aa7b99ee260236aab096b85c003170c90a47ca9d
mirror="${OMEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# Per-process work and staging directories: two test workers that both find the library
# missing build side by side instead of into each other; the last rename wins, both complete.
work="$out.work.$$"
staging="$out.tmp.$$"
rm -rf "$work" "$staging"
trap 'rm -rf "$work" "$staging"' EXIT
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
printf 'deb-src %s bookworm main\n' "$mirror" >"$work/apt/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache"
  -o "APT::Sandbox::User=$(id -un)" -qq
)
fail() { printf 'build-librdkafka: %s\n' "$*" >&2; exit 1; }

(cd "$work" && apt-get "${apt_opts[@]}" update >/dev/null) || fail "apt-get update of $mirror bookworm sources failed"
# No version pin: a Debian revision of 2.0.2 ships the same upstream tarball, which the sha256 checks.
(cd "$work" && apt-get "${apt_opts[@]}" source --download-only librdkafka >/dev/null) || fail "apt-get source librdkafka failed"
tarball="$work/librdkafka_${version}.orig.tar.gz"
[ -f "$tarball" ] || fail "bookworm's librdkafka source is not $version any more; update $here/librdkafka-$version-omen.patch"
echo "$orig_sha256  $tarball" | sha256sum -c --quiet - || fail "$tarball does not have the pinned sha256"

tar xzf "$tarball" -C "$work"
src="$work/librdkafka-$version"
patch -d "$src" -p1 --quiet --forward <"$here/librdkafka-$version-omen.patch" || fail "the omen patch does not apply"
if ! (cd "$src" && ./configure --no-download --disable-ssl --disable-gssapi --disable-curl --disable-zstd \
  --disable-lz4-ext --disable-zlib --disable-syslog >"$work/configure.log" 2>&1); then
  tail -n 30 "$work/configure.log" >&2
  fail "configure failed"
fi
if ! make -C "$src/src" -j"$(nproc)" librdkafka.a >"$work/make.log" 2>&1; then
  tail -n 30 "$work/make.log" >&2
  fail "make failed"
fi
# The libraries the static archive needs at link time, as configure found them.
libs="$(sed -n 's/^LIBS+=[[:space:]]*//p' "$src/Makefile.config" | tr '\n' ' ')"

mkdir -p "$staging/include/librdkafka" "$staging/lib"
cp "$src/src/rdkafka.h" "$src/src/rdkafka_mock.h" "$staging/include/librdkafka/"
cp "$src/src/librdkafka.a" "$staging/lib/"
printf '%s\n' "$libs" >"$staging/lib/libs.txt"
rm -rf "$out"
# A side-by-side build that renamed first leaves an equal library: keep it.
mv -T "$staging" "$out" 2>/dev/null || [ -f "$out/lib/librdkafka.a" ] || fail "cannot move the build to $out"
