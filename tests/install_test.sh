#!/bin/sh
# Installs the build into a scratch directory and builds the C quickstart
# the way a user would: with `pkg-config librec`, against the installed
# header and shared library, then runs it.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet
pc=$(find "$dest" -name librec.pc | head -n 1)
[ -n "$pc" ] || { echo "librec.pc was not installed" >&2; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

so=$(find "$dest" -name 'librec.so.0' | head -n 1)
[ -n "$so" ] || { echo "librec.so.0 (the SONAME link) was not installed" >&2; exit 1; }
readelf -d "$so" | grep -q 'SONAME.*librec\.so\.0' || { echo "wrong SONAME" >&2; exit 1; }
find "$dest" -path '*include/librec/librec.h' | grep -q . || { echo "header missing" >&2; exit 1; }
find "$dest" -path '*bin/rec' | grep -q . || { echo "rec program missing" >&2; exit 1; }

# shellcheck disable=SC2046  # pkg-config output is a list of flags
cc -std=c99 -Wall -Wextra -Werror -o "$dest/quickstart" "$src/examples/quickstart.c" \
    $(pkg-config --cflags --libs librec)
cd "$dest"
LD_LIBRARY_PATH=$(dirname "$so") ./quickstart > out.txt
grep -q "recall@20" out.txt
echo "installed, found with pkg-config, linked with -lrec and ran"
