#!/bin/sh
# Installs the build into a scratch directory, checks that everything a user
# gets is there (the shared library and its SONAME links, the header,
# librec.pc, the rec program and its man page), checks the man page, and
# builds the C quickstart the way a user would: with `pkg-config librec`,
# against the installed header and shared library, then runs it.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

fail() {
    echo "install test: $*" >&2
    exit 1
}

# installed PATTERN: the one installed file whose path matches PATTERN.
installed() {
    find "$dest" -path "$1" | head -n 1
}

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet
pc=$(installed '*/pkgconfig/librec.pc')
[ -n "$pc" ] || fail "librec.pc was not installed"
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# The library: the real file, the SONAME link to it, the link for -lrec.
so=$(installed '*/librec.so.0')
[ -n "$so" ] || fail "librec.so.0 (the SONAME link) was not installed"
libdir=$(dirname "$so")
real=$(find "$libdir" -name 'librec.so.0.*' -type f | head -n 1)
[ -n "$real" ] || fail "the versioned librec.so.0.* was not installed"
if [ ! -L "$so" ] || [ "$(readlink "$so")" != "$(basename "$real")" ]; then
    fail "librec.so.0 is not a link to $(basename "$real")"
fi
if [ ! -L "$libdir/librec.so" ] ||
   [ "$(readlink -f "$libdir/librec.so")" != "$(readlink -f "$real")" ]; then
    fail "librec.so (the link for -lrec) is missing or points elsewhere"
fi
readelf -d "$real" | grep -q 'SONAME.*\[librec\.so\.0\]' || fail "wrong SONAME"

[ -n "$(installed '*/include/librec/librec.h')" ] || fail "header missing"
rec=$(installed '*/bin/rec')
[ -n "$rec" ] || fail "rec program missing"
man=$(installed '*/man1/rec.1')
[ -n "$man" ] || fail "man page rec.1 missing"

# The man page renders without a warning...
command -v groff >/dev/null ||
    fail "groff is needed to check the man page (Debian package groff-base)"
warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
[ -z "$warnings" ] || fail "groff warns about rec.1:
$warnings"

# ...has a section for every command, names every option that
# `rec ... --help` prints and --version, and names no option that rec does
# not know (SEE ALSO, which names pkg-config's, is left out). The
# hyperparameters of the model families are checked one way only: the page
# names the common ones and sends to `rec train --help --model NAME` for
# the rest (listed with '_', they are taken with '-').
run_rec() {
    LD_LIBRARY_PATH=$libdir "$rec" "$@"
}
commands=$(run_rec --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$commands" ] || fail "rec --help lists no command"
for c in $commands; do
    grep -q "^\.SS rec $c\( \|$\)" "$man" || fail "rec.1 has no section for 'rec $c'"
done
options() {
    grep -o -- '--[a-z][a-z0-9_-]*' | tr _ - | LC_ALL=C sort -u
}
# shellcheck disable=SC2086  # one command per word
{ echo --version; run_rec --help
  run_rec train --help --model pop | sed '/^Hyperparameters of/d'
  for c in $commands; do [ "$c" = train ] || run_rec $c --help; done
} | options > "$dest/required"
{ cat "$dest/required"; run_rec train --help; } | options > "$dest/known"
sed -e '/^\.SH SEE ALSO/,$d' -e 's/\\-/-/g' "$man" | options > "$dest/page"
missing=$(LC_ALL=C comm -23 "$dest/required" "$dest/page")
unknown=$(LC_ALL=C comm -13 "$dest/known" "$dest/page")
# shellcheck disable=SC2086  # one option per word
[ -z "$missing" ] || fail "rec.1 does not name these options:" $missing
# shellcheck disable=SC2086
[ -z "$unknown" ] || fail "rec.1 names options that rec does not know:" $unknown

# shellcheck disable=SC2046  # pkg-config output is a list of flags
cc -std=c99 -Wall -Wextra -Werror -o "$dest/quickstart" "$src/examples/quickstart.c" \
    $(pkg-config --cflags --libs librec)
cd "$dest"
LD_LIBRARY_PATH=$libdir ./quickstart > out.txt
grep -q "recall@20" out.txt
echo "installed library, links, header, librec.pc, rec and rec(1);" \
     "found with pkg-config, linked with -lrec and ran"
